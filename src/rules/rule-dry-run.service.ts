import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { segmenter, wordStarts } from '../analysis/segmenter';
import { normalizeText } from '../analysis/text-normalizer';
import { AreasService } from '../areas/areas.service';
import { AppError } from '../common/app-error';
import { DryRun, DryRunPost, DryRunResult } from './dry-run';
import { compileRuleDefinition, RuleDefinitionError } from './rule-definition';
import { RULE_KINDS, RuleKind } from './rule.entity';

const BATCH = 5000;
const MAX_DAYS = 400;

interface Row {
  id: number;
  title: string;
  body: string;
  at: Date;
  area_id: number | null;
  domain: string | null;
  dispute_type: string | null;
  heat_score: number | null;
  verdict: 'confirmed' | 'dismissed' | null;
}

/** Runs a draft rule over the stored posts of a period (see dry-run.ts for what it returns). */
@Injectable()
export class RuleDryRunService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  async run(body: unknown): Promise<DryRunResult & { from: string; to: string; ms: number }> {
    const started = Date.now();
    if (typeof body !== 'object' || body === null) throw new AppError('invalid_request', 'The body must be a JSON object', { field: 'body' });
    const { kind = 'expression', definition, from, to, sampleSize } = body as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => !['kind', 'definition', 'from', 'to', 'sampleSize'].includes(k));
    if (unknown.length) throw new AppError('invalid_request', `Unknown fields: ${unknown.join(', ')}`, { fields: Object.fromEntries(unknown.map((f) => [f, ['unknown field']])) });
    if (!RULE_KINDS.includes(kind as RuleKind)) throw new AppError('invalid_request', `kind must be one of ${RULE_KINDS.join(', ')}`, { field: 'kind' });
    const period = (value: unknown, field: string): Date => {
      const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
      if (Number.isNaN(d.getTime())) throw new AppError('invalid_request', `${field} must be an ISO date`, { field });
      return d;
    };
    const fromDate = period(from, 'from');
    const toDate = period(to, 'to');
    if (toDate <= fromDate || toDate.getTime() - fromDate.getTime() > MAX_DAYS * 86_400_000) {
      throw new AppError('invalid_request', `to must be after from, at most ${MAX_DAYS} days later`, { field: 'to' });
    }
    const size = sampleSize === undefined ? 100 : Number(sampleSize);
    if (!Number.isInteger(size) || size < 0 || size > 1000) throw new AppError('invalid_request', 'sampleSize must be an integer from 0 to 1000', { field: 'sampleSize' });
    let expr;
    try {
      expr = compileRuleDefinition(kind as RuleKind, definition).expr;
    } catch (error) {
      if (error instanceof RuleDefinitionError) throw new AppError('invalid_request', error.message, { field: error.field, ...error.details });
      throw error;
    }

    const dry = new DryRun(expr, size, (text) => wordStarts(text, segmenter.cut(text)));
    const paths = new Map<number, string[]>();
    let lastId = 0;
    for (;;) {
      const rows: Row[] = await this.db.query(
        `SELECT p.id, p.title, p.body, coalesce(p.published_at, p.fetched_at) AS at, a.area_id, a.domain, a.dispute_type, a.heat_score,
                (SELECT CASE WHEN bool_or(c.status = 'settled') THEN 'confirmed' WHEN bool_or(c.status = 'dismissed') THEN 'dismissed' END
                   FROM case_posts cp JOIN cases c ON c.id = cp.case_id WHERE cp.post_id = p.id) AS verdict
           FROM posts p
           LEFT JOIN LATERAL (SELECT area_id, domain, dispute_type, heat_score FROM analyses WHERE post_id = p.id ORDER BY id DESC LIMIT 1) a ON true
          WHERE p.id > $1 AND coalesce(p.published_at, p.fetched_at) >= $2 AND coalesce(p.published_at, p.fetched_at) < $3
          ORDER BY p.id LIMIT ${BATCH}`,
        [lastId, fromDate, toDate],
      );
      if (rows.length === 0) break;
      lastId = rows[rows.length - 1].id;
      const posts: DryRunPost[] = [];
      for (const r of rows) {
        if (r.area_id !== null && !paths.has(r.area_id)) paths.set(r.area_id, (await this.areas.chain(r.area_id)).flatMap((a) => [String(a.id), a.code]));
        posts.push({
          postId: r.id,
          title: normalizeText(r.title ?? ''),
          body: normalizeText(r.body ?? ''),
          at: new Date(r.at),
          areaId: r.area_id,
          areaPath: r.area_id === null ? [] : paths.get(r.area_id),
          domain: r.domain,
          disputeType: r.dispute_type,
          heat: r.heat_score ?? 0,
          verdict: r.verdict,
        });
      }
      dry.add(posts);
      if (rows.length < BATCH) break;
    }
    return { ...dry.result(), from: fromDate.toISOString(), to: toDate.toISOString(), ms: Date.now() - started };
  }
}
