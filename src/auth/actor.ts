import type { UserRole } from './user.entity';

/** The authenticated user a request acts for, as carried in the access token. */
export interface Actor {
  id: number;
  username: string;
  role: UserRole;
  scopeAreaIds: number[];
  /** The login session the token belongs to. */
  sessionId?: string;
}
