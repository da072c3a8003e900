import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One write through the API: who, what, when, from where, and how it ended. Append-only (trigger). */
@Entity('audit_log')
export class AuditEntry {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Index()
  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Index()
  @Column('integer', { nullable: true })
  actorId: number | null;

  @Column('text', { nullable: true })
  actorRole: string | null;

  /** e.g. "POST /cases/:id/settle". */
  @Index()
  @Column('text')
  action: string;

  /** The concrete path, e.g. "/cases/42/settle". */
  @Column('text')
  path: string;

  @Column('integer')
  status: number;

  @Column('text', { nullable: true })
  ip: string | null;

  @Column('text', { nullable: true })
  requestId: string | null;

  /** The request body with secrets removed, and the error code when it failed. */
  @Column('jsonb', { default: () => "'{}'" })
  details: Record<string, unknown>;
}
