import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor } from './actor';
import type { UserRole } from './user.entity';

export const PUBLIC_KEY = 'tingfeng:public';
export const ROLES_KEY = 'tingfeng:roles';

/** The endpoint needs no login (health, login itself). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Only these roles may call the endpoint (without it: any logged-in user). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => ctx.switchToHttp().getRequest().actor);
