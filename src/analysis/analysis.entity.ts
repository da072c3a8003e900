import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Post } from '../posts/post.entity';
import type { TermHit } from '../rules/keyword-rule';

/** Why a rule fired on a post: the rule as it was (version) and the terms with their spans. */
export interface FiredRule {
  ruleId: number;
  code: string;
  version: number;
  level: string;
  hits: TermHit[];
}

/** The result of running the pipeline over one revision (content hash) of a post. */
@Entity('analyses')
@Index(['postId', 'contentHash', 'pipelineVersion'], { unique: true })
export class Analysis {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column('integer')
  postId: number;

  @ManyToOne(() => Post, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'post_id' })
  post?: Post;

  @Column('text')
  contentHash: string;

  @Column('integer')
  pipelineVersion: number;

  @Column('text', { array: true, default: () => "'{}'" })
  keywords: string[];

  @Column('integer', { nullable: true })
  areaId: number | null;

  /** 0..1: how sure the locator is (an alias in the title counts more than one in the body, a fallback least). */
  @Column('real', { default: 0 })
  areaConfidence: number;

  /** The alias that placed the post, or null when the source's default area was used. */
  @Column('text', { nullable: true })
  matchedAlias: string | null;

  @Column('text', { nullable: true })
  category: string | null;

  @Column('jsonb', { default: () => "'[]'" })
  firedRules: FiredRule[];

  @Column('timestamptz', { default: () => 'now()' })
  analyzedAt: Date;
}
