import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { PostsService } from '../posts/posts.service';
import { ANALYZE_BATCH_SIZE, AnalyzeBatchJob, AnalyzeJob, AnalyzeJobName, jobIds, QueueName } from '../queues/queue-names';
import { redisOptions } from '../queues/redis-options';
import type { CrawlRunStatus } from '../sources/crawl-run.entity';
import { withinActiveHours } from '../sources/schedule';
import { Source } from '../sources/source.entity';
import { RunOutcome, SCHEDULE_TZ, SourcesService } from '../sources/sources.service';
import { circuitAfterRun, circuitAllows, circuitOutcome } from './circuit-breaker';
import { CrawlFetcher, FetchStats } from './crawl-fetcher';
import type { CrawledItem, ListEntry } from './crawl.types';
import { FetchError, FetchResult } from './http-fetcher';
import { parseJsonItems, JsonSourceConfig } from './parsers/json.parser';
import { ParseError } from './parsers/parse-error';
import { parseFeed } from './parsers/rss.parser';
import { AppError } from '../common/app-error';
import { validateSourceInput } from '../sources/source-validation';
import type { SourceKind } from '../sources/source.entity';
import { previewDocument, PreviewResult, toPreviewItem } from './preview';
import { listingAdapter, ListingAdapter } from './source-kinds';

export interface CrawlReport {
  sourceId: number;
  /** What the run ended with, or why no run happened. */
  status: Exclude<CrawlRunStatus, 'running' | 'push'> | 'skipped';
  /** jittered: a scheduled crawl was moved to a delayed job by the source's jitter. */
  skipped?: 'circuit_open' | 'locked' | 'inactive_hours' | 'disabled' | 'push_source' | 'jittered';
  /** Posts the source listed this time (list entries or feed items). */
  found: number;
  /** Of those, posts that were new or changed and went to analysis. */
  stored: number;
  /** RSS: an empty channel means "try again later", not "no news". */
  emptyFeed?: boolean;
  error?: string;
}

interface Collected {
  items: CrawledItem[];
  found: number;
  pages: number;
  notModified?: boolean;
  emptyFeed?: boolean;
  validators?: { etag?: string; lastModified?: string };
  /** The run stopped on this error after collecting `items` (they are stored anyway). */
  failure?: unknown;
}

/** Releases the per-source lock only when it is still ours. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * One crawl of one source: circuit and lock checks, fetch (politely, with retries), parse, store idempotently,
 * enqueue analysis of new and edited posts, and record the run and the source's state.
 */
@Injectable()
export class CrawlService implements OnModuleDestroy {
  private readonly logger = new Logger(CrawlService.name);
  private readonly redis: Redis;
  private readonly fetcher: CrawlFetcher;
  private readonly keyPrefix: string;

  constructor(
    private readonly config: AppConfig,
    private readonly sources: SourcesService,
    private readonly posts: PostsService,
    @InjectQueue(QueueName.Analyze) private readonly analyzeQueue: Queue<AnalyzeJob | AnalyzeBatchJob>,
  ) {
    this.keyPrefix = `${config.queue.prefix}:crawl`;
    this.redis = new Redis({ ...redisOptions(config.redisUrl), maxRetriesPerRequest: 3, lazyConnect: false });
    this.fetcher = new CrawlFetcher(config.crawl, this.redis, this.keyPrefix);
  }

  async onModuleDestroy(): Promise<void> {
    await this.fetcher.close();
    this.redis.disconnect();
  }

  /**
   * Tries a source config on a live URL without saving anything: the list page (or feed / JSON) and up to three
   * detail pages, fetched like a crawl (address guard, robots.txt, spacing). Problems are 400s naming the field.
   */
  async preview(input: { kind: string; url: string; config?: Record<string, unknown> }): Promise<PreviewResult & { url: string }> {
    validateSourceInput({ code: 'preview', name: 'preview', kind: input.kind as SourceKind, url: input.url, config: input.config });
    if (input.kind === 'push') throw new AppError('invalid_request', 'push sources have nothing to preview', { field: 'kind' });
    const stats: FetchStats = { requests: 0, retries: 0 };
    try {
      const page = await this.fetch(input.url, stats);
      const result = previewDocument(input.kind, page.body, page.url, input.config ?? {});
      if ((input.kind === 'html' || input.kind === 'discuz') && result.page === 'list') {
        const adapter = listingAdapter(input.kind, input.config ?? {});
        for (const item of result.items.slice(0, 3)) {
          const detail = adapter.parseDetail((await this.fetch(item.url, stats)).body, item.url);
          Object.assign(item, toPreviewItem({ ...detail, externalId: item.externalId, url: item.url, replies: item.replies ?? detail.replies, views: item.views ?? detail.views }));
        }
      }
      return { url: page.url, ...result };
    } catch (error) {
      if (error instanceof ParseError) throw new AppError('invalid_request', error.message, { field: fieldOfParseError(error), reason: error.code });
      if (error instanceof FetchError) throw new AppError('invalid_request', `could not fetch: ${error.message}`, { field: 'url', reason: describeError(error).code });
      throw error;
    }
  }

  /**
   * `scheduled`: fired by the source's schedule (active hours apply; a jitter moves it to a delayed job unless
   * `jittered` says that already happened). Without it ("crawl now", an empty-feed retry) both are ignored.
   */
  async crawl(sourceId: number, opts: { scheduled?: boolean; jittered?: boolean } = {}): Promise<CrawlReport> {
    let source = await this.sources.get(sourceId);
    const skip = (skipped: CrawlReport['skipped']): CrawlReport => ({ sourceId, status: 'skipped', skipped, found: 0, stored: 0 });
    if (source.kind === 'push') return skip('push_source');
    if (opts.scheduled && !source.enabled) return skip('disabled');
    if (opts.scheduled && !withinActiveHours(source.activeHours, new Date(), SCHEDULE_TZ)) return skip('inactive_hours');
    if (opts.scheduled && !opts.jittered && source.jitterSeconds > 0) {
      await this.sources.crawlJittered(source.id, Math.round(Math.random() * source.jitterSeconds * 1000));
      return skip('jittered');
    }

    const gate = circuitAllows({ state: source.circuitState, consecutiveFailures: source.consecutiveFailures, openUntil: source.circuitOpenUntil }, new Date());
    if (!gate.allowed) return skip('circuit_open');

    const lockKey = `${this.keyPrefix}:lock:source-${source.id}`;
    const token = randomBytes(8).toString('hex');
    const locked = await this.redis.set(lockKey, token, 'PX', this.config.crawl.lockTtlSeconds * 1000, 'NX');
    if (!locked) return skip('locked');
    try {
      source = await this.sources.get(sourceId);
      if (gate.state === 'half_open') await this.sources.markHalfOpen(source.id);
      return await this.run(source, gate.state);
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, lockKey, token);
    }
  }

  private async run(source: Source, circuitState: Source['circuitState']): Promise<CrawlReport> {
    const started = Date.now();
    const run = await this.sources.startRun(source.id);
    const stats: FetchStats = { requests: 0, retries: 0 };
    let collected: Collected = { items: [], found: 0, pages: 0 };
    let status: RunOutcome['status'];
    let error: unknown;
    let stored = 0;
    try {
      collected = await this.collect(source, stats);
      error = collected.failure;
      stored = await this.store(source, collected.items, run.id);
      status = collected.notModified ? 'not_modified' : collected.emptyFeed ? 'empty_feed' : 'ok';
    } catch (caught) {
      error = caught;
      status = 'ok';
    }
    if (error !== undefined) status = error instanceof ParseError ? 'broken' : 'failed';
    const circuit = circuitAfterRun(
      { state: circuitState, consecutiveFailures: source.consecutiveFailures, openUntil: source.circuitOpenUntil },
      circuitOutcome(status, error),
      this.config.crawl.circuit,
      new Date(),
    );
    const { code, message } = describeError(error);
    await this.sources.finishRun(run, {
      status,
      found: collected.found,
      stored,
      pages: collected.pages,
      requests: stats.requests,
      retries: stats.retries,
      latencyMs: Date.now() - started,
      errorCode: code,
      error: message,
      validators: status === 'ok' ? collected.validators : undefined,
      circuit,
    });
    if (status === 'empty_feed') await this.sources.crawlLater(source.id, this.config.crawl.emptyFeedRetrySeconds);
    const log = { sourceId: source.id, runId: run.id, status, found: collected.found, stored, requests: stats.requests, retries: stats.retries, circuit: circuit.state };
    if (error !== undefined) this.logger.warn({ ...log, errorCode: code, error: message }, 'source crawl failed');
    else this.logger.log(log, 'source crawled');
    return { sourceId: source.id, status, found: collected.found, stored, emptyFeed: collected.emptyFeed, error: message };
  }

  /**
   * Stores the items and enqueues their analysis; returns how many were new or changed. New posts go to
   * analyze-batch jobs (chunks of ANALYZE_BATCH_SIZE, ids from the crawl run, so a repeat adds nothing);
   * edited posts to their own analyze job (keyed by post and revision, like the reconciler's).
   */
  private async store(source: Source, items: CrawledItem[], runId: number): Promise<number> {
    const changed = await this.posts.upsertMany(source.id, items);
    const inserted = changed.filter((p) => p.inserted).map((p) => ({ postId: p.id, contentHash: p.contentHash }));
    const edited = changed.filter((p) => !p.inserted);
    const jobs: { name: string; data: AnalyzeJob | AnalyzeBatchJob; opts: { jobId: string } }[] = [];
    for (let i = 0; i < inserted.length; i += ANALYZE_BATCH_SIZE) {
      jobs.push({ name: AnalyzeJobName.Batch, data: { posts: inserted.slice(i, i + ANALYZE_BATCH_SIZE) }, opts: { jobId: jobIds.analyzeBatch(runId, i / ANALYZE_BATCH_SIZE) } });
    }
    for (const p of edited) {
      jobs.push({ name: AnalyzeJobName.One, data: { postId: p.id, contentHash: p.contentHash }, opts: { jobId: jobIds.analyze(p.id, p.contentHash) } });
    }
    if (jobs.length) await this.analyzeQueue.addBulk(jobs);
    return changed.length;
  }

  private fetch(url: string, stats: FetchStats, validators?: { etag?: string | null; lastModified?: string | null }): Promise<FetchResult> {
    return this.fetcher.fetch(url, { etag: validators?.etag ?? undefined, lastModified: validators?.lastModified ?? undefined }, stats);
  }

  private async collect(source: Source, stats: FetchStats): Promise<Collected> {
    switch (source.kind) {
      case 'rss': {
        const page = await this.fetch(source.url, stats, source);
        if (page.notModified) return { items: [], found: 0, pages: 1, notModified: true };
        const feed = parseFeed(page.body, page.url);
        return { items: feed.items, found: feed.items.length, pages: 1, emptyFeed: !feed.hasEntries, validators: validatorsOf(page) };
      }
      case 'json': {
        const page = await this.fetch(source.url, stats, source);
        if (page.notModified) return { items: [], found: 0, pages: 1, notModified: true };
        const items = parseJsonItems(page.body, page.url, source.config as unknown as JsonSourceConfig);
        return { items, found: items.length, pages: 1, validators: validatorsOf(page) };
      }
      case 'html':
      case 'discuz':
        return this.collectListing(source, listingAdapter(source.kind, source.config), stats);
      default:
        throw new Error(`source kind ${source.kind} is not crawled`);
    }
  }

  /**
   * List pages (following pagination up to crawl.maxListPages, stopping at a page whose entries are all known),
   * then the detail pages of new entries and of known ones that look edited (title changed) or active (more replies),
   * at most crawl.maxDetailPagesPerRun. A deleted thread (404/410) is skipped; any other failure ends the run after
   * what was collected so far is kept.
   */
  private async collectListing(source: Source, adapter: ListingAdapter, stats: FetchStats): Promise<Collected> {
    const maxPages = Math.min(this.config.crawl.maxListPages, Number((source.config as { maxPages?: number }).maxPages ?? Infinity));
    const entries = new Map<string, ListEntry>();
    const stored = new Map<string, { title: string; replies: number | null }>();
    let validators: Collected['validators'];
    let url: string | undefined = source.url;
    let pages = 0;
    const visited = new Set<string>();
    while (url && pages < maxPages && !visited.has(url)) {
      visited.add(url);
      const page = await this.fetch(url, stats, pages === 0 ? source : undefined);
      pages++;
      if (page.notModified) return { items: [], found: 0, pages, notModified: true };
      if (pages === 1) validators = validatorsOf(page);
      const list = adapter.parseList(page.body, page.url);
      for (const entry of list.entries) if (!entries.has(entry.externalId)) entries.set(entry.externalId, entry);
      const known = await this.posts.storedSummaries(source.id, list.entries.map((e) => e.externalId));
      known.forEach((value, key) => stored.set(key, value));
      if (list.entries.length > 0 && list.entries.every((e) => known.has(e.externalId))) break;
      url = list.next;
    }
    const all = [...entries.values()];
    await this.posts.refreshCounts(source.id, all.filter((e) => stored.has(e.externalId)));
    const wanted = all
      .filter((e) => {
        const known = stored.get(e.externalId);
        if (!known) return true;
        return (e.title !== undefined && e.title !== known.title) || (e.replies !== undefined && known.replies !== null && e.replies > known.replies);
      })
      .slice(0, this.config.crawl.maxDetailPagesPerRun);
    const items: CrawledItem[] = [];
    for (const entry of wanted) {
      try {
        const page = await this.fetch(entry.url, stats);
        const detail = adapter.parseDetail(page.body, page.url);
        items.push({
          externalId: entry.externalId,
          url: entry.url,
          title: detail.title || entry.title || '',
          body: detail.body,
          author: detail.author ?? entry.author,
          publishedAt: detail.publishedAt ?? entry.publishedAt,
          replies: entry.replies ?? detail.replies,
          views: entry.views ?? detail.views,
        });
      } catch (error) {
        if (error instanceof FetchError && (error.status === 404 || error.status === 410)) continue;
        return { items, found: all.length, pages, failure: error };
      }
    }
    return { items, found: all.length, pages, validators };
  }
}

/** Field of the source config a parse error points at, for the preview's error details. */
function fieldOfParseError(error: ParseError): string {
  return /\((config\.[\w.]+)\)/.exec(error.message)?.[1] ?? 'config';
}

function validatorsOf(page: FetchResult): { etag?: string; lastModified?: string } {
  return { etag: page.etag, lastModified: page.lastModified };
}

/** A short machine code and a message for the run log and the source state (no page content). */
export function describeError(error: unknown): { code?: string; message?: string } {
  if (error === undefined) return {};
  if (error instanceof FetchError) return { code: error.code === 'http_status' ? `http_${error.status}` : error.code, message: error.message };
  if (error instanceof ParseError) return { code: error.code, message: error.message };
  const err = error as { code?: unknown; name?: string; message?: string };
  return { code: typeof err.code === 'string' ? err.code : 'internal', message: `${err.name ?? 'Error'}: ${err.message ?? String(error)}` };
}
