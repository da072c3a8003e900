import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const USER_ROLES = ['worker', 'supervisor', 'official', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column('text')
  username: string;

  @Column('text')
  displayName: string;

  @Column('text')
  role: UserRole;

  /** argon2id hash; never leaves the service. */
  @Column('text', { select: false })
  passwordHash: string;

  /** Roots of the area subtrees the user is responsible for. */
  @Column('integer', { array: true, default: () => "'{}'" })
  scopeAreaIds: number[];

  @Column('boolean', { default: true })
  onDuty: boolean;

  @Column('boolean', { default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
