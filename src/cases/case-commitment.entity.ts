import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Case } from './case.entity';

/** A promise made to residents ("本周五前答复") with a due date that becomes its own reminder. */
@Entity('case_commitments')
export class CaseCommitment {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column('integer')
  caseId: number;

  @ManyToOne(() => Case, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @Column('text')
  text: string;

  @Column('timestamptz')
  dueAt: Date;

  @Column('timestamptz', { nullable: true })
  fulfilledAt: Date | null;

  /** When the due reminder fired (null until then). */
  @Column('timestamptz', { nullable: true })
  remindedAt: Date | null;

  @Column('integer')
  actorId: number;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt: Date;
}
