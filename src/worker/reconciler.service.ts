import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { PIPELINE_VERSION } from '../analysis/analysis.service';
import { AppConfig } from '../config/app-config';
import { PostsService } from '../posts/posts.service';
import { AnalyzeJob, CrawlJob, jobIds, QueueName, RouteJob } from '../queues/queue-names';
import { requeue, RequeueOutcome } from '../queues/requeue';
import { SourcesService } from '../sources/sources.service';

const BATCH = 1000;

/**
 * Posts are the source of truth: every interval, posts without an analysis of their current content,
 * analyses that never reached a case and new cases without an assignee get their job again: added
 * when the queue lost it, retried when it ran out of tries, re-added when it completed without the
 * work being done, left alone while it waits or runs. Job ids are deterministic and handlers check
 * whether the work is done, so this only ever fills gaps (e.g. after Redis lost its data, or after
 * Postgres was away longer than the tries last).
 */
@Injectable()
export class ReconcilerService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ReconcilerService.name);
  private running = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly posts: PostsService,
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
      const posts = backlog ? [] : await this.posts.unanalysed(PIPELINE_VERSION, grace, BATCH);
      const uncorrelated = backlog ? [] : await this.uncorrelated(grace);
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
   * Current analyses whose warning rules should have put the post in a case but no case holds it (a
   * crash or an outage between storing the analysis and correlating it). Their analyze job runs the
   * correlation again (idempotent). Left out on purpose: posts without an area, suppressed ones, and
   * aggregate rules (they open a case only once enough posts came together).
   */
  private async uncorrelated(grace: number): Promise<{ id: number; contentHash: string }[]> {
    const rows: { id: number; content_hash: string }[] = await this.db.query(
      `SELECT p.id, p.content_hash FROM analyses a JOIN posts p ON p.id = a.post_id AND p.content_hash = a.content_hash
        WHERE a.pipeline_version = $1 AND a.area_id IS NOT NULL AND a.suppressed_by = '[]'::jsonb
          AND a.fired_rules <> '[]'::jsonb AND a.analyzed_at < now() - make_interval(secs => $2)
          AND NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = a.post_id)
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(a.fired_rules) f JOIN rules r ON r.id = (f->>'ruleId')::int
                       WHERE NOT (r.definition ? 'aggregate'))
        ORDER BY p.id LIMIT $3`,
      [PIPELINE_VERSION, grace, BATCH],
    );
    return rows.map((r) => ({ id: r.id, contentHash: r.content_hash }));
  }
}
