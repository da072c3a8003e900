/** Every error the service reports carries a stable code; one filter maps codes to HTTP (see http-error.filter.ts). */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'invalid_transition'
  | 'conflict'
  | 'too_many_attempts'
  | 'invalid_config'
  | 'dependency_unavailable'
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: number | string): AppError => new AppError('not_found', `${what} ${id} does not exist`);
