import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { CrawlJob, jobIds, QueueName } from '../queues/queue-names';
import { CrawlRun, CrawlRunStatus } from './crawl-run.entity';
import { SourceInput, validateSourceInput } from './source-validation';
import { Source, SourceStatus } from './source.entity';

export { validateSourceInput } from './source-validation';
export type { SourceInput } from './source-validation';

/** Time zone of cron patterns and active hours. */
export const SCHEDULE_TZ = 'Asia/Shanghai';

/** What one run changed on its source; written together with the crawl-run log entry. */
export interface RunOutcome {
  status: Exclude<CrawlRunStatus, 'running'>;
  found: number;
  stored: number;
  pages: number;
  requests: number;
  retries: number;
  latencyMs: number;
  errorCode?: string;
  error?: string;
  /** Validators of the list page / feed to send next time (only after a complete run). */
  validators?: { etag?: string; lastModified?: string };
  circuit: { state: Source['circuitState']; consecutiveFailures: number; openUntil: Date | null };
}

const RUN_STATUS_TO_SOURCE: Record<RunOutcome['status'], SourceStatus> = {
  ok: 'ok',
  not_modified: 'ok',
  push: 'ok',
  empty_feed: 'retry_later',
  failed: 'failing',
  broken: 'broken',
};

export function hashPushToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class SourcesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SourcesService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Crawl) private readonly crawlQueue: Queue<CrawlJob>,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.syncSchedules();
  }

  list(): Promise<Source[]> {
    return this.db.getRepository(Source).find({ order: { id: 'ASC' } });
  }

  async get(id: number): Promise<Source> {
    const source = await this.db.getRepository(Source).findOneBy({ id });
    if (!source) throw notFound('Source', id);
    return source;
  }

  async getByCode(code: string): Promise<Source> {
    const source = await this.db.getRepository(Source).findOneBy({ code });
    if (!source) throw notFound('Source', code);
    return source;
  }

  /** Creates or updates a source by code and (re)schedules its crawls (seed and YAML import). */
  async upsert(input: SourceInput): Promise<Source> {
    validateSourceInput(input);
    const repo = this.db.getRepository(Source);
    const existing = await repo.findOneBy({ code: input.code });
    return this.save({ ...(existing ?? {}), ...this.columns(input) }, existing);
  }

  /** Creates a source; a code already in use is a conflict. */
  async create(input: SourceInput): Promise<Source> {
    validateSourceInput(input);
    if (await this.db.getRepository(Source).existsBy({ code: input.code })) {
      throw new AppError('conflict', `Source ${input.code} already exists`, { field: 'code' });
    }
    return this.save(this.columns(input), null);
  }

  /** Changes some fields; the merged source is validated as a whole. */
  async update(id: number, patch: Partial<SourceInput>): Promise<Source> {
    validateSourceInput(patch, { partial: true });
    const existing = await this.get(id);
    if (patch.code !== undefined && patch.code !== existing.code) throw new AppError('invalid_request', 'Source code cannot be changed', { field: 'code' });
    const merged: SourceInput = {
      code: existing.code,
      name: patch.name ?? existing.name,
      kind: patch.kind ?? existing.kind,
      url: patch.url ?? (existing.url || undefined),
      config: patch.config ?? existing.config,
      intervalSeconds: patch.intervalSeconds ?? existing.intervalSeconds,
      cron: patch.cron !== undefined ? patch.cron : existing.cron,
      jitterSeconds: patch.jitterSeconds ?? existing.jitterSeconds,
      activeHours: patch.activeHours !== undefined ? patch.activeHours : existing.activeHours,
      defaultAreaId: patch.defaultAreaId !== undefined ? patch.defaultAreaId : existing.defaultAreaId,
      enabled: patch.enabled ?? existing.enabled,
    };
    validateSourceInput(merged);
    // A different URL, kind or config reads the page differently: the old validators (a 304) must not hide it.
    const changedWhat = merged.url !== existing.url || merged.kind !== existing.kind || JSON.stringify(merged.config) !== JSON.stringify(existing.config);
    return this.save({ ...existing, ...this.columns(merged), ...(changedWhat ? { etag: null, lastModified: null } : {}) }, existing);
  }

  /** Deletes a source with its posts (cascade) and its schedule. */
  async remove(id: number): Promise<void> {
    const source = await this.get(id);
    await this.crawlQueue.removeJobScheduler(jobIds.crawlScheduler(source.id));
    await this.db.getRepository(Source).delete(source.id);
  }

  private columns(input: SourceInput): Partial<Source> {
    return {
      code: input.code,
      name: input.name,
      kind: input.kind,
      url: input.url ?? '',
      config: input.config ?? {},
      intervalSeconds: input.intervalSeconds ?? this.config.crawl.defaultIntervalSeconds,
      cron: input.cron ?? null,
      jitterSeconds: input.jitterSeconds ?? 0,
      activeHours: input.activeHours ?? null,
      defaultAreaId: input.defaultAreaId ?? null,
      enabled: input.enabled ?? true,
    };
  }

  private async save(values: Partial<Source>, existing: Source | null): Promise<Source> {
    const repo = this.db.getRepository(Source);
    const saved = await repo.save({ ...(existing ?? {}), ...values });
    await this.schedule(saved);
    return this.get(saved.id);
  }

  /**
   * One BullMQ job scheduler per source: however many instances call this, each interval (or cron tick) produces
   * exactly one crawl job (the scheduler lives in Redis, keyed by the source). Push sources are not crawled.
   */
  async schedule(source: Source): Promise<void> {
    const schedulerId = jobIds.crawlScheduler(source.id);
    if (!source.enabled || source.kind === 'push') {
      await this.crawlQueue.removeJobScheduler(schedulerId);
      return;
    }
    await this.crawlQueue.upsertJobScheduler(
      schedulerId,
      source.cron ? { pattern: source.cron, tz: SCHEDULE_TZ } : { every: source.intervalSeconds * 1000 },
      { name: 'crawl', data: { sourceId: source.id }, opts: { attempts: 1 } },
    );
  }

  /** Brings the schedulers in Redis in line with the sources in Postgres (run at start-up). */
  async syncSchedules(): Promise<void> {
    const sources = await this.list();
    for (const source of sources) await this.schedule(source);
    const known = new Set(sources.filter((s) => s.enabled && s.kind !== 'push').map((s) => jobIds.crawlScheduler(s.id)));
    for (const scheduler of await this.crawlQueue.getJobSchedulers()) {
      if (scheduler.key && !known.has(scheduler.key)) await this.crawlQueue.removeJobScheduler(scheduler.key);
    }
    this.logger.log({ sources: known.size }, 'crawl schedules in place');
  }

  /** "Crawl now": one extra crawl, de-duplicated within ten seconds. */
  async crawlNow(id: number): Promise<{ jobId: string }> {
    const source = await this.get(id);
    if (source.kind === 'push') throw new AppError('invalid_request', `Source ${source.code} receives pushed posts and is not crawled`, { field: 'kind' });
    const jobId = jobIds.crawlNow(source.id, new Date());
    await this.crawlQueue.add('crawl', { sourceId: source.id }, { jobId, attempts: 1 });
    return { jobId };
  }

  /** One crawl later (an empty feed: "try again later"); de-duplicated per source and delay bucket. */
  async crawlLater(id: number, delaySeconds: number): Promise<void> {
    const at = Date.now() + delaySeconds * 1000;
    const jobId = `crawl-retry-${id}-${Math.floor(at / 10_000)}`;
    await this.crawlQueue.add('crawl', { sourceId: id }, { jobId, attempts: 1, delay: delaySeconds * 1000 });
  }

  /** A scheduled crawl moved later by the source's jitter (a delayed job, so no worker waits for it). */
  async crawlJittered(id: number, delayMs: number): Promise<void> {
    const jobId = `crawl-jitter-${id}-${Math.floor((Date.now() + delayMs) / 1000)}`;
    await this.crawlQueue.add('crawl', { sourceId: id, jittered: true }, { jobId, attempts: 1, delay: delayMs });
  }

  /** The circuit moved to half open (the cool-down is over and a trial run starts). */
  async markHalfOpen(id: number): Promise<void> {
    await this.db.getRepository(Source).update(id, { circuitState: 'half_open' });
  }

  async startRun(sourceId: number): Promise<CrawlRun> {
    return this.db.getRepository(CrawlRun).save({ sourceId, status: 'running' as const, startedAt: new Date() });
  }

  /** Finishes the run log entry and updates the source's state, circuit and validators in one transaction. */
  async finishRun(run: CrawlRun, outcome: RunOutcome): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.getRepository(CrawlRun).update(run.id, {
        finishedAt: new Date(),
        status: outcome.status,
        found: outcome.found,
        stored: outcome.stored,
        pages: outcome.pages,
        requests: outcome.requests,
        retries: outcome.retries,
        errorCode: outcome.errorCode ?? null,
        error: outcome.error?.slice(0, 1000) ?? null,
        latencyMs: outcome.latencyMs,
      });
      const success = !['failed', 'broken'].includes(outcome.status);
      await tx.query(
        `UPDATE sources SET
           last_run_at = now(),
           last_success_at = CASE WHEN $2 THEN now() ELSE last_success_at END,
           status = $3,
           last_error = $4,
           last_error_code = $5,
           last_found_count = $6,
           last_stored_count = $7,
           avg_latency_ms = CASE WHEN avg_latency_ms IS NULL THEN $8 ELSE round(avg_latency_ms * 0.7 + $8 * 0.3) END,
           consecutive_failures = $9,
           circuit_state = $10,
           circuit_open_until = $11,
           etag = CASE WHEN $12 THEN $13 ELSE etag END,
           last_modified = CASE WHEN $12 THEN $14 ELSE last_modified END,
           updated_at = now()
         WHERE id = $1`,
        [
          run.sourceId,
          success,
          RUN_STATUS_TO_SOURCE[outcome.status],
          outcome.status === 'empty_feed' ? 'the feed was empty: tried again later' : (outcome.error?.slice(0, 500) ?? null),
          outcome.errorCode ?? (outcome.status === 'empty_feed' ? 'empty_feed' : null),
          outcome.found,
          outcome.stored,
          outcome.latencyMs,
          outcome.circuit.consecutiveFailures,
          outcome.circuit.state,
          outcome.circuit.openUntil,
          outcome.validators !== undefined,
          outcome.validators?.etag ?? null,
          outcome.validators?.lastModified ?? null,
        ],
      );
    });
  }

  /** The crawl-run log of a source, newest first. */
  async runs(sourceId: number, page: number, pageSize: number): Promise<{ items: CrawlRun[]; total: number; page: number; pageSize: number }> {
    await this.get(sourceId);
    const [items, total] = await this.db.getRepository(CrawlRun).findAndCount({
      where: { sourceId },
      order: { startedAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, total, page, pageSize };
  }

  /** A new push token for the source (shown once); only its hash is stored. */
  async rotatePushToken(id: number): Promise<{ token: string }> {
    const source = await this.get(id);
    if (source.kind !== 'push') throw new AppError('invalid_request', `Source ${source.code} is not a push source`, { field: 'kind' });
    const token = `tfp_${randomBytes(24).toString('base64url')}`;
    await this.db.getRepository(Source).update(id, { pushTokenHash: hashPushToken(token) });
    return { token };
  }

  /** The push source the token belongs to; any mismatch is the same 401. */
  async authenticatePush(code: string, token: string | undefined): Promise<Source> {
    const row = await this.db
      .getRepository(Source)
      .createQueryBuilder('s')
      .addSelect('s.pushTokenHash')
      .where('s.code = :code', { code })
      .getOne();
    const expected = row?.pushTokenHash ? Buffer.from(row.pushTokenHash, 'hex') : undefined;
    const given = token ? Buffer.from(hashPushToken(token), 'hex') : undefined;
    if (!row || row.kind !== 'push' || !row.enabled || !expected || !given || !timingSafeEqual(expected, given)) {
      throw new AppError('unauthenticated', 'Invalid or missing push token');
    }
    return row;
  }
}
