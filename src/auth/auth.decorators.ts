import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor } from './actor';
import type { UserRole } from './user.entity';

export const PUBLIC_KEY = 'tingfeng:public';
export const ROLES_KEY = 'tingfeng:roles';
export const AUDIT_BODY_KEY = 'tingfeng:audit-body';

/** The endpoint needs no login (health, login itself). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Only these roles may call the endpoint (without it: any logged-in user). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

/**
 * The audit log keeps only the size of this endpoint's request body, not its content (e.g. posts
 * pushed by a partner system: residents' words and personal data).
 */
export const AuditBodySizeOnly = () => SetMetadata(AUDIT_BODY_KEY, 'size-only');

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => ctx.switchToHttp().getRequest().actor);
