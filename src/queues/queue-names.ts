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
/**
 * The analysis of many posts in one job (the new posts of one crawl run, in chunks): one read, one
 * write and one correlation transaction per area for all of them. Each post is done at most once per
 * revision however often the job runs; a post's own `analyze` job (edits, the reconciler) may run
 * beside it.
 */
export interface AnalyzeBatchJob {
  posts: AnalyzeJob[];
}
/** Job names on the analyze queue. */
export const AnalyzeJobName = { One: 'analyze', Batch: 'analyze-batch' } as const;
/** Posts per analyze-batch job: big enough to share the round trips, small enough to spread over worker processes. */
export const ANALYZE_BATCH_SIZE = 200;
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
  /** Chunk `chunk` of the posts a crawl run stored (crawl run ids are unique across sources). */
  analyzeBatch: (crawlRunId: number, chunk: number) => `analyze-batch-${crawlRunId}-${chunk}`,
  route: (caseId: number) => `route-${caseId}`,
  slaTimer: (caseId: number, clock: string, stage: string) => `sla-${caseId}-${clock}-${stage}`,
  commitment: (commitmentId: number) => `commitment-${commitmentId}`,
  notify: (notificationId: number) => `notify-${notificationId}`,
  crawlScheduler: (sourceId: number) => `crawl-source-${sourceId}`,
  crawlNow: (sourceId: number, at: Date) => `crawl-now-${sourceId}-${Math.floor(at.getTime() / 10_000)}`,
};
