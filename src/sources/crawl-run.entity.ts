import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Source } from './source.entity';

/** ok, not_modified (304), empty_feed (try again later), failed, broken (selectors no longer match), push (ingested batch). */
export const CRAWL_RUN_STATUSES = ['running', 'ok', 'not_modified', 'empty_feed', 'failed', 'broken', 'push'] as const;
export type CrawlRunStatus = (typeof CRAWL_RUN_STATUSES)[number];

/** One crawl of one source (or one pushed batch): the crawl-run log. */
@Entity('crawl_runs')
@Index(['sourceId', 'startedAt'])
export class CrawlRun {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  sourceId: number;

  @ManyToOne(() => Source, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_id' })
  source?: Source;

  /** Indexed on its own for retention, which deletes old runs of every source. */
  @Index()
  @Column('timestamptz', { default: () => 'now()' })
  startedAt: Date;

  @Column('timestamptz', { nullable: true })
  finishedAt: Date | null;

  @Column('text')
  status: CrawlRunStatus;

  /** Posts the source listed (entries on the list pages followed, feed items, JSON items, pushed items). */
  @Column('integer', { default: 0 })
  found: number;

  /** Of those, new or changed posts stored. */
  @Column('integer', { default: 0 })
  stored: number;

  @Column('integer', { default: 0 })
  pages: number;

  @Column('integer', { default: 0 })
  requests: number;

  @Column('integer', { default: 0 })
  retries: number;

  @Column('text', { nullable: true })
  errorCode: string | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('integer', { nullable: true })
  latencyMs: number | null;
}
