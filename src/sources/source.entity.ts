import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const SOURCE_KINDS = ['rss', 'html', 'discuz', 'json', 'push'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/**
 * new: never crawled; ok: the last run worked; retry_later: the source answered "nothing yet" (an empty RSS channel
 * while it rebuilds its cache) and is asked again soon; failing: the last run failed (network, HTTP, robots.txt…);
 * broken: the page no longer matches the source's selectors or field paths (the layout changed).
 */
export const SOURCE_STATUSES = ['new', 'ok', 'retry_later', 'failing', 'broken'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

/** Where posts come from, how often to look, and what the last crawls found. */
@Entity('sources')
export class Source {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column('text')
  code: string;

  @Column('text')
  name: string;

  @Column('text')
  kind: SourceKind;

  @Column('text')
  url: string;

  /** Kind-specific settings (for html: HtmlSourceConfig). */
  @Column('jsonb', { default: () => "'{}'" })
  config: Record<string, unknown>;

  @Column('integer')
  intervalSeconds: number;

  /** Area used when a post names no known place. */
  @Column('integer', { nullable: true })
  defaultAreaId: number | null;

  @Column('boolean', { default: true })
  enabled: boolean;

  @Column('timestamptz', { nullable: true })
  lastRunAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastSuccessAt: Date | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('integer', { default: 0 })
  consecutiveFailures: number;

  @Column('integer', { nullable: true })
  lastFoundCount: number | null;

  @Column('integer', { nullable: true })
  lastStoredCount: number | null;

  @Column('text', { default: 'new' })
  status: SourceStatus;

  /** Machine-readable reason of the last error (a FetchError or ParseError code). */
  @Column('text', { nullable: true })
  lastErrorCode: string | null;

  /** Moving average of run latency (exponential, weight 0.3 on the latest run). */
  @Column('integer', { nullable: true })
  avgLatencyMs: number | null;

  /** closed: crawled as scheduled; open: paused until circuitOpenUntil; half_open: the next run is a trial. */
  @Column('text', { default: 'closed' })
  circuitState: 'closed' | 'open' | 'half_open';

  @Column('timestamptz', { nullable: true })
  circuitOpenUntil: Date | null;

  /** Validators of the list page / feed for a conditional GET (304 = nothing new). */
  @Column('text', { nullable: true })
  etag: string | null;

  @Column('text', { nullable: true })
  lastModified: string | null;

  /** A cron pattern (5 or 6 fields, Asia/Shanghai) used instead of intervalSeconds when set. */
  @Column('text', { nullable: true })
  cron: string | null;

  /** Each scheduled crawl starts after a random delay of up to this many seconds. */
  @Column('integer', { default: 0 })
  jitterSeconds: number;

  /** "HH:MM-HH:MM" in Asia/Shanghai (may wrap midnight); scheduled crawls outside it are skipped. */
  @Column('text', { nullable: true })
  activeHours: string | null;

  /** sha256 of the push-ingestion token (kind push); the token itself is shown once and never stored. */
  @Column('text', { nullable: true, select: false })
  pushTokenHash: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
