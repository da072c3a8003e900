import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/config.loader';
import { RunningService, startService } from '../../src/service';
import { adminQuery, dbUrl, REDIS_URL, templateDb } from './postgres';

export interface TestEnv {
  databaseUrl: string;
  queuePrefix: string;
  config(overrides?: Record<string, unknown>): AppConfig;
  start(overrides?: Record<string, unknown>, opts?: { logDestination?: NodeJS.WritableStream }): Promise<RunningService>;
  teardown(): Promise<void>;
}

/**
 * A database of its own (cloned from the migrated template) and a queue prefix of its own for one
 * test file, on the real Postgres and Redis. `teardown` stops what `start` started and drops both.
 */
export async function createTestEnv(): Promise<TestEnv> {
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const name = `tingfeng_test_${id}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`);
  const databaseUrl = dbUrl(name);
  const queuePrefix = `tftest-${id}`;
  const running: RunningService[] = [];
  const config = (overrides: Record<string, unknown> = {}) =>
    loadConfig(
      {
        port: 0,
        logLevel: 'error',
        databaseUrl,
        redisUrl: REDIS_URL,
        ...overrides,
        // A test may tune the queues (concurrency, retries) but keeps its own prefix unless it names one.
        queue: { prefix: queuePrefix, backoffMs: 200, ...(overrides.queue as Record<string, unknown> | undefined) },
        // Fixture forums listen on loopback, which the crawler refuses unless allowed explicitly.
        crawl: { allowPrivateHosts: ['127.0.0.1'], ...(overrides.crawl as Record<string, unknown> | undefined) },
      },
      { AUTH_SECRET: 'test-secret-0123456789abcdef0123456789abcdef' },
      [],
    );
  return {
    databaseUrl,
    queuePrefix,
    config,
    async start(overrides = {}, opts: { logDestination?: NodeJS.WritableStream } = {}) {
      const service = await startService(config(overrides), { host: '127.0.0.1', ...opts });
      running.push(service);
      return service;
    },
    async teardown() {
      for (const service of running.splice(0).reverse()) await service.close();
      await deleteRedisKeys(`${queuePrefix}:*`);
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls until `probe` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
