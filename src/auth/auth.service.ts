import { Injectable, OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, IsNull, MoreThan } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { AuthSession } from './auth-session.entity';
import { LoginThrottleService } from './login-throttle.service';
import { User } from './user.entity';
import { SessionCache } from './session-cache';
import { UsersService } from './users.service';

export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class AuthService implements OnModuleInit {
  /** Verified against when the username is unknown, so both failures take the same time. */
  private dummyHash = '';
  /** Session checks in flight, so that concurrent requests of one session ask the database once. */
  private readonly checking = new Map<string, Promise<boolean>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionCache,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await argon2.hash('not-a-real-password', { type: argon2.argon2id });
  }

  /**
   * Access token (short-lived) plus refresh token (rotated on use) for valid credentials. One message
   * for every failure, so nobody learns whether an account exists; failures are rate-limited.
   */
  async login(username: string, password: string, client: ClientInfo) {
    await this.throttle.assertAllowed(username, client.ip);
    const user = await this.users.findForLogin(username);
    const valid = await argon2.verify(user?.passwordHash ?? this.dummyHash, password).catch(() => false);
    if (!user || !valid || !user.active) {
      await this.throttle.recordFailure(username, client.ip);
      throw new AppError('unauthenticated', 'Wrong username or password');
    }
    await this.throttle.recordSuccess(username, client.ip);
    const refreshToken = randomBytes(32).toString('base64url');
    const session = await this.db.getRepository(AuthSession).save({
      id: randomUUID(),
      userId: user.id,
      refreshHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlDays * 86_400_000),
      revokedAt: null,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      ip: client.ip,
    });
    return this.tokens(user, session, refreshToken);
  }

  /** Swaps a refresh token for new tokens; the old refresh token stops working. */
  async refresh(refreshToken: string) {
    const repo = this.db.getRepository(AuthSession);
    const session = await repo.findOneBy({ refreshHash: hashToken(refreshToken), revokedAt: IsNull(), expiresAt: MoreThan(new Date()) });
    const user = session && (await this.users.get(session.userId));
    if (!session || !user || !user.active) throw new AppError('unauthenticated', 'The refresh token is invalid, expired or revoked; log in again');
    const next = randomBytes(32).toString('base64url');
    const rotated = await repo.update({ id: session.id, refreshHash: session.refreshHash }, { refreshHash: hashToken(next) });
    if (!rotated.affected) throw new AppError('unauthenticated', 'The refresh token was already used; log in again');
    return this.tokens(user, session, next);
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.getRepository(AuthSession).update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
    await this.sessions.revoked({ sessionIds: [sessionId] });
  }

  /** Ends every session of a user (an admin's revocation, a password reset). Returns how many. */
  async revokeAll(userId: number): Promise<number> {
    const result = await this.db.getRepository(AuthSession).update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    await this.sessions.revoked({ userIds: [userId] });
    return result.affected ?? 0;
  }

  /** Forget every remembered session of this process (each is checked against the database again). */
  forgetLiveSessions(): void {
    this.sessions.forgetAll();
  }

  /**
   * Whether the session behind an access token is still live. Remembered per process (SessionCache:
   * revocations anywhere reach every process through Redis at once), so most requests ask nothing.
   */
  isLive(sessionId: string): Promise<boolean> | boolean {
    if (this.sessions.isTrusted(sessionId)) return true;
    let pending = this.checking.get(sessionId);
    if (!pending) {
      pending = this.checkLive(sessionId).finally(() => this.checking.delete(sessionId));
      this.checking.set(sessionId, pending);
    }
    return pending;
  }

  private async checkLive(sessionId: string): Promise<boolean> {
    const since = this.sessions.generation();
    const [row] = (await this.db.query(`SELECT user_id, expires_at FROM auth_sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()`, [sessionId])) as {
      user_id: number;
      expires_at: Date;
    }[];
    if (row) this.sessions.remember(sessionId, row.user_id, row.expires_at, since);
    return !!row;
  }

  private async tokens(user: User, session: AuthSession, refreshToken: string) {
    const accessToken = await this.jwt.signAsync({ sub: user.id, sid: session.id, username: user.username, role: user.role, scope: user.scopeAreaIds });
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role, scopeAreaIds: user.scopeAreaIds },
    };
  }
}
