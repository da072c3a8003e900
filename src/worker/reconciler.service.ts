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
import { SourcesService } from '../sources/sources.service';

const BATCH = 1000;

/**
 * Posts are the source of truth: every interval, posts without an analysis of their current content
 * and new cases without an assignee are enqueued again. Job ids are deterministic and handlers check
 * whether the work is done, so this only ever fills gaps (e.g. after Redis lost its data).
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
  async tick(): Promise<{ posts: number; cases: number }> {
    if (this.running) return { posts: 0, cases: 0 };
    this.running = true;
    try {
      // Crawl schedules live in Redis: after Redis lost its data they are put back from Postgres.
      const [{ n: scheduled }] = await this.db.query(`SELECT count(*)::int AS n FROM sources WHERE enabled AND kind <> 'push'`);
      if ((await this.crawlQueue.getJobSchedulersCount()) < scheduled) await this.sources.syncSchedules();
      const grace = this.config.reconcile.graceSeconds;
      const posts = await this.posts.unanalysed(PIPELINE_VERSION, grace, BATCH);
      if (posts.length) {
        await this.analyzeQueue.addBulk(
          posts.map((p) => ({ name: 'analyze', data: { postId: p.id, contentHash: p.contentHash }, opts: { jobId: jobIds.analyze(p.id, p.contentHash) } })),
        );
      }
      const cases: { id: number }[] = await this.db.query(
        `SELECT id FROM cases WHERE status = 'new' AND assignee_id IS NULL AND opened_at < now() - make_interval(secs => $1) ORDER BY id LIMIT $2`,
        [grace, BATCH],
      );
      if (cases.length) {
        await this.routeQueue.addBulk(cases.map((c) => ({ name: 'route', data: { caseId: c.id }, opts: { jobId: jobIds.route(c.id) } })));
      }
      if (posts.length || cases.length) this.logger.log({ posts: posts.length, cases: cases.length }, 're-enqueued unfinished work');
      return { posts: posts.length, cases: cases.length };
    } catch (error) {
      this.logger.error({ err: error }, 'reconcile pass failed; the next one will try again');
      return { posts: 0, cases: 0 };
    } finally {
      this.running = false;
    }
  }
}
