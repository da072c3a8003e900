import { Initial1764170000000 } from './1764170000000-initial';
import { AuthSessionsAudit1764500000000 } from './1764500000000-auth-sessions-audit';
import { PostTextPurge1764500000001 } from './1764500000001-post-text-purge';

/** Every migration in order. Migrations are never edited after they land; add a new one. */
export const MIGRATIONS: Function[] = [Initial1764170000000, AuthSessionsAudit1764500000000, PostTextPurge1764500000001];
