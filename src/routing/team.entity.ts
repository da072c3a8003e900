import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Area } from '../areas/area.entity';
import { User } from '../auth/user.entity';

export const ROUTING_STRATEGIES = ['least_loaded', 'round_robin'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

/** A group of people who take cases together (a community's social workers, a street's task force). */
@Entity('teams')
export class Team {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column('text')
  name: string;

  @Column('text', { default: 'least_loaded' })
  strategy: RoutingStrategy;

  /** Round robin: the user who was given the team's last case. */
  @Column('integer', { nullable: true })
  lastAssigneeId: number | null;
}

/** Weekly duty hours: ISO weekdays and a local time window (Beijing time unless `utcOffset`). */
export interface DutySchedule {
  days: number[];
  start: string;
  end: string;
  utcOffset?: string;
}

@Entity('team_members')
@Index(['teamId', 'userId'], { unique: true })
export class TeamMember {
  @PrimaryGeneratedColumn()
  id: number;

  @Column('integer')
  teamId: number;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id' })
  team?: Team;

  @Index()
  @Column('integer')
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** Role in the team: member or lead. */
  @Column('text', { default: 'member' })
  role: string;

  /** Open cases this member can carry. */
  @Column('integer', { default: 10 })
  capacity: number;

  /** Categories the member is good at (物业纠纷, 噪音扰民…): preferred for those cases. */
  @Column('text', { array: true, default: () => "'{}'" })
  specialties: string[];

  @Column('boolean', { default: true })
  onDuty: boolean;

  @Column('jsonb', { nullable: true })
  dutySchedule: DutySchedule | null;
}

/** A cell of the responsibility matrix: cases in the subtree of `areaId` (of `category`, or any) go to `teamId`. */
@Entity('responsibilities')
export class Responsibility {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column('integer')
  areaId: number;

  @ManyToOne(() => Area, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'area_id' })
  area?: Area;

  /** null: every category. */
  @Column('text', { nullable: true })
  category: string | null;

  @Column('integer')
  teamId: number;

  @ManyToOne(() => Team, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id' })
  team?: Team;
}
