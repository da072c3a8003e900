/** Every queue of the pipeline. A job carries ids, never text. */
export enum QueueName {
  Crawl = 'crawl',
  Analyze = 'analyze',
  Route = 'route',
  Maintenance = 'maintenance',
  Sla = 'sla',
  Notify = 'notify',
}

export interface CrawlJob {
  sourceId: number;
  /** A scheduled crawl delayed by the source's jitter (so it is still subject to active hours, but not jittered again). */
  jittered?: boolean;
}
export interface AnalyzeJob {
  postId: number;
  contentHash: string;
}
export interface RouteJob {
  caseId: number;
}
/** An SLA timer (clock × stage of a case) or a commitment's due reminder. */
export interface SlaJob {
  caseId: number;
  clock?: string;
  stage?: string;
  commitmentId?: number;
  /** When the timer is due (ISO); the handler re-checks the case before it acts. */
  at: string;
}
export interface NotifyJob {
  notificationId: number;
}

/**
 * Deterministic job ids: adding the same work twice while the first is still known to the queue is a
 * no-op, and handlers check whether the work is already done, so a repeat after that is harmless too.
 * (BullMQ refuses ':' in custom ids, hence '-'.)
 */
export const jobIds = {
  analyze: (postId: number, contentHash: string) => `analyze-${postId}-${contentHash.slice(0, 16)}`,
  route: (caseId: number) => `route-${caseId}`,
  slaTimer: (caseId: number, clock: string, stage: string) => `sla-${caseId}-${clock}-${stage}`,
  commitment: (commitmentId: number) => `commitment-${commitmentId}`,
  notify: (notificationId: number) => `notify-${notificationId}`,
  crawlScheduler: (sourceId: number) => `crawl-source-${sourceId}`,
  crawlNow: (sourceId: number, at: Date) => `crawl-now-${sourceId}-${Math.floor(at.getTime() / 10_000)}`,
};
