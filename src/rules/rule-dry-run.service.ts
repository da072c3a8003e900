import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { segmenter, wordStarts } from '../analysis/segmenter';
import { AreasService } from '../areas/areas.service';
import { AppError } from '../common/app-error';
import { DryRun, DryRunResult } from './dry-run';
import { DryRunNormalizer } from './dry-run-normalizer';
import { AreaResolver, derivePrefilter, deriveSure, hasPattern, Prefilter, prefilterSql, SureCondition, sureSql, sureUsesAnalysis, usesAnalysis } from './dry-run-prefilter';
import { compileRuleDefinition, RuleDefinitionError } from './rule-definition';
import { RULE_KINDS, RuleKind } from './rule.entity';

const BATCH = 5000;
const MAX_DAYS = 400;
const FULL_SCAN_NOTE =
  '该规则没有可用于预筛的条件（关键词、正则中的字面文字、类别、热度或地区），需要逐条检查时段内的全部帖子，帖子多时较慢；加上一个关键词（如 电梯 & /\\d+楼/）可大大加快试运行。';

const IN_PERIOD = `coalesce(p.published_at, p.fetched_at) >= $1 AND coalesce(p.published_at, p.fetched_at) < $2`;
const LATEST = `LEFT JOIN LATERAL (SELECT area_id, domain, dispute_type, heat_score FROM analyses WHERE post_id = p.id ORDER BY id DESC LIMIT 1) a ON true`;
/** Share of the posts table's pages (percent) sampled to choose which condition the scan checks first. */
const SAMPLE_PERCENT = 0.2;
/** Sure posts counted by area (in the scan below) above which their areas are joined rather than looked up one by one. */
const SURE_AREA_LOOKUP = 200_000;
/**
 * The posts that surely match (the scan's `c` with k = 1) with the area of their latest analysis (LATEST's row), when
 * the scan did not join the analyses: looked up post by post when there are few, joined with every post's latest
 * analysis (one pass over analyses: about 40 % less time than half a million lookups) when there are many. Postgres cannot
 * estimate how many posts a rule lets through, so both plans are written and the count of sure posts (`n`, computed
 * once before either runs) switches one off.
 */
const sureAreas = (lookupBelow: number) => `SELECT c.id, c.at, a.area_id FROM c LEFT JOIN LATERAL (SELECT area_id FROM analyses WHERE post_id = c.id ORDER BY id DESC LIMIT 1) a ON true
          WHERE c.k = 1 AND (SELECT n.sure FROM n) < ${lookupBelow}
        UNION ALL
        SELECT c.id, c.at, a.area_id FROM c LEFT JOIN (SELECT DISTINCT ON (post_id) post_id, area_id FROM analyses ORDER BY post_id, id DESC) a ON a.post_id = c.id
          WHERE c.k = 1 AND (SELECT n.sure FROM n) >= ${lookupBelow}`;
/** The same row as LATEST (the analysis with the highest id), as a join Postgres can hash over the whole period. */
const LATEST_JOIN = `LEFT JOIN analyses a ON a.post_id = p.id AND NOT EXISTS (SELECT 1 FROM analyses a2 WHERE a2.post_id = a.post_id AND a2.id > a.id)`;
const VERDICT = `(SELECT CASE WHEN bool_or(c.status = 'settled') THEN 'confirmed' WHEN bool_or(c.status = 'dismissed') THEN 'dismissed' END
                    FROM case_posts cp JOIN cases c ON c.id = cp.case_id WHERE cp.post_id = p.id)`;
const VERDICTS = `SELECT cp.post_id, CASE WHEN bool_or(c.status = 'settled') THEN 'confirmed' WHEN bool_or(c.status = 'dismissed') THEN 'dismissed' END AS verdict
                    FROM case_posts cp JOIN cases c ON c.id = cp.case_id GROUP BY cp.post_id`;

interface Candidate {
  id: number;
  at: Date;
  area_id: number | null;
  domain: string | null;
  dispute_type: string | null;
  heat_score: number | null;
  verdict: 'confirmed' | 'dismissed' | null;
  title: string;
  body: string;
}

/** A row of the scan: 0 a candidate to evaluate, 1 one of the first posts that surely match, 2 sure posts of one area, 3 the posts of the period. */
interface ScanRow {
  k: 0 | 1 | 2 | 3;
  id: number | null;
  area_id: number | null;
  n: number | null;
  first_at: Date | null;
  last_at: Date | null;
  confirmed: number | null;
  dismissed: number | null;
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

  /** Area ids or codes → the areas whose chain holds them (what `area:` compares the post's area path with). */
  private async areaResolver(): Promise<AreaResolver> {
    const index = new Map<string, number[]>();
    for (const area of await this.areas.list()) {
      for (const above of await this.areas.chain(area.id)) {
        for (const key of new Set([String(above.id), above.code])) {
          const ids = index.get(key) ?? [];
          ids.push(area.id);
          index.set(key, ids);
        }
      }
    }
    return (value) => index.get(value) ?? [];
  }

  onModuleDestroy(): Promise<void> {
    return this.normalizer.close();
  }

  /**
   * Whether, in a sample of the period's posts (SAMPLE_PERCENT of the table's pages), the necessary and the sufficient
   * condition together hold for more posts than there are: then checking the sufficient one first costs fewer regexes.
   */
  private async mostlySure(prefilter: Prefilter, sureCondition: SureCondition, from: Date, to: Date): Promise<boolean> {
    const params: unknown[] = [from, to];
    const necessary = prefilterSql(prefilter, params);
    const sure = sureSql(sureCondition, params);
    if (necessary === null || sure === null) return false;
    const [r]: { n: number; necessary: number; sure: number }[] = await this.db.query(
      `SELECT count(*)::int AS n, (count(*) FILTER (WHERE ${necessary}))::int AS necessary, (count(*) FILTER (WHERE ${sure}))::int AS sure
         FROM posts AS p TABLESAMPLE SYSTEM (${SAMPLE_PERCENT}) REPEATABLE (0) WHERE ${IN_PERIOD}`,
      params,
    );
    return r.n >= 100 && r.necessary + r.sure > r.n;
  }

  /** `options.prefilter: false` evaluates every post of the period (tests compare both ways); `batchSize`, `sureAreaLookup` and `sureFirst` for tests. */
  async run(body: unknown, options: { prefilter?: boolean; batchSize?: number; sureAreaLookup?: number; sureFirst?: boolean } = {}): Promise<DryRunResult & { candidates: number; evaluated: number; decidedInSql: number; fullScan: boolean; note?: string; from: string; to: string; ms: number }> {
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
    const areas = options.prefilter === false ? undefined : await this.areaResolver();
    const prefilter = derivePrefilter(expr, areas);
    const sureCondition = deriveSure(expr, areas);
    const params: unknown[] = [fromDate, toDate, size];
    const condition = options.prefilter === false ? null : prefilterSql(prefilter, params);
    const sure = options.prefilter === false ? null : sureSql(sureCondition, params);
    const fullScan = condition === null;
    // One scan of the period in Postgres (parallel workers, texts never leave them) classifies each post once: k = 0
    // when the necessary condition holds (a candidate), 1 when the sufficient one holds too (it implies the necessary
    // one, both being sound), null otherwise. The sufficient condition is checked on candidates only, unless both run
    // Postgres regexes and a sample of the period says most posts surely match: then it goes first, and a post it
    // decides costs one regex, not two (the class is the same either way). Posts that surely match are counted there
    // by area (with their verdicts) and only the first of them (the sample of hits needs evidence) are loaded; the
    // other candidates are loaded, normalised and evaluated in Node in id order, one batch loading while the previous
    // one is evaluated. Every post of the period passes through the scan, so it also counts them (`scanned`).
    const scanJoin = (condition && usesAnalysis(prefilter)) || (sure && sureUsesAnalysis(sureCondition));
    const sureChecksFirst =
      sure !== null && condition !== null && !scanJoin && hasPattern(prefilter) && (options.sureFirst ?? (await this.mostlySure(prefilter, sureCondition, fromDate, toDate)));
    const isSure = sure === null ? '0' : `CASE WHEN ${sure} THEN 1 ELSE 0 END`;
    const classify = condition === null ? isSure : sureChecksFirst ? `CASE WHEN ${sure} THEN 1 WHEN ${condition} THEN 0 END` : `CASE WHEN ${condition} THEN ${isSure} END`;
    // The area of a post that surely matches: from the scan's join when it has one, else sureAreas.
    const scan = `WITH s AS MATERIALIZED (
        SELECT p.id, coalesce(p.published_at, p.fetched_at) AS at, ${scanJoin ? 'a.area_id' : 'NULL::int AS area_id'}, ${classify} AS k
          FROM posts p ${scanJoin ? LATEST_JOIN : ''} WHERE ${IN_PERIOD}),
      c AS MATERIALIZED (SELECT * FROM s WHERE s.k IS NOT NULL),
      n AS MATERIALIZED (SELECT count(*) AS sure FROM c WHERE c.k = 1),
      v AS (${VERDICTS})
      SELECT 0 AS k, c.id, NULL::int AS area_id, NULL::int AS n, NULL::timestamptz AS first_at, NULL::timestamptz AS last_at, NULL::int AS confirmed, NULL::int AS dismissed
        FROM c WHERE c.k = 0
      UNION ALL (SELECT 1, c.id, NULL, NULL, NULL, NULL, NULL, NULL FROM c WHERE c.k = 1 ORDER BY c.id LIMIT $3)
      UNION ALL SELECT 2, NULL, sa.area_id, count(*)::int, min(sa.at), max(sa.at), (count(*) FILTER (WHERE v.verdict = 'confirmed'))::int,
                       (count(*) FILTER (WHERE v.verdict = 'dismissed'))::int
        FROM (${scanJoin ? 'SELECT c.id, c.at, c.area_id FROM c WHERE c.k = 1' : sureAreas(Math.trunc(options.sureAreaLookup ?? SURE_AREA_LOOKUP))}) sa LEFT JOIN v ON v.post_id = sa.id GROUP BY 3
      UNION ALL SELECT 3, NULL, NULL, count(*)::int, NULL, NULL, NULL, NULL FROM s`;
    const rows: ScanRow[] = await this.db.query(scan, params);
    const unsure: number[] = [];
    const sureFirst: number[] = [];
    let sureCount = 0;
    let scanned = 0;
    for (const r of rows) {
      if (r.k === 0) unsure.push(r.id!);
      else if (r.k === 1) sureFirst.push(r.id!);
      else if (r.k === 3) scanned = r.n!;
      else {
        sureCount += r.n!;
        dry.addSure({ areaId: r.area_id, posts: r.n!, firstAt: new Date(r.first_at!), lastAt: new Date(r.last_at!), confirmed: r.confirmed!, dismissed: r.dismissed! });
      }
    }
    unsure.sort((a, b) => a - b);
    const sureIds = new Set(sureFirst);
    // Sure posts after the last candidate to evaluate only matter for the sample: at most `size` of them.
    const candidates = [...unsure, ...sureFirst].sort((a, b) => a - b);
    const paths = new Map<number, string[]>();
    const load = async (batch: number[]): Promise<Candidate[]> => {
      const rows: Candidate[] = await this.db.query(
        `SELECT p.id, coalesce(p.published_at, p.fetched_at) AS at, a.area_id, a.domain, a.dispute_type, a.heat_score, ${VERDICT} AS verdict, p.title, p.body
           FROM unnest($1::int[]) AS b(id) JOIN posts p ON p.id = b.id ${LATEST} ORDER BY p.id`,
        [batch],
      );
      const texts = await this.normalizer.normalize(rows.flatMap((r) => [r.title ?? '', r.body ?? '']));
      rows.forEach((r, i) => ((r.title = texts[2 * i]), (r.body = texts[2 * i + 1])));
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
        const areaPath = r.area_id === null ? [] : paths.get(r.area_id);
        const post = { postId: r.id, at: new Date(r.at), areaId: r.area_id, verdict: r.verdict, title: r.title, body: r.body, areaPath, domain: r.domain, disputeType: r.dispute_type, heat: r.heat_score ?? 0 };
        if (sureIds.has(r.id)) dry.addSample(post);
        else {
          dry.add([post]);
          fed++;
        }
      }
    }
    fed += sureCount;
    dry.addUnmatched(Math.max(0, scanned - fed));
    return {
      ...dry.result(),
      candidates: unsure.length + sureCount,
      evaluated: unsure.length,
      decidedInSql: sureCount,
      fullScan,
      ...(fullScan ? { note: FULL_SCAN_NOTE } : {}),
      from: fromDate.toISOString(),
      to: toDate.toISOString(),
      ms: Date.now() - started,
    };
  }
}
