import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { redisOptions } from '../queues/redis-options';

/**
 * Limits failed logins per username and per client address within a window, in Redis so that every
 * API instance counts together. Keys hold hashes, not usernames.
 */
@Injectable()
export class LoginThrottleService implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(private readonly config: AppConfig) {
    this.redis = new Redis({ ...redisOptions(config.redisUrl), lazyConnect: true, maxRetriesPerRequest: 2 });
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }

  private keys(username: string, ip: string): [string, string] {
    const h = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);
    const prefix = `${this.config.queue.prefix}:login-fail`;
    return [`${prefix}:user:${h(username.toLowerCase())}`, `${prefix}:ip:${h(ip)}`];
  }

  /** Throws 429-style `too_many_attempts` when either counter is over its limit. */
  async assertAllowed(username: string, ip: string): Promise<void> {
    const [userKey, ipKey] = this.keys(username, ip);
    const [[, userCount], [, ipCount], [, ttl]] = (await this.redis.multi().get(userKey).get(ipKey).pttl(userKey).exec()) as [unknown, string | null][];
    const max = this.config.auth.loginMaxAttempts;
    if (Number(userCount ?? 0) >= max || Number(ipCount ?? 0) >= max * 10) {
      const retryAfterSeconds = Math.max(1, Math.ceil(Number(ttl) > 0 ? Number(ttl) / 1000 : this.config.auth.loginWindowSeconds));
      throw new AppError('too_many_attempts', `Too many failed logins; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
    }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const window = this.config.auth.loginWindowSeconds;
    const multi = this.redis.multi();
    for (const key of this.keys(username, ip)) multi.incr(key).expire(key, window, 'NX');
    await multi.exec();
  }

  async recordSuccess(username: string, ip: string): Promise<void> {
    await this.redis.del(this.keys(username, ip)[0]);
  }
}
