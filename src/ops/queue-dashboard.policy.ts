/** Where the Bull Board queue dashboard is mounted; its cookie is scoped to this path. */
export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'tingfeng_queues';

/**
 * The dashboard page needs `<base href>` (base-uri 'self'); everything else stays as strict as the
 * rest of the service (no external fonts or scripts, no framing).
 */
export const DASHBOARD_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/**
 * Which dashboard writes an admin may make: retrying failed jobs, promoting delayed ones, pausing and
 * resuming queues. These are reversible and safe because every handler first checks whether its work
 * is done. Removing, cleaning, emptying or obliterating jobs, adding or editing jobs, and changing
 * schedulers, rate limits or concurrency are refused: they would forge or drop work behind the
 * pipeline's back (crawl schedules belong to the sources, SLA timers to the cases). Unknown routes
 * (a newer Bull Board) are refused too. `route` is Bull Board's route template.
 */
export function dashboardWriteAllowed(method: string, route: string, params: Record<string, unknown> = {}): boolean {
  const m = method.toLowerCase();
  if (m === 'get') return true;
  if (m !== 'put') return false;
  switch (route) {
    case '/api/queues/:queueName/:jobId/retry':
    case '/api/queues/:queueName/:jobId/promote':
    case '/api/queues/:queueName/promote':
    case '/api/queues/:queueName/pause':
    case '/api/queues/:queueName/resume':
    case '/api/queues/pause':
    case '/api/queues/resume':
      return true;
    case '/api/queues/:queueName/retry/:queueStatus':
      return params.queueStatus === 'failed';
    default:
      return false;
  }
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
