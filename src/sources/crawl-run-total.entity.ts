import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { CrawlRunStatus } from './crawl-run.entity';
import { Source } from './source.entity';

/** A crawl run's error kind (the `kind` label of tingfeng_crawl_errors_total): 'broken', the error code of a failed run, else ''. */
export const CRAWL_ERROR_KIND_SQL = `CASE WHEN status = 'broken' THEN 'broken' WHEN status = 'failed' THEN coalesce(error_code, 'unknown') ELSE '' END`;

/**
 * Crawl runs that retention deleted, summed per source, outcome and error kind, so the crawl counters
 * in /metrics never go down when the log is trimmed (`retention.crawlRunDays`).
 */
@Entity('crawl_run_totals')
export class CrawlRunTotal {
  @PrimaryColumn('integer')
  sourceId: number;

  @ManyToOne(() => Source, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_id' })
  source?: Source;

  @PrimaryColumn('text')
  status: CrawlRunStatus;

  /** The error kind of failed and broken runs (as tingfeng_crawl_errors_total labels it), else ''. */
  @PrimaryColumn('text')
  errorKind: string;

  @Column('integer')
  runs: number;

  /** Requests retried within those runs. */
  @Column('integer')
  retries: number;
}
