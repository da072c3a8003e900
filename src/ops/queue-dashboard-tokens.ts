import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import type { Actor } from '../auth/actor';
import { AuthService } from '../auth/auth.service';
import type { UserRole } from '../auth/user.entity';
import { AppConfig } from '../config/app-config';

const AUDIENCE = 'tingfeng-queue-dashboard';

export type DashboardVerdict = { ok: true; actor: Actor } | { ok: false; status: 401 | 403; message: string };

/**
 * The queue dashboard's cookie token: a short-lived JWT bound to the admin's login session. It is
 * signed with a key derived from the auth secret for this purpose only, so it can never be used as
 * an API access token, nor an access token as this cookie.
 */
@Injectable()
export class QueueDashboardTokens {
  private readonly jwt: JwtService;
  readonly ttlSeconds: number;

  constructor(
    config: AppConfig,
    private readonly auth: AuthService,
  ) {
    const secret = createHmac('sha256', config.auth.secret).update('tingfeng queue dashboard cookie v1').digest('base64url');
    this.jwt = new JwtService({ secret, signOptions: { issuer: 'tingfeng', audience: AUDIENCE }, verifyOptions: { issuer: 'tingfeng', audience: AUDIENCE } });
    this.ttlSeconds = config.auth.accessTokenTtlSeconds;
  }

  /** A token for the admin's current session; `ttlSeconds` only for tests (an expired token). */
  issue(actor: Actor, ttlSeconds = this.ttlSeconds): Promise<string> {
    return this.jwt.signAsync({ sub: actor.id, sid: actor.sessionId, username: actor.username, role: actor.role }, { expiresIn: ttlSeconds });
  }

  /** Who the cookie belongs to, if it is valid, unexpired, of an admin, and its session is still live. */
  async verify(token: string | undefined): Promise<DashboardVerdict> {
    if (!token) return { ok: false, status: 401, message: 'Open the queue dashboard from the console (an admin session is needed)' };
    let claims: { sub: number; sid?: string; username: string; role: UserRole };
    try {
      claims = await this.jwt.verifyAsync(token);
    } catch {
      return { ok: false, status: 401, message: 'The queue dashboard session is invalid or has expired; open it again from the console' };
    }
    if (!claims.sid || !(await this.auth.isLive(claims.sid))) return { ok: false, status: 401, message: 'This session has ended (logged out or revoked); log in again' };
    if (claims.role !== 'admin') return { ok: false, status: 403, message: 'The queue dashboard is for admins only' };
    return { ok: true, actor: { id: claims.sub, username: claims.username, role: claims.role, scopeAreaIds: [], sessionId: claims.sid } };
  }
}
