import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { CrawledItem } from '../crawl/crawl.types';
import { contentHash } from './content-hash';
import { PostRevision } from './post-revision.entity';
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
    // A feed or an API lists mostly posts stored by earlier crawls: only new and edited ones are written
    // (the upsert below stays idempotent on its own, so a post stored meanwhile is still harmless).
    const stored: { external_id: string; content_hash: string; replies: number | null; views: number | null }[] = await this.db.query(
      `SELECT external_id, content_hash, replies, views FROM posts WHERE source_id = $1 AND external_id = ANY($2::text[])`,
      [sourceId, unique.map((item) => item.externalId)],
    );
    const known = new Map(stored.map((row) => [row.external_id, row]));
    const rows = [];
    const counts = [];
    for (const item of unique) {
      const hash = contentHash(item.title, item.body);
      const before = known.get(item.externalId);
      if (before && before.content_hash === hash) {
        if ((item.replies !== undefined && item.replies !== before.replies) || (item.views !== undefined && item.views !== before.views)) counts.push(item);
        continue;
      }
      rows.push({
        source_id: sourceId,
        external_id: item.externalId,
        url: item.url,
        title: item.title,
        body: item.body,
        author: item.author ?? null,
        published_at: item.publishedAt?.toISOString() ?? null,
        content_hash: hash,
        replies: item.replies ?? null,
        views: item.views ?? null,
      });
    }
    await this.refreshCounts(sourceId, counts);
    if (rows.length === 0) return [];
    // Every sub-statement sees the snapshot from before the upsert, so joining `posts` in `rev` reads the revision
    // being replaced: it is kept in post_revisions.
    const result: { id: number; content_hash: string; inserted: boolean }[] = await this.db.query(
      `WITH r AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(source_id int, external_id text, url text, title text, body text, author text,
              published_at timestamptz, content_hash text, replies int, views int)
       ), up AS (
         INSERT INTO posts (source_id, external_id, url, title, body, author, published_at, content_hash, replies, views)
         SELECT source_id, external_id, url, title, body, author, published_at, content_hash, replies, views FROM r
         ON CONFLICT (source_id, external_id) DO UPDATE SET
           url = EXCLUDED.url, title = EXCLUDED.title, body = EXCLUDED.body, author = EXCLUDED.author,
           published_at = COALESCE(EXCLUDED.published_at, posts.published_at), content_hash = EXCLUDED.content_hash,
           replies = COALESCE(EXCLUDED.replies, posts.replies), views = COALESCE(EXCLUDED.views, posts.views),
           revision = posts.revision + 1, fetched_at = now()
         WHERE posts.content_hash <> EXCLUDED.content_hash
         RETURNING id, content_hash, (xmax = 0) AS inserted
       ), rev AS (
         INSERT INTO post_revisions (post_id, revision, title, body, author, content_hash, fetched_at)
         SELECT old.id, old.revision, old.title, old.body, old.author, old.content_hash, old.fetched_at
         FROM up JOIN posts old ON old.id = up.id
         WHERE NOT up.inserted
         ON CONFLICT (post_id, revision) DO NOTHING
       )
       SELECT id, content_hash, inserted FROM up`,
      [JSON.stringify(rows)],
    );
    // A row that was stored meanwhile with this very content was left alone by the upsert: its counts still move.
    if (result.length < rows.length) await this.refreshCounts(sourceId, unique.filter((item) => !known.has(item.externalId)));
    return result.map((r) => ({ id: r.id, contentHash: r.content_hash, inserted: r.inserted }));
  }

  /**
   * Updates reply and view counts of stored posts (a list page shows them for recent threads) without touching the
   * content or the revision. Returns how many posts changed.
   */
  async refreshCounts(sourceId: number, entries: readonly { externalId: string; replies?: number; views?: number }[]): Promise<number> {
    const rows = entries
      .filter((e) => e.replies !== undefined || e.views !== undefined)
      .map((e) => ({ external_id: e.externalId, replies: e.replies ?? null, views: e.views ?? null }));
    if (rows.length === 0) return 0;
    const [, count] = await this.db.query(
      `UPDATE posts p SET replies = COALESCE(r.replies, p.replies), views = COALESCE(r.views, p.views)
       FROM jsonb_to_recordset($2::jsonb) AS r(external_id text, replies int, views int)
       WHERE p.source_id = $1 AND p.external_id = r.external_id
         AND (p.replies IS DISTINCT FROM COALESCE(r.replies, p.replies) OR p.views IS DISTINCT FROM COALESCE(r.views, p.views))`,
      [sourceId, JSON.stringify(rows)],
    );
    return Number(count ?? 0);
  }

  /** Earlier revisions of a post, oldest first. */
  revisions(postId: number): Promise<PostRevision[]> {
    return this.db.getRepository(PostRevision).find({ where: { postId }, order: { revision: 'ASC' } });
  }

  /** What is stored of these external ids (to skip known detail pages and spot edited or active threads). */
  async storedSummaries(sourceId: number, externalIds: string[]): Promise<Map<string, { title: string; replies: number | null }>> {
    if (externalIds.length === 0) return new Map();
    const rows = await this.db.getRepository(Post).find({ select: { externalId: true, title: true, replies: true }, where: { sourceId, externalId: In(externalIds) } });
    return new Map(rows.map((r) => [r.externalId, { title: r.title, replies: r.replies }]));
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
}
