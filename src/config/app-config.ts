export const PROCESS_ROLES = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The whole typed configuration. Built and validated once by loadConfig(); injected as AppConfig. */
export class AppConfig {
  port: number;
  role: ProcessRole;
  databaseUrl: string;
  redisUrl: string;
  logLevel: LogLevel;
  auth: {
    /** HMAC secret for access tokens; from AUTH_SECRET, never from a committed file. */
    secret: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    /** Failed logins allowed per username (and ten times that per address) within the window. */
    loginMaxAttempts: number;
    loginWindowSeconds: number;
  };
  audit: {
    retentionYears: number;
  };
  queue: {
    prefix: string;
    attempts: number;
    backoffMs: number;
    concurrency: { crawl: number; analyze: number; route: number };
  };
  crawl: {
    userAgent: string;
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    maxBodyBytes: number;
    maxRedirects: number;
    maxDetailPagesPerRun: number;
    defaultIntervalSeconds: number;
  };
  reconcile: {
    intervalSeconds: number;
    graceSeconds: number;
  };
}
