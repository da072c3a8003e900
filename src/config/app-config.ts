import type { SlaConfig } from '../cases/sla-config';
import type { NotifyConfig } from '../notify/notify-config';

export const PROCESS_ROLES = ['api', 'worker', 'all'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The whole typed configuration. Built and validated once by loadConfig(); injected as AppConfig. */
export class AppConfig {
  port: number;
  role: ProcessRole;
  /**
   * Copies of this process run under one supervisor (Node cluster): API copies share the port, worker
   * copies the queues. 1: this process serves alone.
   */
  processes: number;
  /** Worker-only processes: HTTP port of /health/live and /health/ready (nothing else); 0: none. */
  probePort: number;
  databaseUrl: string;
  redisUrl: string;
  logLevel: LogLevel;
  /**
   * Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For / X-Forwarded-Proto are believed:
   * the client's address (login throttling, audit) and https (Secure cookies) come from them. Empty: none.
   */
  trustedProxies: string[];
  auth: {
    /** HMAC secret for access tokens; from AUTH_SECRET, never from a committed file. */
    secret: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    /** Failed logins allowed per username (and ten times that per address) within the window. */
    loginMaxAttempts: number;
    loginWindowSeconds: number;
    /** How long an API process trusts a session it found live without asking again (revocations reach it at once through Redis). */
    sessionCacheSeconds: number;
  };
  audit: {
    retentionYears: number;
  };
  reports: {
    /** Area × category cells with fewer cases are suppressed in reports. */
    minCellSize: number;
    /** How long a computed report is served again to everyone with the same scope and period (its `generatedAt` says when it was computed). */
    cacheSeconds: number;
  };
  retention: {
    /** Posts that never became part of a case are deleted after this many days. */
    unlinkedPostDays: number;
    /** The text of posts behind cases closed this many days ago is purged (the case record stays). */
    closedCasePostTextDays: number;
    /** Crawl runs (the per-source crawl log) are deleted after this many days; /metrics keeps counting them. */
    crawlRunDays: number;
  };
  queue: {
    prefix: string;
    attempts: number;
    backoffMs: number;
    concurrency: { crawl: number; analyze: number; route: number };
    /** How long a worker's lock on a running job lasts (renewed at half of it while the job runs). */
    lockDurationMs: number;
    /** How often workers look for stalled jobs (locks that expired: their worker died) and put them back. */
    stalledIntervalMs: number;
    /** How often one job may stall before it is failed (the reconciler retries it later). */
    maxStalledCount: number;
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
    /** Private, loopback or link-local addresses (IPs or CIDR ranges) that may be crawled anyway; everything else private is refused. */
    allowPrivateHosts: string[];
    /** Retries within one crawl on network errors, timeouts, 5xx and 429: exponential backoff with full jitter. */
    retry: { attempts: number; baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
    /** After `failureThreshold` failed runs in a row the source is paused (circuit open) for `cooldownSeconds`. */
    circuit: { failureThreshold: number; cooldownSeconds: number };
    /** robots.txt, per-host request spacing and concurrency (shared by every instance through Redis). */
    politeness: { enabled: boolean; hostIntervalMs: number; hostConcurrency: number; robotsCacheSeconds: number };
    /** An empty RSS channel is tried again after this long. */
    emptyFeedRetrySeconds: number;
    /** Lifetime of the per-source crawl lock (one crawl of a source at a time across instances). */
    lockTtlSeconds: number;
    /** List pages followed per crawl (incremental paging stops earlier at a page whose entries are all known). */
    maxListPages: number;
  };
  reconcile: {
    intervalSeconds: number;
    graceSeconds: number;
    /** Cancels a pass's query after this long (a bad plan or a lock must not stop the reconciler for good). */
    statementTimeoutMs: number;
  };
  analysis: {
    /** Paths relative to the project root. */
    categoryModel: string;
    idfTable: string;
    taxonomy: string;
    lexiconDir: string;
    grouping: {
      /** Same-topic posts of one area or place within this many days join one open case. */
      windowDays: number;
      /** SimHash Hamming distance up to which two posts are near-duplicates. */
      duplicateBits: number;
      /** A case closed fewer days ago than this reopens when its dispute comes back. */
      reopenDays: number;
    };
  };
  /** SLA clocks per warning level and the working-hours calendar (config/sla.yaml). */
  sla: SlaConfig;
  /** Notification channels (webhooks, WeCom, DingTalk, e-mail) and delivery retries. */
  notify: NotifyConfig;
}
