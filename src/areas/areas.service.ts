import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/app-error';
import { AreaAlias } from './area-alias.entity';
import { Area, AREA_LEVELS, AreaLevel } from './area.entity';
import { normalizeText } from '../analysis/text-normalizer';
import { Gazetteer } from './gazetteer';

/** An area tree as written in YAML (config/demo/jiangdong.yaml). */
export interface AreaNodeInput {
  code: string;
  name: string;
  level: AreaLevel;
  aliases?: string[];
  children?: AreaNodeInput[];
}

interface AreaTree {
  byId: Map<number, Area>;
  gazetteer: Gazetteer;
  aliases: string[];
  loadedAt: number;
}

/** How long a process trusts its copy of the tree before reading it again (other processes may edit it). */
const TREE_TTL_MS = 30_000;

@Injectable()
export class AreasService {
  private tree?: Promise<AreaTree>;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The area tree and its gazetteer, cached per process. */
  private async current(): Promise<AreaTree> {
    const cached = this.tree && (await this.tree);
    if (cached && Date.now() - cached.loadedAt < TREE_TTL_MS) return cached;
    this.tree = this.load();
    return this.tree;
  }

  private async load(): Promise<AreaTree> {
    const [areas, aliases] = await Promise.all([this.db.getRepository(Area).find(), this.db.getRepository(AreaAlias).find()]);
    const byId = new Map(areas.map((a) => [a.id, a]));
    const entries = [...aliases.map((a) => ({ alias: a.alias, areaId: a.areaId })), ...areas.map((a) => ({ alias: a.name, areaId: a.id }))].map(
      (e) => ({ alias: normalizeText(e.alias), areaId: e.areaId }),
    );
    return { byId, gazetteer: new Gazetteer(entries), aliases: entries.map((e) => e.alias), loadedAt: Date.now() };
  }

  invalidate(): void {
    this.tree = undefined;
  }

  async gazetteer(): Promise<{ gazetteer: Gazetteer; aliases: string[]; depth: (areaId: number) => number }> {
    const tree = await this.current();
    return { gazetteer: tree.gazetteer, aliases: tree.aliases, depth: (id) => AREA_LEVELS.indexOf(tree.byId.get(id)?.level ?? 'district') };
  }

  async get(id: number): Promise<Area | undefined> {
    return (await this.current()).byId.get(id);
  }

  /** The area and its ancestors, nearest first. */
  async chain(areaId: number): Promise<Area[]> {
    const { byId } = await this.current();
    const out: Area[] = [];
    for (let area = byId.get(areaId); area; area = area.parentId === null ? undefined : byId.get(area.parentId)) out.push(area);
    return out;
  }

  /** Ids of areas within the subtrees of `rootIds` (inclusive). */
  async subtreeIds(rootIds: number[]): Promise<number[]> {
    const { byId } = await this.current();
    const roots = rootIds.map((id) => byId.get(id)).filter((a): a is Area => !!a);
    return [...byId.values()].filter((a) => roots.some((r) => a.path.startsWith(r.path))).map((a) => a.id);
  }

  async byCode(code: string): Promise<Area> {
    const area = await this.db.getRepository(Area).findOneBy({ code });
    if (!area) throw new AppError('not_found', `Area ${code} does not exist`);
    return area;
  }

  async list(): Promise<Area[]> {
    return [...(await this.current()).byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Every area (parent first) with its aliases, for the console's gazetteer editor. */
  async treeWithAliases(): Promise<(Pick<Area, 'id' | 'code' | 'name' | 'level' | 'parentId'> & { aliases: string[] })[]> {
    const [areas, aliases] = await Promise.all([
      this.db.getRepository(Area).find({ order: { id: 'ASC' } }),
      this.db.getRepository(AreaAlias).find({ order: { alias: 'ASC' } }),
    ]);
    return areas.map((a) => ({ id: a.id, code: a.code, name: a.name, level: a.level, parentId: a.parentId, aliases: aliases.filter((x) => x.areaId === a.id).map((x) => x.alias) }));
  }

  /** Adds an alias; one alias names one area, so an alias already in use elsewhere is a conflict. */
  async addAlias(areaId: number, alias: string): Promise<{ areaId: number; alias: string }> {
    const text = alias.trim();
    if (!(await this.db.getRepository(Area).existsBy({ id: areaId }))) throw new AppError('not_found', `Area ${areaId} does not exist`);
    const existing = await this.db.getRepository(AreaAlias).findOneBy({ alias: text });
    if (existing && existing.areaId !== areaId) {
      throw new AppError('conflict', `"${text}" is already an alias of area ${existing.areaId}`, { areaId: existing.areaId });
    }
    if (!existing) await this.db.getRepository(AreaAlias).insert({ alias: text, areaId });
    this.invalidate();
    return { areaId, alias: text };
  }

  async removeAlias(areaId: number, alias: string): Promise<void> {
    const result = await this.db.getRepository(AreaAlias).delete({ areaId, alias });
    if (!result.affected) throw new AppError('not_found', `Area ${areaId} has no alias "${alias}"`);
    this.invalidate();
  }

  /** Creates or updates a tree by area code, with its aliases, in one transaction. Returns the number of areas. */
  async importTree(root: AreaNodeInput): Promise<number> {
    let count = 0;
    await this.db.transaction(async (tx) => {
      const visit = async (node: AreaNodeInput, parent: Area | null): Promise<void> => {
        const area = await this.upsertArea(tx, node, parent);
        count++;
        for (const child of node.children ?? []) await visit(child, area);
      };
      await visit(root, null);
    });
    this.invalidate();
    return count;
  }

  /**
   * Creates or updates areas given flat, parent-first rows (e.g. from a CSV), all in one transaction
   * run by the caller's entity manager, so a failure leaves nothing half-imported.
   */
  async importRows(tx: EntityManager, rows: readonly (Omit<AreaNodeInput, 'children'> & { parentCode: string | null })[]): Promise<number> {
    const byCode = new Map<string, Area>();
    for (const row of rows) {
      const parent = row.parentCode === null ? null : (byCode.get(row.parentCode) ?? (await tx.getRepository(Area).findOneBy({ code: row.parentCode })));
      if (row.parentCode !== null && !parent) throw new AppError('invalid_request', `Area ${row.code}: parent ${row.parentCode} does not exist`);
      byCode.set(row.code, await this.upsertArea(tx, row, parent));
    }
    this.invalidate();
    return rows.length;
  }

  private async upsertArea(tx: EntityManager, node: AreaNodeInput, parent: Area | null): Promise<Area> {
    if (!AREA_LEVELS.includes(node.level)) throw new AppError('invalid_request', `Area ${node.code}: level must be one of ${AREA_LEVELS.join(', ')}`);
    const repo = tx.getRepository(Area);
    let area = await repo.findOneBy({ code: node.code });
    if (!area) area = repo.create({ code: node.code, path: '' });
    Object.assign(area, { name: node.name, level: node.level, parentId: parent?.id ?? null });
    area = await repo.save(area);
    area.path = `${parent?.path ?? '/'}${area.id}/`;
    await repo.update(area.id, { path: area.path });
    for (const alias of node.aliases ?? []) {
      await tx
        .createQueryBuilder()
        .insert()
        .into(AreaAlias)
        .values({ alias, areaId: area.id })
        .orUpdate(['area_id'], ['alias'])
        .execute();
    }
    return area;
  }
}
