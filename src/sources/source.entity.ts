import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const SOURCE_KINDS = ['rss', 'html'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
