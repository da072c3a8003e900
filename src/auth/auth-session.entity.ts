import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * A login. The refresh token is stored only as a hash and is rotated on every refresh; access tokens
 * carry the session id, so revoking the session (logout, admin revocation) ends them too.
 */
@Entity('auth_sessions')
export class AuthSession {
  /** A random UUID made by the service (crypto.randomUUID). */
  @PrimaryColumn('uuid')
  id: string;

  @Index()
  @Column('integer')
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** sha256 of the current refresh token. */
  @Index({ unique: true })
  @Column('text')
  refreshHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @Column('text', { nullable: true })
  userAgent: string | null;

  @Column('text', { nullable: true })
  ip: string | null;
}
