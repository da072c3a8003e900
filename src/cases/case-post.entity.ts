import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Case } from './case.entity';
import { Post } from '../posts/post.entity';

/** A post behind a case. */
@Entity('case_posts')
export class CasePost {
  @PrimaryColumn('integer')
  caseId: number;

  @Index()
  @PrimaryColumn('integer')
  postId: number;

  @ManyToOne(() => Case, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @ManyToOne(() => Post, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: Post;

  @CreateDateColumn({ type: 'timestamptz' })
  attachedAt: Date;
}
