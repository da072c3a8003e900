import type Redis from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { AddressGuard } from './address-guard';
import { FetchError, FetchResult, HttpFetcher } from './http-fetcher';
import { HostLimiter } from './politeness/host-limiter';
import { RobotsCache } from './politeness/robots-cache';
import { decideRetry } from './retry-policy';

export interface FetchStats {
  requests: number;
  retries: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The fetcher every crawl uses: the address guard (no private hosts unless allowed), robots.txt, per-host spacing and
 * concurrency across instances (when `politeness.enabled`), and retries with exponential backoff and jitter on
 * network errors, timeouts, 5xx and 429 (Retry-After respected). Owns connection pools: call `close()`.
 */
export class CrawlFetcher {
  private readonly http: HttpFetcher;
  private readonly robotsFetcher: HttpFetcher;
  private readonly limiter?: HostLimiter;
  private readonly robots?: RobotsCache;
  readonly stats: FetchStats = { requests: 0, retries: 0 };

  constructor(
    private readonly crawl: AppConfig['crawl'],
    redis: Redis | undefined,
    keyPrefix: string,
  ) {
    const guard = new AddressGuard(crawl.allowPrivateHosts);
    const base = {
      userAgent: crawl.userAgent,
      connectTimeoutMs: crawl.connectTimeoutMs,
      headersTimeoutMs: crawl.headersTimeoutMs,
      bodyTimeoutMs: crawl.bodyTimeoutMs,
      maxBodyBytes: crawl.maxBodyBytes,
      maxRedirects: crawl.maxRedirects,
      guard,
    };
    const polite = crawl.politeness.enabled && redis;
    if (polite) {
      const leaseMs = crawl.connectTimeoutMs + crawl.headersTimeoutMs + crawl.bodyTimeoutMs + 5_000;
      this.limiter = new HostLimiter(redis, keyPrefix, { hostConcurrency: crawl.politeness.hostConcurrency, leaseMs });
    }
    this.robotsFetcher = new HttpFetcher({
      ...base,
      maxBodyBytes: Math.min(base.maxBodyBytes, 512 * 1024),
      beforeRequest: this.limiter ? (url) => this.limiter!.acquire(url.host, crawl.politeness.hostIntervalMs) : undefined,
    });
    if (polite) this.robots = new RobotsCache(redis, keyPrefix, this.robotsFetcher, crawl.userAgent, crawl.politeness.robotsCacheSeconds);
    this.http = new HttpFetcher({ ...base, beforeRequest: polite ? (url) => this.beforeRequest(url) : undefined });
  }

  /** GET with retries; throws the last FetchError when the tries are used up or the error is not retryable. */
  async fetch(url: string, opts: { etag?: string; lastModified?: string } = {}, stats: FetchStats = this.stats): Promise<FetchResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        stats.requests++;
        return await this.http.fetch(url, opts);
      } catch (error) {
        const decision = decideRetry(error, attempt, this.crawl.retry);
        if (!decision.retry) {
          if (decision.reason === 'retry_after_too_long' && error instanceof FetchError) {
            throw new FetchError(error.code, `${error.message}; Retry-After ${Math.round((error.retryAfterMs ?? 0) / 1000)} s is longer than crawl.retry.maxRetryAfterMs`, {
              status: error.status,
              retryAfterMs: error.retryAfterMs,
              retryable: true,
              cause: error,
            });
          }
          throw error;
        }
        stats.retries++;
        await sleep(decision.delayMs);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.robotsFetcher.close()]);
  }

  private async beforeRequest(url: URL): Promise<() => Promise<void>> {
    const verdict = await this.robots!.check(url);
    if (!verdict.allowed) throw new FetchError('robots_disallowed', verdict.reason ?? `robots.txt disallows ${url.href}`);
    return this.limiter!.acquire(url.host, Math.max(this.crawl.politeness.hostIntervalMs, verdict.crawlDelayMs ?? 0));
  }
}
