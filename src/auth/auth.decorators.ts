import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor } from './actor';
import type { UserRole } from './user.entity';

export const PUBLIC_KEY = 'tingfeng:public';
export const ROLES_KEY = 'tingfeng:roles';
export const AUDIT_BODY_KEY = 'tingfeng:audit-body';
export const AUDIT_SUBJECT_KEY = 'tingfeng:audit-subject';
export type AuditSubjectTable = 'users' | 'sources' | 'rules' | 'cases' | 'areas';

/** The endpoint needs no login (health, login itself). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Only these roles may call the endpoint (without it: any logged-in user). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

/**
 * The audit log keeps only the size of this endpoint's request body, not its content (e.g. posts
 * pushed by a partner system: residents' words and personal data).
 */
export const AuditBodySizeOnly = () => SetMetadata(AUDIT_BODY_KEY, 'size-only');

/** A read that hands data out of the service (an export): audited like a write, with its query. */
export const AuditExport = () => SetMetadata(AUDIT_BODY_KEY, 'export');

/** The row of `table` named by the route's `:id` is kept in the audit entry as it was before and after. */
export const AuditSubject = (table: AuditSubjectTable) => SetMetadata(AUDIT_SUBJECT_KEY, table);

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => ctx.switchToHttp().getRequest().actor);
