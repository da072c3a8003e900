import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Area } from './area.entity';

/** A name under which an area appears in posts: a residential compound, road, landmark or school. */
@Entity('area_aliases')
export class AreaAlias {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column('text')
  alias: string;

  @Index()
  @Column('integer')
  areaId: number;

  @ManyToOne(() => Area, (area) => area.aliases, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'area_id' })
  area?: Area;
}
