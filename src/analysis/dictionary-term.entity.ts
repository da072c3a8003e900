import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A word operators add to the segmentation dictionary (a new compound name, a local dispute term),
 * beside the lexicons shipped in config/lexicons. Workers pick it up within a minute.
 */
@Entity('dictionary_terms')
export class DictionaryTerm {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('IDX_dictionary_terms_term', { unique: true })
  @Column('text')
  term: string;

  @Column('text', { nullable: true })
  note: string | null;

  @Column('integer', { nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
