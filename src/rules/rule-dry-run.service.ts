import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { segmenter, wordStarts } from '../analysis/segmenter';
import { AreasService } from '../areas/areas.service';
import { AppError } from '../common/app-error';
import { DryRun, DryRunResult } from './dry-run';
import { DryRunNormalizer } from './dry-run-normalizer';
import { derivePrefilter, deriveSure, prefilterSql, sureSql, sureUsesAnalysis, usesAnalysis } from './dry-run-prefilter';
import { compileRuleDefinition, RuleDefinitionError } from './rule-definition';
import { RULE_KINDS, RuleKind } from './rule.entity';

const BATCH = 5000;
const MAX_DAYS = 400;
const FULL_SCAN_NOTE = '该规则没有可用于预筛的关键词或类别、热度条件（只有否定、正则或地区条件），需要逐条检查时段内的全部帖子，帖子多时较慢；加上一个关键词（如 电梯 & /\\d+楼/）可大大加快试运行。';

const IN_PERIOD = `coalesce(p.published_at, p.fetched_at) >= $1 AND coalesce(p.published_at, p.fetched_at) < $2`;
const LATEST = `LEFT JOIN LATERAL (SELECT area_id, domain, dispute_type, heat_score FROM analyses WHERE post_id = p.id ORDER BY id DESC LIMIT 1) a ON true`;
const VERDICT = `(SELECT CASE WHEN bool_or(c.status = 'settled') THEN 'confirmed' WHEN bool_or(c.status = 'dismissed') THEN 'dismissed' END
                    FROM case_posts cp JOIN cases c ON c.id = cp.case_id WHERE cp.post_id = p.id)`;

interface Candidate {
  id: number;
  at: Date;
  area_id: number | null;
  domain: string | null;
  dispute_type: string | null;
  heat_score: number | null;
  verdict: 'confirmed' | 'dismissed' | null;
  /** Null when not loaded (the post surely matches and the sample is complete). */
  title: string | null;
  body: string | null;
}

/**
 * Runs a draft rule over the stored posts of a period (see dry-run.ts for what it returns). A necessary condition
 * derived from the rule (dry-run-prefilter.ts) is checked in Postgres, so only candidate posts are loaded and
 * evaluated; `candidates` says how many, `fullScan` that the rule gave no text condition and every post was.
 */
@Injectable()
export class RuleDryRunService implements OnModuleDestroy {
  private readonly normalizer = new DryRunNormalizer();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  onModuleDestroy(): Promise<void> {
    return this.normalizer.close();
  }

  /** `options.prefilter: false` evaluates every post of the period (tests compare both ways); `batchSize` for tests. */
  async run(body: unknown, options: { prefilter?: boolean; batchSize?: number } = {}): Promise<DryRunResult & { candidates: number; fullScan: boolean; note?: string; from: string; to: string; ms: number }> {
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
    const prefilter = derivePrefilter(expr);
    const params: unknown[] = [fromDate, toDate];
    const condition = options.prefilter === false ? null : prefilterSql(prefilter, params);
    const sure = options.prefilter === false ? null : sureSql(deriveSure(expr), params);
    const fullScan = condition === null;
    // Postgres checks the necessary condition on every post of the period (parallel sequential scan; the result is
    // kept narrow so that it sorts in memory) and says which candidates surely match. Texts are loaded, normalised
    // and evaluated only for the others and for the first posts (the sample of hits needs evidence), in id order,
    // one batch loading while the previous one is evaluated.
    const join = (condition && usesAnalysis(prefilter)) || (sure && sureUsesAnalysis(deriveSure(expr))) ? LATEST : '';
    const [[{ scanned }], candidates] = await Promise.all([
      this.db.query(`SELECT count(*)::int AS scanned FROM posts p WHERE ${IN_PERIOD}`, [fromDate, toDate]) as Promise<{ scanned: number }[]>,
      this.db.query(
        `SELECT p.id, ${sure ? `(${sure}) IS TRUE` : 'false'} AS sure FROM posts p ${join} WHERE ${IN_PERIOD}${condition ? ` AND ${condition}` : ''} ORDER BY p.id`,
        params,
      ) as Promise<{ id: number; sure: boolean }[]>,
    ]);
    const paths = new Map<number, string[]>();
    const load = async (batch: { id: number; sure: boolean }[]): Promise<Candidate[]> => {
      const full = dry.sampleFull;
      const rows: Candidate[] = await this.db.query(
        `SELECT p.id, coalesce(p.published_at, p.fetched_at) AS at, a.area_id, a.domain, a.dispute_type, a.heat_score, ${VERDICT} AS verdict,
                CASE WHEN b.text THEN p.title END AS title, CASE WHEN b.text THEN p.body END AS body
           FROM unnest($1::int[], $2::boolean[]) AS b(id, text) JOIN posts p ON p.id = b.id ${LATEST} ORDER BY p.id`,
        [batch.map((c) => c.id), batch.map((c) => !c.sure || !full)],
      );
      const loaded = rows.filter((r) => r.title !== null);
      const texts = await this.normalizer.normalize(loaded.flatMap((r) => [r.title ?? '', r.body ?? '']));
      loaded.forEach((r, i) => ((r.title = texts[2 * i]), (r.body = texts[2 * i + 1])));
      for (const r of rows) {
        if (r.area_id !== null && !paths.has(r.area_id)) paths.set(r.area_id, (await this.areas.chain(r.area_id)).flatMap((a) => [String(a.id), a.code]));
      }
      return rows;
    };
    const batch = options.batchSize ?? BATCH;
    let fed = 0;
    let next = candidates.length ? load(candidates.slice(0, batch)) : null;
    for (let at = 0; next; at += batch) {
      const rows = await next;
      next = at + batch < candidates.length ? load(candidates.slice(at + batch, at + 2 * batch)) : null;
      for (const r of rows) {
        const post = { postId: r.id, at: new Date(r.at), areaId: r.area_id, verdict: r.verdict };
        if (r.title !== null) {
          const areaPath = r.area_id === null ? [] : paths.get(r.area_id);
          dry.add([{ ...post, title: r.title, body: r.body ?? '', areaPath, domain: r.domain, disputeType: r.dispute_type, heat: r.heat_score ?? 0 }]);
        } else {
          // Surely matches, and the sample of hits was complete when its batch was requested: counted without its text.
          dry.addMatched(post);
        }
        fed++;
      }
    }
    dry.addUnmatched(Math.max(0, scanned - fed));
    return {
      ...dry.result(),
      candidates: candidates.length,
      fullScan,
      ...(fullScan ? { note: FULL_SCAN_NOTE } : {}),
      from: fromDate.toISOString(),
      to: toDate.toISOString(),
      ms: Date.now() - started,
    };
  }
}
