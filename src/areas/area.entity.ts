import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { AreaAlias } from './area-alias.entity';

export const AREA_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type AreaLevel = (typeof AREA_LEVELS)[number];

/** A node of the area tree 区 → 街道 → 社区 → 网格. `path` is the materialised path of ids, e.g. "/1/4/9/". */
@Entity('areas')
export class Area {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column('text')
  code: string;

  @Column('text')
  name: string;

  @Column('text')
  level: AreaLevel;

  @Index()
  @Column('integer', { nullable: true })
  parentId: number | null;

  @ManyToOne(() => Area, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id' })
  parent?: Area;

  @Index()
  @Column('text')
  path: string;

  @OneToMany(() => AreaAlias, (alias) => alias.area)
  aliases?: AreaAlias[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
