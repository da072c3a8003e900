import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Source } from '../sources/source.entity';

/** A post as collected. Posts are the source of truth: analysis can always be redone from them. */
@Entity('posts')
@Index(['sourceId', 'externalId'], { unique: true })
export class Post {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  sourceId: number;

  @ManyToOne(() => Source, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_id' })
  source?: Source;

  @Column('text')
  externalId: string;

  @Column('text')
  url: string;

  @Column('text')
  title: string;

  @Column('text')
  body: string;

  @Column('text', { nullable: true })
  author: string | null;

  @Column('timestamptz', { nullable: true })
  publishedAt: Date | null;

  @Index()
  @Column('timestamptz', { default: () => 'now()' })
  fetchedAt: Date;

  /** sha256 of title and body; a change means an edited post that must be analysed again. */
  @Column('text')
  contentHash: string;

  /** Incremented each time the content changes. */
  @Column('integer', { default: 1 })
  revision: number;

  @Column('integer', { nullable: true })
  replies: number | null;

  @Column('integer', { nullable: true })
  views: number | null;

  /**
   * The title or body holds a zero-width character, a numeric entity or a CJK compatibility ideograph (what the
   * dry-run prefilter cannot see through). Set by the posts_text_escape trigger (migration 1764700000020), never by code.
   */
  @Column({ type: 'boolean', default: false, select: false, insert: false, update: false })
  textEscape: boolean;

  /** Set when retention purged the title, body and author (the case record keeps its figures). */
  @Column('timestamptz', { nullable: true })
  textPurgedAt: Date | null;
}
