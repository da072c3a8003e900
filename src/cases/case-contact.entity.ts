import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Case } from './case.entity';

export const CONTACT_CHANNELS = ['forum_reply', 'private_message', 'phone', 'visit'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** A contact a worker had with a party of the dispute (a resident's handle or name, the property company…). */
@Entity('case_contacts')
export class CaseContact {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column('integer')
  caseId: number;

  @ManyToOne(() => Case, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @Column('text')
  party: string;

  @Column('text')
  channel: ContactChannel;

  @Column('text')
  summary: string;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('integer')
  actorId: number;
}
