import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Rule } from './rule.entity';

/** Every version a rule has had (append-only): evidence on posts names the version that fired. */
@Entity('rule_versions')
@Index(['ruleId', 'version'], { unique: true })
export class RuleVersion {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  ruleId: number;

  @ManyToOne(() => Rule, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id' })
  rule?: Rule;

  @Column('integer')
  version: number;

  @Column('text')
  name: string;

  @Column('text')
  kind: string;

  @Column('text')
  role: string;

  @Column('jsonb')
  definition: Record<string, unknown>;

  @Column('text')
  level: string;

  @Column('text', { nullable: true })
  category: string | null;

  @Column('integer', { nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
