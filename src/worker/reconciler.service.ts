import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { PIPELINE_VERSION } from '../analysis/analysis.service';
import { AppConfig } from '../config/app-config';
import { AnalyzeJob, CrawlJob, jobIds, QueueName, RouteJob } from '../queues/queue-names';
import { requeue, RequeueOutcome } from '../queues/requeue';
import { SourcesService } from '../sources/sources.service';

const BATCH = 1000;
/**
 * How far a mark stays behind "now minus the grace period": a transaction that began earlier (its
 * rows carry its start time) and has not committed yet may still store a post or an analysis there.
 */
const MARK_MARGIN_SECONDS = 600;
/** At least this often a pass checks everything from the beginning, whatever the marks say. */
const SWEEP_SECONDS = 86_400;

/** The post `p` has an analysis of its current content by this pipeline ($1). */
const ANALYSED = `EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash AND a.pipeline_version = $1)`;
/** The two marks: their column, when they were last set from the beginning, how often a sweep moved them back, their type, and the beginning. */
const MARKS = {
  analysed: { column: 'analysed_before', swept: 'analysed_swept_at', resets: 'analysed_resets', type: 'timestamptz', beginning: '-infinity' },
  correlated: { column: 'correlated_below', swept: 'correlated_swept_at', resets: 'correlated_resets', type: 'integer', beginning: '0' },
} as const;

/**
 * The analysis `a`, by this pipeline ($1) of its post's current content, should have put the post in
 * a case and no case holds it. Left out on purpose: posts without an area, suppressed ones, and
 * aggregate rules (they open a case only once enough posts came together). The current content is
 * checked by a lookup, not a join on (id, content_hash): the planner multiplies the two equalities'
 * selectivities, expects one row and then probes case_posts by a scan per row, which on a window
 * of many analyses with fired rules runs for minutes.
 */
const NEEDS_CASE = `a.pipeline_version = $1 AND a.area_id IS NOT NULL AND a.suppressed_by = '[]'::jsonb AND a.fired_rules <> '[]'::jsonb
  AND a.content_hash = (SELECT p.content_hash FROM posts p WHERE p.id = a.post_id)
  AND NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = a.post_id)
  AND EXISTS (SELECT 1 FROM jsonb_array_elements(a.fired_rules) f JOIN rules r ON r.id = (f->>'ruleId')::int WHERE NOT (r.definition ? 'aggregate'))`;

/**
 * Posts are the source of truth: every interval, posts without an analysis of their current content,
 * analyses that never reached a case and new cases without an assignee get their job again: added
 * when the queue lost it, retried when it ran out of tries, re-added when it completed without the
 * work being done, left alone while it waits or runs. Job ids are deterministic and handlers check
 * whether the work is done, so this only ever fills gaps (e.g. after Redis lost its data, or after
 * Postgres was away longer than the tries last).
 *
 * A pass does not read every post and analysis ever stored: `reconcile_marks` keeps, per pipeline
 * version, the point before which everything was found done (posts by fetch time, which moves when
 * the content changes; analyses by id), and a pass reads from there. A mark stops at the oldest
 * unfinished item and stays MARK_MARGIN_SECONDS behind the grace period (the analysis mark also
 * below an id-sequence sample that old); once a day one worker claims a pass from the beginning and
 * sets the marks to what it found.
 */
@Injectable()
export class ReconcilerService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ReconcilerService.name);
  private running = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Analyze) private readonly analyzeQueue: Queue<AnalyzeJob>,
    @InjectQueue(QueueName.Route) private readonly routeQueue: Queue<RouteJob>,
    @InjectQueue(QueueName.Crawl) private readonly crawlQueue: Queue<CrawlJob>,
    private readonly sources: SourcesService,
  ) {}

  onModuleInit(): void {
    const timer = setInterval(() => void this.tick(), this.config.reconcile.intervalSeconds * 1000);
    timer.unref();
    this.scheduler.addInterval('reconcile', timer);
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('interval', 'reconcile')) this.scheduler.deleteInterval('reconcile');
  }

  /** One pass; returns what it re-enqueued. Overlapping passes in one process are skipped. */
  async tick(): Promise<{ posts: number; cases: number; uncorrelated: number }> {
    const none = { posts: 0, cases: 0, uncorrelated: 0 };
    if (this.running) return none;
    this.running = true;
    try {
      // Crawl schedules live in Redis: after Redis lost its data they are put back from Postgres.
      const [{ n: scheduled }] = await this.db.query(`SELECT count(*)::int AS n FROM sources WHERE enabled AND kind <> 'push'`);
      if ((await this.crawlQueue.getJobSchedulersCount()) < scheduled) await this.sources.syncSchedules();
      const grace = this.config.reconcile.graceSeconds;
      // New posts wait in analyze-batch jobs (a crawl run's or a push's), not under their own job id:
      // while analyze jobs are still waiting, a post without analysis is most likely in one of them,
      // and adding its own job would only do the work twice. Posts are looked at once the queue drained.
      const backlog = await this.analyzeQueue.getJobCountByTypes('wait', 'paused', 'prioritized');
      const posts = backlog ? [] : await this.withTimeout((db) => this.unanalysed(db, grace));
      const uncorrelated = backlog ? [] : await this.withTimeout((db) => this.uncorrelated(db, grace));
      const analyze = await requeue(
        this.analyzeQueue,
        [...posts, ...uncorrelated].map((p) => ({ name: 'analyze', data: { postId: p.id, contentHash: p.contentHash }, opts: { jobId: jobIds.analyze(p.id, p.contentHash) } })),
      );
      const cases: { id: number }[] = await this.db.query(
        `SELECT id FROM cases WHERE status = 'new' AND assignee_id IS NULL AND opened_at < now() - make_interval(secs => $1) ORDER BY id LIMIT $2`,
        [grace, BATCH],
      );
      // A route job that completed with nobody to assign stands (the case waits for someone on duty).
      const route = await requeue(
        this.routeQueue,
        cases.map((c) => ({ name: 'route', data: { caseId: c.id }, opts: { jobId: jobIds.route(c.id) } })),
        (job) => job.returnvalue === 'no_candidate',
      );
      const moved = (o: RequeueOutcome) => o.added + o.retried + o.readded;
      if (moved(analyze) || moved(route)) {
        this.logger.log({ posts: posts.length, uncorrelated: uncorrelated.length, cases: cases.length, analyze, route }, 're-enqueued unfinished work');
      }
      return { posts: posts.length, cases: cases.length, uncorrelated: uncorrelated.length };
    } catch (error) {
      this.logger.error({ err: error }, 'reconcile pass failed; the next one will try again');
      return none;
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs one part of a pass in a transaction whose statements are cancelled after
   * `reconcile.statementTimeoutMs` (a bad plan or a held lock fails the pass; the next one tries again).
   * The part's claim of a daily sweep is undone with it.
   */
  private withTimeout<T>(part: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = ${Number(this.config.reconcile.statementTimeoutMs)}`);
      return part(tx);
    });
  }

  /**
   * Posts whose current content has no analysis of this pipeline version, older than the grace period,
   * read from the mark on; then the mark moves up to the oldest of them (or to the margin).
   */
  private async unanalysed(db: EntityManager, grace: number): Promise<{ id: number; contentHash: string }[]> {
    const { since, current, sweep } = await this.mark(db, 'analysed');
    const rows: { id: number; content_hash: string }[] = await db.query(
      `SELECT p.id, p.content_hash FROM posts p
        WHERE p.fetched_at >= $4::timestamptz AND p.fetched_at < now() - make_interval(secs => $2) AND NOT ${ANALYSED}
        ORDER BY p.id LIMIT $3`,
      [PIPELINE_VERSION, grace, BATCH, since],
    );
    const [{ mark }]: { mark: string }[] = await db.query(
      `SELECT coalesce(min(p.fetched_at), now() - make_interval(secs => $2))::text AS mark FROM posts p
        WHERE p.fetched_at >= $3::timestamptz AND p.fetched_at < now() - make_interval(secs => $2) AND NOT ${ANALYSED}`,
      [PIPELINE_VERSION, grace + MARK_MARGIN_SECONDS, since],
    );
    await this.moveMark(db, 'analysed', mark, { since, current, sweep });
    return rows.map((r) => ({ id: r.id, contentHash: r.content_hash }));
  }

  /**
   * Current analyses whose warning rules should have put the post in a case but no case holds it (a
   * crash or an outage between storing the analysis and correlating it), read from the mark on. Their
   * analyze job runs the correlation again (idempotent). The mark then moves up to the first of them,
   * or to the first analysis too young to judge, or past the last one, but never past an id handed out
   * less than grace + margin ago: ids are taken at insert, not commit, so an analysis whose transaction
   * is still open may have a smaller id than one already visible. `id_settled` is the sequence's value
   * sampled at least that long ago (sampled anew once the previous sample is old enough).
   */
  private async uncorrelated(db: EntityManager, grace: number): Promise<{ id: number; contentHash: string }[]> {
    const { since, current, sweep } = await this.mark(db, 'correlated');
    const rows: { id: number; content_hash: string }[] = await db.query(
      `SELECT a.post_id AS id, a.content_hash FROM analyses a
        WHERE a.id >= $4::integer AND a.analyzed_at < now() - make_interval(secs => $2) AND ${NEEDS_CASE}
        ORDER BY a.id LIMIT $3`,
      [PIPELINE_VERSION, grace, BATCH, since],
    );
    await db.query(
      `UPDATE reconcile_marks SET id_settled = id_sample, id_sample = coalesce(pg_sequence_last_value(pg_get_serial_sequence('analyses', 'id')::regclass), 0), id_sampled_at = now()
        WHERE pipeline_version = $1 AND id_sampled_at <= now() - make_interval(secs => $2)`,
      [PIPELINE_VERSION, grace + MARK_MARGIN_SECONDS],
    );
    const [{ mark }]: { mark: string }[] = await db.query(
      `SELECT least((SELECT min(a.id) FROM analyses a WHERE a.id >= $3::integer AND a.analyzed_at >= now() - make_interval(secs => $2)),
                    (SELECT a.id FROM analyses a WHERE a.id >= $3::integer AND ${NEEDS_CASE} ORDER BY a.id LIMIT 1),
                    (SELECT max(a.id) + 1 FROM analyses a WHERE a.id >= $3::integer),
                    (SELECT id_settled + 1 FROM reconcile_marks WHERE pipeline_version = $1))::text AS mark`,
      [PIPELINE_VERSION, grace + MARK_MARGIN_SECONDS, since],
    );
    await this.moveMark(db, 'correlated', mark, { since, current, sweep });
    return rows.map((r) => ({ id: r.id, contentHash: r.content_hash }));
  }

  /**
   * Where a pass starts (as text, so '-infinity' survives the round trip): the mark, or the beginning
   * for the one process that claims the daily sweep (in the part's transaction: a sweep that fails or
   * whose worker dies is rolled back with its claim, and the next pass claims it again).
   */
  private async mark(db: EntityManager, kind: keyof typeof MARKS): Promise<{ since: string; current: string; sweep: boolean }> {
    const { column, swept, beginning } = MARKS[kind];
    await db.query(`INSERT INTO reconcile_marks (pipeline_version) VALUES ($1) ON CONFLICT DO NOTHING`, [PIPELINE_VERSION]);
    const [claimed]: [unknown[], number] = await db.query(
      `UPDATE reconcile_marks SET ${swept} = now() WHERE pipeline_version = $1 AND ${swept} < now() - make_interval(secs => $2) RETURNING 1`,
      [PIPELINE_VERSION, SWEEP_SECONDS],
    );
    const [{ current }]: { current: string }[] = await db.query(`SELECT ${column}::text AS current FROM reconcile_marks WHERE pipeline_version = $1`, [PIPELINE_VERSION]);
    const sweep = claimed.length > 0;
    return { since: sweep ? beginning : current, current, sweep };
  }

  /**
   * Stores a mark worked out by a pass (computed apart, by a SELECT: Postgres runs no parallel plan
   * inside an UPDATE). A sweep sets the mark to what it found; a pass from the mark only raises it, and
   * not at all when a sweep moved it below where this pass started meanwhile (that sweep found
   * something there). A sweep that moves a mark back found work behind it, which should never happen:
   * said loudly and counted (tingfeng_reconcile_mark_resets_total), since the metrics read from the marks too.
   */
  private async moveMark(db: EntityManager, kind: keyof typeof MARKS, mark: string, pass: { since: string; current: string; sweep: boolean }): Promise<void> {
    const { column, resets, type } = MARKS[kind];
    const [rows]: [{ back: boolean }[], number] = await db.query(
      `UPDATE reconcile_marks m
          SET ${column} = CASE WHEN $2 THEN $3::${type} ELSE greatest(m.${column}, $3::${type}) END,
              ${resets} = m.${resets} + CASE WHEN $2 AND $3::${type} < $4::${type} THEN 1 ELSE 0 END
        WHERE m.pipeline_version = $1 AND ($2 OR m.${column} >= $5::${type})
        RETURNING $2 AND $3::${type} < $4::${type} AS back`,
      [PIPELINE_VERSION, pass.sweep, mark, pass.current, pass.since],
    );
    if (rows[0]?.back) this.logger.warn({ mark: column, from: pass.current, to: mark }, 'the daily pass found unfinished work behind a reconcile mark and moved the mark back');
  }
}
