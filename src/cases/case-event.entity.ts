import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Case } from './case.entity';

export const CASE_EVENT_TYPES = [
  'created',
  'post_attached',
  'assigned',
  'acknowledged',
  'response_published',
  'settled',
  'dismissed',
  'reopened',
  'escalated',
  'comment',
  'contact_logged',
  'commitment_recorded',
  'commitment_due',
  'handed_over',
  'handover_acknowledged',
  'merged',
  'merged_in',
  'reassigned',
  'sla_reminder',
  'sla_escalated',
  'personal_data_revealed',
  'reclassified',
  'level_raised',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** One entry of a case's timeline. The table is append-only (a trigger refuses UPDATE and DELETE). */
@Entity('case_events')
export class CaseEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column('integer')
  caseId: number;

  @ManyToOne(() => Case, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @Column('text')
  type: CaseEventType;

  /** The user who acted; null for the system (crawler, router). */
  @Column('integer', { nullable: true })
  actorId: number | null;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('jsonb', { default: () => "'{}'" })
  data: Record<string, unknown>;
}
