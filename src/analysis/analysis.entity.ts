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

  /** The dispute type (second level) when known, else the fired rule's category, else the domain. */
  @Column('text', { nullable: true })
  category: string | null;

  /** First level of the taxonomy, from the learned classifier (config/models/category-<version>.json). */
  @Column('text', { nullable: true })
  domain: string | null;

  /** Second level of the taxonomy, from its lexicon rules within the domain. */
  @Column('text', { nullable: true })
  disputeType: string | null;

  @Column('real', { default: 0 })
  categoryConfidence: number;

  @Column('text', { nullable: true })
  categoryModel: string | null;

  /** 0..100 from negativity/escalation signals, engagement and authors. */
  @Column('real', { default: 0 })
  heatScore: number;

  /** blue / yellow / orange / red (蓝/黄/橙/红) from the heat score. */
  @Column('text', { default: 'blue' })
  warningLevel: string;

  @Column('jsonb', { default: () => "'[]'" })
  heatSignals: { kind: string; term: string; start: number; weight: number; negated?: boolean; intensified?: boolean }[];

  /** Place-like mentions the gazetteer does not know (…小区, …花园, …路, jieba place tags). */
  @Column('text', { array: true, default: () => "'{}'" })
  placeCandidates: string[];

  /** Dispute types of any domain whose lexicon terms occur, strongest first (grouping into cases). */
  @Column('text', { array: true, default: () => "'{}'" })
  topics: string[];

  /** 64-bit SimHash of the text as 16 hex digits (near-duplicate detection). */
  @Column('text', { nullable: true })
  simhash: string | null;

  /** Suppression rules (ads, recruitment, second-hand sales…) that silenced the warning rules. */
  @Column('jsonb', { default: () => "'[]'" })
  suppressedBy: FiredRule[];

  @Column('jsonb', { default: () => "'[]'" })
  firedRules: FiredRule[];

  @Column('timestamptz', { default: () => 'now()' })
  analyzedAt: Date;
}
