import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../common/app-error';
import type { Actor } from './actor';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { AuthService } from './auth.service';
import type { UserRole } from './user.entity';

/** Every endpoint needs a valid bearer token unless marked @Public(); @Roles() narrows who may call it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) throw new AppError('unauthenticated', 'Log in first: send Authorization: Bearer <token> from POST /auth/login');
    let actor: Actor;
    try {
      const claims = await this.jwt.verifyAsync<{ sub: number; sid: string; username: string; role: UserRole; scope: number[] }>(token);
      actor = { id: claims.sub, username: claims.username, role: claims.role, scopeAreaIds: claims.scope, sessionId: claims.sid };
    } catch {
      throw new AppError('unauthenticated', 'The access token is invalid or has expired; log in again');
    }
    if (!actor.sessionId || !(await this.auth.isLive(actor.sessionId))) {
      throw new AppError('unauthenticated', 'This session has ended (logged out or revoked); log in again');
    }
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(actor.role)) throw new AppError('forbidden', `This needs one of the roles: ${roles.join(', ')}`);
    request.actor = actor;
    return true;
  }
}
