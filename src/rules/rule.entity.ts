import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const WARNING_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

export const RULE_KINDS = ['keyword', 'expression'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** A warning rule opens cases; a suppression rule (ads, recruitment, second-hand sales) silences them on a post. */
export const RULE_ROLES = ['warning', 'suppression'] as const;
export type RuleRole = (typeof RULE_ROLES)[number];

/** A warning rule. `version` grows with every change of its definition, and evidence records it. */
@Entity('rules')
export class Rule {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column('text')
  code: string;

  @Column('text')
  name: string;

  @Column('text')
  kind: RuleKind;

  @Column('text', { default: 'warning' })
  role: RuleRole;

  /** Kind-specific definition (keyword: KeywordRuleDefinition; expression: { expression: string }). */
  @Column('jsonb')
  definition: Record<string, unknown>;

  @Column('text')
  level: WarningLevel;

  /** Dispute type the rule stands for (物业纠纷, 噪音扰民…), copied to the case. */
  @Column('text', { nullable: true })
  category: string | null;

  @Column('integer', { default: 1 })
  version: number;

  @Column('boolean', { default: true })
  enabled: boolean;

  /** Posts this rule fired on (warning) or silenced (suppression). */
  @Column('integer', { default: 0 })
  hitCount: number;

  @Column('timestamptz', { nullable: true })
  lastHitAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
