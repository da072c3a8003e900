import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppError } from '../common/app-error';
import { PostsService } from '../posts/posts.service';
import { ANALYZE_BATCH_SIZE, AnalyzeBatchJob, AnalyzeJob, AnalyzeJobName, jobIds, QueueName } from '../queues/queue-names';
import { SourcesService } from '../sources/sources.service';
import type { CrawledItem } from './crawl.types';
import { parseForumTime } from './parsers/forum-time';
import { normalizeLines } from './parsers/html.parser';

export const MAX_PUSH_ITEMS = 500;
/**
 * The largest JSON body `POST /ingest/<code>` accepts: a full batch of posts of up to 16 KiB each
 * (about 5,000 Chinese characters with their JSON). Other routes keep the default 100 kB.
 */
export const MAX_PUSH_BYTES = MAX_PUSH_ITEMS * 16 * 1024;
const ITEM_FIELDS = new Set(['id', 'title', 'body', 'author', 'time', 'url', 'replies', 'views']);

/** Validates a pushed batch (pure); the error names the field, e.g. `items[3].title`. */
export function parsePushBatch(body: unknown, sourceUrl: string): CrawledItem[] {
  const fail = (field: string, message: string): never => {
    throw new AppError('invalid_request', `${field} ${message}`, { field });
  };
  if (!body || typeof body !== 'object' || Array.isArray(body)) fail('body', 'must be an object { items: [...] }');
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items) || items.length === 0) fail('items', 'must be a non-empty array');
  if ((items as unknown[]).length > MAX_PUSH_ITEMS) fail('items', `must have at most ${MAX_PUSH_ITEMS} entries per batch`);
  return (items as unknown[]).map((raw, i) => {
    const at = `items[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(at, 'must be an object');
    const item = raw as Record<string, unknown>;
    for (const key of Object.keys(item)) if (!ITEM_FIELDS.has(key)) fail(`${at}.${key}`, 'is not a known field');
    const id = typeof item.id === 'number' ? String(item.id) : item.id;
    if (typeof id !== 'string' || id.trim() === '' || id.length > 200) fail(`${at}.id`, 'must be a non-empty string of at most 200 characters');
    if (typeof item.title !== 'string' || item.title.length > 500) fail(`${at}.title`, 'must be a string of at most 500 characters');
    if (item.body !== undefined && (typeof item.body !== 'string' || item.body.length > 100_000)) fail(`${at}.body`, 'must be a string of at most 100000 characters');
    if ((item.title as string).trim() === '' && !(item.body as string | undefined)?.trim()) fail(`${at}.title`, 'or body must not be empty');
    if (item.author !== undefined && typeof item.author !== 'string') fail(`${at}.author`, 'must be a string');
    let publishedAt: Date | undefined;
    if (item.time !== undefined) {
      publishedAt = typeof item.time === 'string' ? parseForumTime(item.time) : undefined;
      if (!publishedAt) fail(`${at}.time`, 'must be a date-time such as 2026-01-05T08:30:00+08:00');
    }
    let url = `${sourceUrl || 'push:'}#${encodeURIComponent(id as string)}`;
    if (item.url !== undefined) {
      try {
        const parsed = new URL(String(item.url));
        if (!['http:', 'https:'].includes(parsed.protocol)) throw new Error('protocol');
        url = parsed.href;
      } catch {
        fail(`${at}.url`, 'must be an absolute http(s) URL');
      }
    }
    for (const key of ['replies', 'views'] as const) {
      if (item[key] !== undefined && (!Number.isInteger(item[key]) || (item[key] as number) < 0)) fail(`${at}.${key}`, 'must be a non-negative integer');
    }
    return {
      externalId: (id as string).trim(),
      url,
      title: (item.title as string).trim(),
      body: normalizeLines((item.body as string | undefined) ?? ''),
      author: (item.author as string | undefined)?.trim() || undefined,
      publishedAt,
      replies: item.replies as number | undefined,
      views: item.views as number | undefined,
    };
  });
}

/** Push ingestion: a partner system delivers posts in batches; storage is idempotent by external id. */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    private readonly sources: SourcesService,
    private readonly posts: PostsService,
    @InjectQueue(QueueName.Analyze) private readonly analyzeQueue: Queue<AnalyzeJob | AnalyzeBatchJob>,
  ) {}

  async ingest(code: string, token: string | undefined, body: unknown): Promise<{ received: number; stored: number; unchanged: number }> {
    const source = await this.sources.authenticatePush(code, token);
    const items = parsePushBatch(body, source.url);
    const started = Date.now();
    const run = await this.sources.startRun(source.id);
    const changed = await this.posts.upsertMany(source.id, items);
    // As for a crawl run: new posts in analyze-batch jobs (ids from the run), edited ones in their own job.
    const inserted = changed.filter((p) => p.inserted).map((p) => ({ postId: p.id, contentHash: p.contentHash }));
    const jobs: { name: string; data: AnalyzeJob | AnalyzeBatchJob; opts: { jobId: string } }[] = [];
    for (let i = 0; i < inserted.length; i += ANALYZE_BATCH_SIZE) {
      jobs.push({ name: AnalyzeJobName.Batch, data: { posts: inserted.slice(i, i + ANALYZE_BATCH_SIZE) }, opts: { jobId: jobIds.analyzeBatch(run.id, i / ANALYZE_BATCH_SIZE) } });
    }
    for (const p of changed.filter((c) => !c.inserted)) {
      jobs.push({ name: AnalyzeJobName.One, data: { postId: p.id, contentHash: p.contentHash }, opts: { jobId: jobIds.analyze(p.id, p.contentHash) } });
    }
    if (jobs.length) await this.analyzeQueue.addBulk(jobs);
    const received = new Set(items.map((i) => i.externalId)).size;
    await this.sources.finishRun(run, {
      status: 'push',
      found: received,
      stored: changed.length,
      pages: 0,
      requests: 0,
      retries: 0,
      latencyMs: Date.now() - started,
      circuit: { state: 'closed', consecutiveFailures: 0, openUntil: null },
    });
    this.logger.log({ sourceId: source.id, received, stored: changed.length }, 'pushed batch stored');
    return { received, stored: changed.length, unchanged: received - changed.length };
  }
}
