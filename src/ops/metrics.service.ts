import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { QueueName } from '../queues/queue-names';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * Prometheus metrics, read fresh from Postgres and Redis at every scrape (so every API instance
 * reports the same figures and no process has to count anything itself).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Crawl) crawl: Queue,
    @InjectQueue(QueueName.Analyze) analyze: Queue,
    @InjectQueue(QueueName.Route) route: Queue,
  ) {
    const queues = [crawl, analyze, route];
    collectDefaultMetrics({ register: this.registry, prefix: 'tingfeng_' });
    new Gauge({
      name: 'tingfeng_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of queues) {
          const counts = await queue.getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    const database = this.db;
    new Gauge({
      name: 'tingfeng_cases',
      help: 'Cases per status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await database.query(`SELECT status, count(*)::int AS n FROM cases GROUP BY status`)) this.set({ status: row.status }, row.n);
      },
    });
    new Gauge({
      name: 'tingfeng_source_consecutive_failures',
      help: 'Consecutive failed crawls per source (0 when the last crawl succeeded)',
      labelNames: ['source'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await database.query(`SELECT code, consecutive_failures AS n FROM sources`)) this.set({ source: row.code }, row.n);
      },
    });
    new Gauge({
      name: 'tingfeng_posts_unanalysed',
      help: 'Posts whose current content has no analysis yet',
      registers: [this.registry],
      async collect() {
        const [row] = await database.query(
          `SELECT count(*)::int AS n FROM posts p WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash)`,
        );
        this.set(row.n);
      },
    });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
