import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Post } from './post.entity';

/** A superseded revision of a post: written when an edit (content hash change) replaces it in `posts`. */
@Entity('post_revisions')
@Index(['postId', 'revision'], { unique: true })
export class PostRevision {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  postId: number;

  @ManyToOne(() => Post, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: Post;

  @Column('integer')
  revision: number;

  @Column('text')
  title: string;

  @Column('text')
  body: string;

  @Column('text', { nullable: true })
  author: string | null;

  @Column('text')
  contentHash: string;

  /** When this revision was fetched. */
  @Column('timestamptz')
  fetchedAt: Date;

  /** When the next revision replaced it. */
  @Column('timestamptz', { default: () => 'now()' })
  replacedAt: Date;
}
