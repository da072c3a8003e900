import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { User } from '../auth/user.entity';
import { Rule } from '../rules/rule.entity';
import { Area } from '../areas/area.entity';
import type { WarningLevel } from '../rules/rule.entity';
import type { CaseStatus, CaseOutcome } from './case-lifecycle';

/** A dispute (矛盾纠纷) being handled. At most one case per area and rule is open at a time. */
@Entity('cases')
@Index('cases_one_open_per_area_rule', ['areaId', 'ruleId'], {
  unique: true,
  where: `status NOT IN ('settled', 'dismissed', 'merged')`,
})
export class Case {
  @PrimaryGeneratedColumn()
  id: number;

  /** Human-facing number, e.g. TF-20261126-000042. */
  @Index({ unique: true })
  @Column('text')
  number: string;

  @Index()
  @Column('integer')
  areaId: number;

  @Column('integer')
  ruleId: number;

  @Column('text', { nullable: true })
  category: string | null;

  @Column('text')
  level: WarningLevel;

  @Index()
  @Column('text')
  status: CaseStatus;

  @Index()
  @Column('integer', { nullable: true })
  assigneeId: number | null;

  @ManyToOne(() => Area)
  @JoinColumn({ name: 'area_id' })
  area?: Area;

  @ManyToOne(() => Rule)
  @JoinColumn({ name: 'rule_id' })
  rule?: Rule;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assignee_id' })
  assignee?: User;

  @Column('text', { nullable: true })
  outcome: CaseOutcome | null;

  @Index()
  @CreateDateColumn({ type: 'timestamptz' })
  openedAt: Date;

  @Column('timestamptz', { nullable: true })
  assignedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  acknowledgedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  firstResponseAt: Date | null;

  @Column('timestamptz', { nullable: true })
  closedAt: Date | null;

  @Column('integer', { default: 0 })
  postCount: number;

  /** When the first contact with a party was logged. */
  @Column('timestamptz', { nullable: true })
  firstContactAt: Date | null;

  /** SLA due times, computed from `openedAt`, the level's clocks and the calendar (config/sla.yaml). */
  @Column('timestamptz', { nullable: true })
  dueAcknowledgeAt: Date | null;

  @Column('timestamptz', { nullable: true })
  dueContactAt: Date | null;

  @Column('timestamptz', { nullable: true })
  dueResponseAt: Date | null;

  @Column('timestamptz', { nullable: true })
  dueSettleAt: Date | null;

  /** 0 none, 1 reminded, 2 escalated to the street supervisor, 3 escalated to the district official. */
  @Column('integer', { default: 0 })
  escalationLevel: number;

  /** The other party the posts name (物业公司, 开发商, a shop, a school, a utility). */
  @Column('jsonb', { nullable: true })
  counterparty: { kind: string; name: string } | null;

  /** The routing team the case went to, when the responsibility matrix matched. */
  @Column('integer', { nullable: true })
  teamId: number | null;

  @Column('integer', { nullable: true })
  mergedIntoId: number | null;

  @Column('text', { nullable: true })
  dismissReason: string | null;

  /** Hand-over to a department: the receiving body and when it acknowledged (null while in transit). */
  @Column('text', { nullable: true })
  handoverDepartment: string | null;

  @Column('timestamptz', { nullable: true })
  handoverAt: Date | null;

  @Column('timestamptz', { nullable: true })
  handoverAcknowledgedAt: Date | null;

  /** Optimistic lock: every change increments it. */
  @VersionColumn()
  version: number;
}
