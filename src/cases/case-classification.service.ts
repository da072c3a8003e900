import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { loadTaxonomy } from '../analysis/classifier/taxonomy';
import { Area } from '../areas/area.entity';
import type { Actor } from '../auth/actor';
import { AppError, notFound } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { projectRoot } from '../config/config.loader';
import { CaseEvent } from './case-event.entity';
import { CLOSED_STATUSES } from './case-lifecycle';
import { CaseAccess } from './case-access.service';
import { Case } from './case.entity';

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');

export interface ClassificationInput {
  category?: string;
  areaCode?: string;
  reason: string;
}

/**
 * A person corrects the category and/or area of a case. One transaction locks the case, changes it,
 * appends a `reclassified` timeline event (before/after, reason) and records the confirmed category
 * for every post of the case as a training label (`confirmed_labels`, latest wins). Routing is not
 * redone. An area correction lists the posts' place candidates that are not yet aliases
 * (`aliasSuggestions` on the event), which GET /analysis/place-suggestions then offers for that area.
 */
@Injectable()
export class CaseClassificationService {
  private categories?: Set<string>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly access: CaseAccess,
  ) {}

  async reclassify(caseId: number, actor: Actor, input: ClassificationInput): Promise<Case> {
    if (input.category === undefined && input.areaCode === undefined) {
      throw new AppError('invalid_request', 'Give category or areaCode (or both)', { fields: { category: 'category or areaCode is required', areaCode: 'category or areaCode is required' } });
    }
    if (input.category !== undefined && !this.knownCategories().has(input.category)) {
      throw new AppError('invalid_request', `Category ${input.category} is not in the taxonomy`, { fields: { category: 'not a domain or dispute type of the taxonomy' } });
    }
    return this.db.transaction(async (tx) => {
      const repo = tx.getRepository(Case);
      await tx.query(`SELECT id FROM cases WHERE id = $1 FOR UPDATE`, [caseId]);
      const current = await repo.findOneBy({ id: caseId });
      if (!current) throw notFound('Case', caseId);
      await this.access.assertMayAct(current, actor);
      if (current.status === 'merged') {
        throw new AppError('invalid_transition', `Case ${current.number} was merged; correct the case it was merged into`, { status: current.status, allowedActions: [] });
      }
      let area: Area | null = null;
      if (input.areaCode !== undefined) {
        area = await tx.getRepository(Area).findOneBy({ code: input.areaCode });
        if (!area) throw new AppError('invalid_request', `Area ${input.areaCode} does not exist`, { fields: { areaCode: 'no such area' } });
        if (area.id !== current.areaId && !CLOSED_STATUSES.includes(current.status)) {
          const clash: { number: string }[] = await tx.query(`SELECT number FROM cases WHERE area_id = $1 AND rule_id = $2 AND status NOT IN (${CLOSED_SQL}) AND id <> $3`, [
            area.id,
            current.ruleId,
            current.id,
          ]);
          if (clash.length) {
            throw new AppError('conflict', `Case ${clash[0].number} of the same rule is already open in area ${area.code}; merge into it instead`, { status: current.status, openCase: clash[0].number });
          }
        }
      }

      const set: Partial<Pick<Case, 'category' | 'areaId'>> = {};
      if (input.category !== undefined) set.category = input.category;
      if (area) set.areaId = area.id;
      const before: Record<string, unknown> = {};
      for (const key of Object.keys(set) as (keyof typeof set)[]) before[key] = current[key];
      await repo.update(caseId, { ...set, version: current.version + 1 });

      const posts: { post_id: number }[] = await tx.query(`SELECT post_id FROM case_posts WHERE case_id = $1 ORDER BY post_id`, [caseId]);
      if (input.category !== undefined && posts.length) {
        await tx.query(
          `INSERT INTO confirmed_labels (post_id, category, case_id, confirmed_by, confirmed_at)
           SELECT unnest($1::int[]), $2, $3, $4, now()
           ON CONFLICT (post_id) DO UPDATE SET category = EXCLUDED.category, case_id = EXCLUDED.case_id, confirmed_by = EXCLUDED.confirmed_by, confirmed_at = EXCLUDED.confirmed_at`,
          [posts.map((p) => p.post_id), input.category, caseId, actor.id],
        );
      }

      let aliasSuggestions: string[] = [];
      if (area && area.id !== current.areaId && posts.length) {
        const rows: { cand: string }[] = await tx.query(
          `SELECT DISTINCT cand FROM (SELECT DISTINCT ON (post_id) post_id, place_candidates FROM analyses WHERE post_id = ANY($1::int[]) ORDER BY post_id, id DESC) a
             CROSS JOIN LATERAL unnest(a.place_candidates) AS cand
            WHERE NOT EXISTS (SELECT 1 FROM area_aliases al WHERE al.alias = cand) ORDER BY cand`,
          [posts.map((p) => p.post_id)],
        );
        aliasSuggestions = rows.map((r) => r.cand);
      }

      await tx.getRepository(CaseEvent).save({
        caseId,
        type: 'reclassified',
        actorId: actor.id,
        data: {
          reason: input.reason,
          from: current.status,
          to: current.status,
          before,
          after: set,
          ...(area ? { areaCode: area.code } : {}),
          labelledPosts: input.category !== undefined ? posts.length : 0,
          ...(aliasSuggestions.length ? { aliasSuggestions } : {}),
        },
      });
      return repo.findOneByOrFail({ id: caseId });
    });
  }

  /** Domains and dispute types of the configured taxonomy. */
  private knownCategories(): Set<string> {
    if (!this.categories) {
      const taxonomy = loadTaxonomy(resolve(projectRoot(), this.config.analysis.taxonomy));
      this.categories = new Set(taxonomy.domains.flatMap((d) => [d.name, ...d.types.map((t) => t.name)]));
    }
    return this.categories;
  }
}
