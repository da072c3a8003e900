import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { HttpFetcher } from '../../src/crawl/http-fetcher';
import { HostLimiter } from '../../src/crawl/politeness/host-limiter';
import { RobotsCache } from '../../src/crawl/politeness/robots-cache';
import { FixtureForum } from '../support/fixture-forum';
import { REDIS_URL } from '../support/postgres';
import { deleteRedisKeys } from '../support/test-env';

/**
 * What robots.txt verdicts are remembered: the site's own answers are (a 5xx shuts the site out for a minute), a
 * failure on our side is not. A Redis outage under the host limiter once cached "unreachable" for a healthy forum, and
 * every crawl of it failed for the next minute.
 */
describe('robots.txt cache', () => {
  const prefix = `tftest-robots-${randomBytes(4).toString('hex')}`;
  let forum: FixtureForum;
  let redis: Redis;
  let deadRedis: Redis;
  const fetchers: HttpFetcher[] = [];

  const fetcher = (limiterRedis?: Redis) => {
    const limiter = limiterRedis && new HostLimiter(limiterRedis, prefix, { hostConcurrency: 1, leaseMs: 5_000 });
    const http = new HttpFetcher({
      userAgent: 'tingfeng-test/1.0',
      connectTimeoutMs: 2_000,
      headersTimeoutMs: 2_000,
      bodyTimeoutMs: 2_000,
      maxBodyBytes: 64 * 1024,
      maxRedirects: 2,
      beforeRequest: limiter ? (url) => limiter.acquire(url.host, 0) : undefined,
    });
    fetchers.push(http);
    return http;
  };
  const cacheKey = () => `${prefix}:robots:${new URL(forum.baseUrl).origin}`;
  const page = () => new URL(`${forum.baseUrl}/forum-2-1.html`);

  beforeAll(async () => {
    forum = new FixtureForum();
    await forum.start();
    redis = new Redis(REDIS_URL);
    // A connection that has gone away: every command fails at once, as it does while our Redis is down.
    deadRedis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    await new Promise((resolve) => deadRedis.once('ready', resolve));
    await deadRedis.quit();
  });

  afterEach(async () => {
    forum.clear();
    forum.requests.length = 0;
    await deleteRedisKeys(`${prefix}:*`);
  });

  afterAll(async () => {
    for (const http of fetchers) await http.close();
    redis?.disconnect();
    await forum?.stop();
  });

  it('remembers a server error for a minute and disallows the site meanwhile', async () => {
    forum.faultAlways('/robots.txt', { status: 503 });
    const robots = new RobotsCache(redis, prefix, fetcher(), 'tingfeng-test/1.0', 3600);
    expect(await robots.check(page())).toMatchObject({ allowed: false, reason: expect.stringContaining('could not be fetched') });
    expect(JSON.parse((await redis.get(cacheKey()))!)).toEqual({ kind: 'unreachable' });
    const ttl = await redis.ttl(cacheKey());
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('treats a missing robots.txt as allowing everything and keeps it for the configured time', async () => {
    forum.faultAlways('/robots.txt', { status: 404 });
    const robots = new RobotsCache(redis, prefix, fetcher(), 'tingfeng-test/1.0', 3600);
    expect(await robots.check(page())).toEqual({ allowed: true });
    expect(await redis.ttl(cacheKey())).toBeGreaterThan(3500);
  });

  it('throws a failure of our own Redis instead of caching the site as unreachable', async () => {
    forum.robotsTxt = 'User-agent: *\nDisallow: /private/\n';
    const broken = new RobotsCache(redis, prefix, fetcher(deadRedis), 'tingfeng-test/1.0', 3600);
    const failure = await broken.check(page()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).not.toBe('FetchError');
    expect(await redis.exists(cacheKey())).toBe(0);
    expect(forum.requestsTo('/robots.txt')).toHaveLength(0);

    // Once the limiter's Redis answers again, the next check reads the real robots.txt.
    const healthy = new RobotsCache(redis, prefix, fetcher(redis), 'tingfeng-test/1.0', 3600);
    expect(await healthy.check(page())).toMatchObject({ allowed: true });
    expect(await healthy.check(new URL(`${forum.baseUrl}/private/x`))).toMatchObject({ allowed: false, reason: expect.stringContaining('disallows /private/x') });
    expect(JSON.parse((await redis.get(cacheKey()))!)).toMatchObject({ kind: 'parse' });
    expect(forum.requestsTo('/robots.txt')).toHaveLength(1);
  });
});
