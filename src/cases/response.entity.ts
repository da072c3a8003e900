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

  /** Where it was published: forum_reply, private_message, notice (公告), wechat_group… */
  @Column('text', { nullable: true })
  channel: string | null;

  /** The template it was rendered from (`category/kind`), if any. */
  @Column('text', { nullable: true })
  templateKey: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  publishedAt: Date;

  @Column('integer')
  authorId: number;
}
