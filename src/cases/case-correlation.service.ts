import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Analysis } from '../analysis/analysis.entity';
import { Rule } from '../rules/rule.entity';
import { CLOSED_STATUSES } from './case-lifecycle';

export interface CorrelationResult {
  caseId: number;
  created: boolean;
  attached: boolean;
}

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * Turns fired rules into cases: the post joins the open case of the same area and rule, or opens one.
 * Safe under concurrency and repetition: a partial unique index allows one open case per area and
 * rule, and a post is attached to a case once.
 */
@Injectable()
export class CaseCorrelationService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async correlate(analysis: Analysis): Promise<CorrelationResult[]> {
    if (analysis.areaId === null) return [];
    const results: CorrelationResult[] = [];
    for (const fired of analysis.firedRules) {
      const rule = await this.db.getRepository(Rule).findOneBy({ id: fired.ruleId });
      if (!rule) continue;
      results.push(await this.attach(analysis.postId, analysis.areaId, rule));
    }
    return results;
  }

  private async attach(postId: number, areaId: number, rule: Rule): Promise<CorrelationResult> {
    return this.db.transaction(async (tx) => {
      const created: { id: number }[] = await tx.query(
        `INSERT INTO cases (number, area_id, rule_id, category, level, status, version)
         VALUES ('TF-' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(nextval('case_number_seq')::text, 6, '0'),
                 $1, $2, $3, $4, 'new', 1)
         ON CONFLICT (area_id, rule_id) WHERE status NOT IN (${CLOSED_SQL}) DO NOTHING
         RETURNING id`,
        [areaId, rule.id, rule.category, rule.level],
      );
      let caseId = created[0]?.id;
      if (caseId === undefined) {
        const open: { id: number }[] = await tx.query(
          `SELECT id FROM cases WHERE area_id = $1 AND rule_id = $2 AND status NOT IN (${CLOSED_SQL}) FOR UPDATE`,
          [areaId, rule.id],
        );
        if (open.length === 0) throw new Error(`open case for area ${areaId} and rule ${rule.id} vanished; retrying`);
        caseId = open[0].id;
      } else {
        await tx.query(`INSERT INTO case_events (case_id, type, data) VALUES ($1, 'created', $2)`, [
          caseId,
          { ruleId: rule.id, ruleCode: rule.code, ruleVersion: rule.version, areaId, level: rule.level, postId },
        ]);
      }
      const attached: unknown[] = await tx.query(
        `INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING post_id`,
        [caseId, postId],
      );
      if (attached.length > 0) {
        await tx.query(`UPDATE cases SET post_count = post_count + 1, version = version + 1 WHERE id = $1`, [caseId]);
        await tx.query(`INSERT INTO case_events (case_id, type, data) VALUES ($1, 'post_attached', $2)`, [caseId, { postId }]);
      }
      return { caseId, created: created.length > 0, attached: attached.length > 0 };
    });
  }
}
