import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../auth/user.entity';
import { Post } from '../posts/post.entity';
import { Case } from './case.entity';

/**
 * A category a person confirmed for a post (by correcting the classification of its case): training
 * data for the classifier (`npm run train -- --with-confirmed`). One row per post; the latest wins.
 */
@Entity('confirmed_labels')
export class ConfirmedLabel {
  @PrimaryColumn('integer')
  postId: number;

  @ManyToOne(() => Post, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: Post;

  /** A domain or a dispute type of the taxonomy (config/taxonomy.yaml). */
  @Column('text')
  category: string;

  @Index()
  @Column('integer')
  caseId: number;

  @ManyToOne(() => Case, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @Column('integer', { nullable: true })
  confirmedBy: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'confirmed_by' })
  confirmer?: User;

  @Column('timestamptz', { default: () => 'now()' })
  confirmedAt: Date;
}
