import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { CrawledItem } from '../crawl/crawl.types';
import { contentHash } from './content-hash';
import { Post } from './post.entity';

/** A post that is new or whose content changed, and so needs (re-)analysis. */
export interface ChangedPost {
  id: number;
  contentHash: string;
  inserted: boolean;
}

@Injectable()
export class PostsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores crawled items idempotently by (source, external id). Returns only posts that are new or
   * whose title/body changed (their revision goes up); re-storing the same content changes nothing
   * but the engagement counts.
   */
  async upsertMany(sourceId: number, items: readonly CrawledItem[]): Promise<ChangedPost[]> {
    const unique = [...new Map(items.map((item) => [item.externalId, item])).values()];
    if (unique.length === 0) return [];
    const rows = unique.map((item) => ({
      source_id: sourceId,
      external_id: item.externalId,
      url: item.url,
      title: item.title,
      body: item.body,
      author: item.author ?? null,
      published_at: item.publishedAt?.toISOString() ?? null,
      content_hash: contentHash(item.title, item.body),
      replies: item.replies ?? null,
      views: item.views ?? null,
    }));
    const result: { id: number; content_hash: string; inserted: boolean }[] = await this.db.query(
      `INSERT INTO posts (source_id, external_id, url, title, body, author, published_at, content_hash, replies, views)
       SELECT source_id, external_id, url, title, body, author, published_at, content_hash, replies, views
       FROM jsonb_to_recordset($1::jsonb) AS r(source_id int, external_id text, url text, title text, body text, author text,
            published_at timestamptz, content_hash text, replies int, views int)
       ON CONFLICT (source_id, external_id) DO UPDATE SET
         url = EXCLUDED.url, title = EXCLUDED.title, body = EXCLUDED.body, author = EXCLUDED.author,
         published_at = COALESCE(EXCLUDED.published_at, posts.published_at), content_hash = EXCLUDED.content_hash,
         replies = COALESCE(EXCLUDED.replies, posts.replies), views = COALESCE(EXCLUDED.views, posts.views),
         revision = posts.revision + 1, fetched_at = now()
       WHERE posts.content_hash <> EXCLUDED.content_hash
       RETURNING id, content_hash, (xmax = 0) AS inserted`,
      [JSON.stringify(rows)],
    );
    return result.map((r) => ({ id: r.id, contentHash: r.content_hash, inserted: r.inserted }));
  }

  /** External ids of this source that are already stored (to skip fetching their detail pages). */
  async knownExternalIds(sourceId: number, externalIds: string[]): Promise<Set<string>> {
    if (externalIds.length === 0) return new Set();
    const rows = await this.db.getRepository(Post).find({ select: { externalId: true }, where: { sourceId, externalId: In(externalIds) } });
    return new Set(rows.map((r) => r.externalId));
  }

  async get(id: number): Promise<Post | null> {
    return this.db.getRepository(Post).findOneBy({ id });
  }

  async byIds(ids: number[]): Promise<Post[]> {
    return ids.length ? this.db.getRepository(Post).findBy({ id: In(ids) }) : [];
  }

  /** Posts whose current content has no analysis of this pipeline version, older than `graceSeconds`. */
  async unanalysed(pipelineVersion: number, graceSeconds: number, limit: number): Promise<{ id: number; contentHash: string }[]> {
    const rows: { id: number; content_hash: string }[] = await this.db.query(
      `SELECT p.id, p.content_hash FROM posts p
       WHERE p.fetched_at < now() - make_interval(secs => $2)
         AND NOT EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash AND a.pipeline_version = $1)
       ORDER BY p.id LIMIT $3`,
      [pipelineVersion, graceSeconds, limit],
    );
    return rows.map((r) => ({ id: r.id, contentHash: r.content_hash }));
  }
}
