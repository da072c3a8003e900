import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Case } from './case.entity';

export const RESPONSE_KINDS = ['pacifying', 'explanatory', 'clarification', 'follow_up'] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

/** A public response a worker published (安抚 pacifying, 解释 explanatory, …). */
@Entity('responses')
export class CaseResponse {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column('integer')
  caseId: number;

  @ManyToOne(() => Case, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @Column('text')
  kind: ResponseKind;

  @Column('text')
  text: string;

  @Column('text', { nullable: true })
  publishedUrl: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  publishedAt: Date;

  @Column('integer')
  authorId: number;
}
