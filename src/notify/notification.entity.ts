import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const NOTIFY_CHANNELS = ['inapp', 'webhook', 'wecom', 'dingtalk', 'email'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

export const NOTIFY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type NotifyStatus = (typeof NOTIFY_STATUSES)[number];

/**
 * The transactional outbox and delivery log in one: a row is written in the same transaction as the
 * case change it reports, then delivered by the notify queue; it records every try. Texts are masked
 * (phone and ID numbers) before they are stored.
 */
@Entity('notifications')
@Index(['status', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column('integer', { nullable: true })
  caseId: number | null;

  /** What happened: assigned, sla_reminder, sla_escalated, escalated, commitment_due, … */
  @Column('text')
  event: string;

  @Column('text')
  channel: NotifyChannel;

  /** The channel entry's name (webhook, robot, mailbox) or, in-app, the user id. */
  @Column('text')
  target: string;

  @Index()
  @Column('integer', { nullable: true })
  recipientUserId: number | null;

  @Column('text')
  title: string;

  @Column('text')
  body: string;

  @Column('jsonb', { default: () => "'{}'" })
  data: Record<string, unknown>;

  @Column('text', { default: 'pending' })
  status: NotifyStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('text', { nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  lastAttemptAt: Date | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;
}
