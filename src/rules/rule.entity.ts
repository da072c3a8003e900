import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const WARNING_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

export const RULE_KINDS = ['keyword'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

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

  /** Kind-specific definition (for keyword: KeywordRuleDefinition). */
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

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
