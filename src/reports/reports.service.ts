import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import type { AreaLevel } from '../areas/area.entity';
import type { Actor } from '../auth/actor';
import { OVERDUE_SQL } from '../cases/sla-config';
import { AppConfig } from '../config/app-config';

/** One area × category cell; cells with fewer cases than `reports.minCellSize` only say that they are suppressed. */
export type CategoryCell = { category: string; found: number; settled: number } | { category: string; suppressed: true };

export interface SettlementRow {
  areaId: number;
  code: string;
  name: string;
  /** Cases opened in the period (false alarms and merged duplicates not counted). */
  found: number;
  /** Of those, closed with the outcome "settled". */
  settled: number;
  /** Of those, still open. */
  open: number;
  /** settled / found, rounded to 4 places; null when nothing was found. */
  settlementRate: number | null;
  /** The same figures by dispute category, small cells suppressed. */
  categories: CategoryCell[];
}

export interface SettlementReport {
  /** When these figures were computed (reports are served again for `reports.cacheSeconds` to the same scope and period). */
  generatedAt: string;
  from: string;
  to: string;
  level: AreaLevel;
  /** Cells with fewer cases than this are suppressed (privacy: small counts identify people). */
  minCellSize: number;
  rows: SettlementRow[];
  total: Omit<SettlementRow, 'areaId' | 'code' | 'name' | 'categories'>;
  /** Of the cases counted in `total`, those with an SLA clock run out when the report was computed. */
  overdue: number;
  /** Medians over the cases counted in `total`, in minutes from opening: to acknowledging, to the first
   * response, and (settled cases) to closing; null when no case got that far. */
  medianMinutes: { acknowledge: number | null; respond: number | null; settle: number | null };
}

const rate = (settled: number, found: number) => (found === 0 ? null : Math.round((settled / found) * 10_000) / 10_000);

/** Reports kept at most (distinct scope × period × level combinations); the oldest go first. */
const MAX_CACHED = 500;

/**
 * Found-vs-settled figures: what district and street officials watch. A dashboard is opened by many
 * officials at once and refreshed often, so a report is computed once per scope, period and level
 * and served again for `reports.cacheSeconds` (concurrent requests share the one computation);
 * `generatedAt` says how fresh the figures are.
 */
@Injectable()
export class ReportsService {
  private readonly cache = new Map<string, { at: number; report: Promise<SettlementReport> }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
    private readonly config: AppConfig,
  ) {}

  /** Cases opened in [from, to), grouped by the areas at `level` within the actor's scope. */
  async settlement(actor: Actor, from: Date, to: Date, level: AreaLevel): Promise<SettlementReport> {
    const visible = await this.areas.subtreeIds(actor.scopeAreaIds);
    const ttl = this.config.reports.cacheSeconds * 1000;
    if (ttl <= 0) return this.compute(visible, from, to, level);
    // What the report shows depends on the visible areas only, not on who asks.
    const key = `${level}|${from.toISOString()}|${to.toISOString()}|${[...visible].sort((a, b) => a - b).join(',')}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < ttl) return hit.report;
    const report = this.compute(visible, from, to, level);
    this.cache.delete(key);
    this.cache.set(key, { at: now, report });
    report.catch(() => this.cache.get(key)?.report === report && this.cache.delete(key));
    if (this.cache.size > MAX_CACHED) {
      for (const [k, entry] of this.cache) if (now - entry.at >= ttl || this.cache.size > MAX_CACHED) this.cache.delete(k);
    }
    return report;
  }

  private async compute(visible: number[], from: Date, to: Date, level: AreaLevel): Promise<SettlementReport> {
    const generatedAt = new Date().toISOString();
    const rows: { area_id: number; code: string; name: string; found: number; settled: number; open: number }[] = await this.db.query(
      `SELECT g.id AS area_id, g.code, g.name,
              count(c.id)::int AS found,
              count(c.id) FILTER (WHERE c.status = 'settled' AND c.outcome = 'settled')::int AS settled,
              count(c.id) FILTER (WHERE c.status NOT IN ('settled', 'dismissed', 'merged'))::int AS open
       FROM areas g
       LEFT JOIN areas a ON a.path LIKE g.path || '%'
       LEFT JOIN cases c ON c.area_id = a.id AND c.opened_at >= $1 AND c.opened_at < $2 AND c.status NOT IN ('dismissed', 'merged')
       WHERE g.level = $3 AND g.id = ANY($4::int[])
       GROUP BY g.id, g.code, g.name
       ORDER BY g.id`,
      [from, to, level, visible],
    );
    const cells: { area_id: number; category: string; found: number; settled: number }[] = await this.db.query(
      `SELECT g.id AS area_id, COALESCE(c.category, '未分类') AS category, count(*)::int AS found,
              count(*) FILTER (WHERE c.status = 'settled' AND c.outcome = 'settled')::int AS settled
       FROM areas g
       JOIN areas a ON a.path LIKE g.path || '%'
       JOIN cases c ON c.area_id = a.id AND c.opened_at >= $1 AND c.opened_at < $2 AND c.status NOT IN ('dismissed', 'merged')
       WHERE g.level = $3 AND g.id = ANY($4::int[])
       GROUP BY g.id, COALESCE(c.category, '未分类')
       ORDER BY 1, 2`,
      [from, to, level, visible],
    );
    // The dashboard's other figures, over the same cases (the rows' areas are disjoint subtrees).
    const [timing]: { overdue: number; acknowledge: number | null; respond: number | null; settle: number | null }[] = await this.db.query(
      `SELECT count(*) FILTER (WHERE ${OVERDUE_SQL})::int AS overdue,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.opened_at) / 60) AS acknowledge,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_response_at - c.opened_at) / 60) AS respond,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.closed_at - c.opened_at) / 60) FILTER (WHERE c.status = 'settled') AS settle
       FROM areas g
       JOIN areas a ON a.path LIKE g.path || '%'
       JOIN cases c ON c.area_id = a.id AND c.opened_at >= $1 AND c.opened_at < $2 AND c.status NOT IN ('dismissed', 'merged')
       WHERE g.level = $3 AND g.id = ANY($4::int[])`,
      [from, to, level, visible],
    );
    const minutes = (value: number | string | null) => (value === null ? null : Math.round(Number(value) * 100) / 100);
    const k = this.config.reports.minCellSize;
    const categoriesOf = (areaId: number): CategoryCell[] =>
      cells
        .filter((c) => c.area_id === areaId)
        .map((c) => (c.found < k ? { category: c.category, suppressed: true as const } : { category: c.category, found: c.found, settled: c.settled }));
    const mapped = rows.map((r) => ({
      areaId: r.area_id,
      code: r.code,
      name: r.name,
      found: r.found,
      settled: r.settled,
      open: r.open,
      settlementRate: rate(r.settled, r.found),
      categories: categoriesOf(r.area_id),
    }));
    const sum = (k: 'found' | 'settled' | 'open') => mapped.reduce((s, r) => s + r[k], 0);
    return {
      generatedAt,
      from: from.toISOString(),
      to: to.toISOString(),
      level,
      minCellSize: k,
      rows: mapped,
      total: { found: sum('found'), settled: sum('settled'), open: sum('open'), settlementRate: rate(sum('settled'), sum('found')) },
      overdue: timing.overdue,
      medianMinutes: { acknowledge: minutes(timing.acknowledge), respond: minutes(timing.respond), settle: minutes(timing.settle) },
    };
  }
}
