/** Every queue of the pipeline. A job carries ids, never text. */
export enum QueueName {
  Crawl = 'crawl',
  Analyze = 'analyze',
  Route = 'route',
  Maintenance = 'maintenance',
}

export interface CrawlJob {
  sourceId: number;
}
export interface AnalyzeJob {
  postId: number;
  contentHash: string;
}
export interface RouteJob {
  caseId: number;
}

/**
 * Deterministic job ids: adding the same work twice while the first is still known to the queue is a
 * no-op, and handlers check whether the work is already done, so a repeat after that is harmless too.
 * (BullMQ refuses ':' in custom ids, hence '-'.)
 */
export const jobIds = {
  analyze: (postId: number, contentHash: string) => `analyze-${postId}-${contentHash.slice(0, 16)}`,
  route: (caseId: number) => `route-${caseId}`,
  crawlScheduler: (sourceId: number) => `crawl-source-${sourceId}`,
  crawlNow: (sourceId: number, at: Date) => `crawl-now-${sourceId}-${Math.floor(at.getTime() / 10_000)}`,
};
