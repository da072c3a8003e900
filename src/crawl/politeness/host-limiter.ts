import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * Grants the next request to a host when its next-allowed time has come, and sets the next one `interval`
 * later, on Redis' clock so every instance shares one schedule per host. Returns 0 when granted, else the
 * milliseconds to wait before asking again.
 */
const TRY_SPACING = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextAt > now then return nextAt - now end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], now + interval, 'PX', interval + 60000)
return 0`;

/** After a response: the next request may start no earlier than `interval` from now (end-to-start spacing). */
const TOUCH_SPACING = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
if now + interval > nextAt then redis.call('SET', KEYS[1], now + interval, 'PX', interval + 60000) end
return 0`;

/** A counting semaphore of leases that expire on their own (a crashed worker cannot hold a host forever). */
const TRY_LEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0`;

/** Added to every spacing so that scheduling noise between the grant and the socket write never shortens it. */
export const SPACING_MARGIN_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Per-host request spacing and concurrency, enforced across processes through Redis. */
export class HostLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly settings: { hostConcurrency: number; leaseMs: number },
  ) {}

  /**
   * Waits for a concurrency lease on the host and then for its spacing slot; returns the release function, to be
   * called once the response has been read. `intervalMs` is the configured spacing or the site's robots.txt
   * Crawl-delay, whichever is longer. Requests are spaced start to start (set when granted) and also end to start
   * (set again on release), so the host sees at least `intervalMs` between requests even when our side is slow to
   * put a granted request on the wire.
   */
  async acquire(host: string, intervalMs: number): Promise<() => Promise<void>> {
    const leaseKey = `${this.keyPrefix}:host:${host}:leases`;
    const spacingKey = `${this.keyPrefix}:host:${host}:next`;
    const token = randomBytes(8).toString('hex');
    while (!(await this.redis.eval(TRY_LEASE, 1, leaseKey, token, this.settings.hostConcurrency, this.settings.leaseMs))) {
      await sleep(25 + Math.random() * 50);
    }
    try {
      if (intervalMs > 0) {
        for (;;) {
          const wait = Number(await this.redis.eval(TRY_SPACING, 1, spacingKey, intervalMs + SPACING_MARGIN_MS));
          if (wait <= 0) break;
          await sleep(wait);
        }
      }
    } catch (error) {
      await this.redis.zrem(leaseKey, token);
      throw error;
    }
    return async () => {
      try {
        if (intervalMs > 0) await this.redis.eval(TOUCH_SPACING, 1, spacingKey, intervalMs + SPACING_MARGIN_MS);
      } finally {
        await this.redis.zrem(leaseKey, token);
      }
    };
  }
}
