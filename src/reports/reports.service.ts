import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import type { AreaLevel } from '../areas/area.entity';
import type { Actor } from '../auth/actor';

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
}

export interface SettlementReport {
  from: string;
  to: string;
  level: AreaLevel;
  rows: SettlementRow[];
  total: Omit<SettlementRow, 'areaId' | 'code' | 'name'>;
}

const rate = (settled: number, found: number) => (found === 0 ? null : Math.round((settled / found) * 10_000) / 10_000);

/** Found-vs-settled figures: what district and street officials watch. */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  /** Cases opened in [from, to), grouped by the areas at `level` within the actor's scope. */
  async settlement(actor: Actor, from: Date, to: Date, level: AreaLevel): Promise<SettlementReport> {
    const visible = await this.areas.subtreeIds(actor.scopeAreaIds);
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
    const mapped = rows.map((r) => ({ areaId: r.area_id, code: r.code, name: r.name, found: r.found, settled: r.settled, open: r.open, settlementRate: rate(r.settled, r.found) }));
    const sum = (k: 'found' | 'settled' | 'open') => mapped.reduce((s, r) => s + r[k], 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      level,
      rows: mapped,
      total: { found: sum('found'), settled: sum('settled'), open: sum('open'), settlementRate: rate(sum('settled'), sum('found')) },
    };
  }
}
