import type Redis from 'ioredis';
import robotsParser from 'robots-parser';
import { FetchError, HttpFetcher } from '../http-fetcher';

interface StoredRobots {
  /** allow: no robots.txt (4xx); parse: its text; unreachable: 5xx or network failure (everything disallowed for a while). */
  kind: 'allow' | 'parse' | 'unreachable';
  body?: string;
}

export interface RobotsVerdict {
  allowed: boolean;
  /** Crawl-delay for our agent, in milliseconds, when the site sets one. */
  crawlDelayMs?: number;
  reason?: string;
}

/** How long an unreachable robots.txt is remembered before it is asked for again. */
const UNREACHABLE_TTL_SECONDS = 60;

/**
 * robots.txt per origin, fetched once and cached in Redis for every instance. Missing (4xx) allows everything; a
 * server error or network failure disallows everything for a minute (RFC 9309 §2.3.1.4).
 */
export class RobotsCache {
  private readonly parsed = new Map<string, { at: number; robots: ReturnType<typeof robotsParser> | null; kind: StoredRobots['kind'] }>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly fetcher: HttpFetcher,
    private readonly userAgent: string,
    private readonly cacheSeconds: number,
  ) {}

  async check(url: URL): Promise<RobotsVerdict> {
    const robotsUrl = `${url.origin}/robots.txt`;
    if (url.href === robotsUrl) return { allowed: true };
    const entry = await this.load(url.origin, robotsUrl);
    if (entry.kind === 'allow') return { allowed: true };
    if (entry.kind === 'unreachable' || !entry.robots) return { allowed: false, reason: `${robotsUrl} could not be fetched; the site is not crawled for now` };
    const allowed = entry.robots.isAllowed(url.href, this.userAgent) !== false;
    const delay = entry.robots.getCrawlDelay(this.userAgent);
    return {
      allowed,
      crawlDelayMs: typeof delay === 'number' && delay > 0 ? Math.min(delay, 60) * 1000 : undefined,
      reason: allowed ? undefined : `${robotsUrl} disallows ${url.pathname}${url.search} for ${this.userAgent.split('/')[0]}`,
    };
  }

  private async load(origin: string, robotsUrl: string) {
    const memo = this.parsed.get(origin);
    if (memo && Date.now() - memo.at < 5_000) return memo;
    const key = `${this.keyPrefix}:robots:${origin}`;
    let stored: StoredRobots | undefined;
    const cached = await this.redis.get(key);
    if (cached) stored = JSON.parse(cached) as StoredRobots;
    if (!stored) {
      stored = await this.fetchRobots(robotsUrl);
      await this.redis.set(key, JSON.stringify(stored), 'EX', stored.kind === 'unreachable' ? UNREACHABLE_TTL_SECONDS : this.cacheSeconds);
    }
    const entry = { at: Date.now(), kind: stored.kind, robots: stored.kind === 'parse' ? robotsParser(robotsUrl, stored.body ?? '') : null };
    this.parsed.set(origin, entry);
    return entry;
  }

  /**
   * Only the site's answer (or its silence) is a verdict on the site. Anything that is not a FetchError comes from our
   * side, e.g. the host limiter's Redis going away mid-request: it is thrown and nothing is cached, so a Redis restart
   * does not shut a healthy site out for a minute.
   */
  private async fetchRobots(robotsUrl: string): Promise<StoredRobots> {
    try {
      const result = await this.fetcher.fetch(robotsUrl);
      return { kind: 'parse', body: result.body.slice(0, 500_000) };
    } catch (error) {
      if (!(error instanceof FetchError)) throw error;
      if (error.code === 'http_status' && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429) {
        return { kind: 'allow' };
      }
      if (error.code === 'blocked_address') throw error;
      return { kind: 'unreachable' };
    }
  }
}
