import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { PostsService } from '../posts/posts.service';
import { AnalyzeJob, jobIds, QueueName } from '../queues/queue-names';
import { Source } from '../sources/source.entity';
import { SourcesService } from '../sources/sources.service';
import type { CrawledItem, HtmlSourceConfig } from './crawl.types';
import { HttpFetcher } from './http-fetcher';
import { parseDetailPage, parseListPage } from './parsers/html.parser';
import { parseFeed } from './parsers/rss.parser';

export interface CrawlReport {
  sourceId: number;
  /** Posts the source listed this time (list entries or feed items). */
  found: number;
  /** Of those, posts that were new or changed and went to analysis. */
  stored: number;
  /** RSS: an empty channel means "try again later", not "no news". */
  emptyFeed?: boolean;
}

/** One crawl of one source: fetch, parse, store idempotently, enqueue analysis of new and edited posts. */
@Injectable()
export class CrawlService implements OnModuleDestroy {
  private readonly logger = new Logger(CrawlService.name);
  private readonly fetcher: HttpFetcher;

  constructor(
    private readonly config: AppConfig,
    private readonly sources: SourcesService,
    private readonly posts: PostsService,
    @InjectQueue(QueueName.Analyze) private readonly analyzeQueue: Queue<AnalyzeJob>,
  ) {
    this.fetcher = new HttpFetcher(config.crawl);
  }

  async onModuleDestroy(): Promise<void> {
    await this.fetcher.close();
  }

  async crawl(sourceId: number): Promise<CrawlReport> {
    const source = await this.sources.get(sourceId);
    try {
      const { items, listed, emptyFeed } = source.kind === 'rss' ? await this.crawlFeed(source) : await this.crawlHtml(source);
      const changed = await this.posts.upsertMany(source.id, items);
      if (changed.length) {
        await this.analyzeQueue.addBulk(
          changed.map((p) => ({ name: 'analyze', data: { postId: p.id, contentHash: p.contentHash }, opts: { jobId: jobIds.analyze(p.id, p.contentHash) } })),
        );
      }
      await this.sources.recordSuccess(source.id, listed);
      this.logger.log({ sourceId, found: listed, stored: changed.length }, 'source crawled');
      return { sourceId, found: listed, stored: changed.length, emptyFeed };
    } catch (error) {
      const reason = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      await this.sources.recordFailure(source.id, reason);
      throw error;
    }
  }

  private async crawlFeed(source: Source): Promise<{ items: CrawledItem[]; listed: number; emptyFeed: boolean }> {
    const page = await this.fetcher.fetch(source.url);
    const feed = parseFeed(page.body, page.url);
    return { items: feed.items, listed: feed.items.length, emptyFeed: !feed.hasEntries };
  }

  /** The list page, then the detail pages of entries not stored yet (at most maxDetailPagesPerRun). */
  private async crawlHtml(source: Source): Promise<{ items: CrawledItem[]; listed: number; emptyFeed: false }> {
    const config = source.config as unknown as HtmlSourceConfig;
    const list = await this.fetcher.fetch(source.url);
    const entries = parseListPage(list.body, list.url, config);
    const known = await this.posts.knownExternalIds(
      source.id,
      entries.map((e) => e.externalId),
    );
    const fresh = entries.filter((e) => !known.has(e.externalId)).slice(0, this.config.crawl.maxDetailPagesPerRun);
    const items: CrawledItem[] = [];
    for (const entry of fresh) {
      const page = await this.fetcher.fetch(entry.url);
      const detail = parseDetailPage(page.body, page.url, config);
      items.push({
        externalId: entry.externalId,
        url: entry.url,
        title: detail.title || entry.title || '',
        body: detail.body,
        author: detail.author ?? entry.author,
        publishedAt: detail.publishedAt ?? entry.publishedAt,
        replies: entry.replies,
        views: entry.views,
      });
    }
    return { items, listed: entries.length, emptyFeed: false };
  }
}
