import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppError, notFound } from '../common/app-error';
import { CrawlJob, jobIds, QueueName } from '../queues/queue-names';
import { Source, SOURCE_KINDS, SourceKind } from './source.entity';

export interface SourceInput {
  code: string;
  name: string;
  kind: SourceKind;
  url: string;
  config?: Record<string, unknown>;
  intervalSeconds: number;
  defaultAreaId?: number | null;
  enabled?: boolean;
}

/** Checks a source before it is saved; the error names the field. */
export function validateSourceInput(input: SourceInput): void {
  const fail = (field: string, message: string) => {
    throw new AppError('invalid_request', `Source ${input.code}: ${field} ${message}`, { field });
  };
  if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(input.code ?? '')) fail('code', 'must be 2-64 of a-z 0-9 -');
  if (!SOURCE_KINDS.includes(input.kind)) fail('kind', `must be one of ${SOURCE_KINDS.join(', ')}`);
  let url: URL | undefined;
  try {
    url = new URL(input.url);
  } catch {
    fail('url', 'must be an absolute URL');
  }
  if (url && !['http:', 'https:'].includes(url.protocol)) fail('url', 'must be http or https');
  if (!Number.isInteger(input.intervalSeconds) || input.intervalSeconds < 10 || input.intervalSeconds > 86_400) {
    fail('intervalSeconds', 'must be an integer from 10 to 86400');
  }
  if (input.kind === 'html') {
    const config = (input.config ?? {}) as { list?: Record<string, unknown>; detail?: Record<string, unknown> };
    for (const [field, value] of [
      ['config.list.item', config.list?.item],
      ['config.list.link', config.list?.link],
      ['config.detail.body', config.detail?.body],
    ] as const) {
      if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a CSS selector');
    }
  }
}

@Injectable()
export class SourcesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SourcesService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Crawl) private readonly crawlQueue: Queue<CrawlJob>,
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

  /** Creates or updates a source by code and (re)schedules its crawls. */
  async upsert(input: SourceInput): Promise<Source> {
    validateSourceInput(input);
    const repo = this.db.getRepository(Source);
    const existing = await repo.findOneBy({ code: input.code });
    const saved = await repo.save({
      ...(existing ?? {}),
      code: input.code,
      name: input.name,
      kind: input.kind,
      url: input.url,
      config: input.config ?? {},
      intervalSeconds: input.intervalSeconds,
      defaultAreaId: input.defaultAreaId ?? null,
      enabled: input.enabled ?? true,
    });
    await this.schedule(saved);
    return saved;
  }

  /**
   * One BullMQ job scheduler per source: however many instances call this, each interval produces
   * exactly one crawl job (the scheduler lives in Redis, keyed by the source).
   */
  async schedule(source: Source): Promise<void> {
    const schedulerId = jobIds.crawlScheduler(source.id);
    if (!source.enabled) {
      await this.crawlQueue.removeJobScheduler(schedulerId);
      return;
    }
    await this.crawlQueue.upsertJobScheduler(
      schedulerId,
      { every: source.intervalSeconds * 1000 },
      { name: 'crawl', data: { sourceId: source.id }, opts: { attempts: 1 } },
    );
  }

  /** Brings the schedulers in Redis in line with the sources in Postgres (run at start-up). */
  async syncSchedules(): Promise<void> {
    const sources = await this.list();
    for (const source of sources) await this.schedule(source);
    const known = new Set(sources.filter((s) => s.enabled).map((s) => jobIds.crawlScheduler(s.id)));
    for (const scheduler of await this.crawlQueue.getJobSchedulers()) {
      if (scheduler.key && !known.has(scheduler.key)) await this.crawlQueue.removeJobScheduler(scheduler.key);
    }
    this.logger.log({ sources: known.size }, 'crawl schedules in place');
  }

  /** "Crawl now": one extra crawl, de-duplicated within ten seconds. */
  async crawlNow(id: number): Promise<{ jobId: string }> {
    const source = await this.get(id);
    const jobId = jobIds.crawlNow(source.id, new Date());
    await this.crawlQueue.add('crawl', { sourceId: source.id }, { jobId, attempts: 1 });
    return { jobId };
  }

  async recordSuccess(id: number, found: number): Promise<void> {
    await this.db.getRepository(Source).update(id, { lastRunAt: new Date(), lastSuccessAt: new Date(), lastError: null, consecutiveFailures: 0, lastFoundCount: found });
  }

  async recordFailure(id: number, reason: string): Promise<void> {
    await this.db
      .getRepository(Source)
      .createQueryBuilder()
      .update()
      .set({ lastRunAt: () => 'now()', lastError: reason.slice(0, 500), consecutiveFailures: () => 'consecutive_failures + 1' })
      .where('id = :id', { id })
      .execute();
  }
}
