import { Client } from 'pg';
import Redis from 'ioredis';
import { redactUrl } from '../config/config.loader';

export class DependencyUnavailableError extends Error {
  readonly code = 'dependency_unavailable';
}

const HOW_TO = 'Start them with `docker compose up -d postgres redis`, or set DATABASE_URL / REDIS_URL to reachable servers.';

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  return e.code ?? e.errors?.[0]?.code ?? e.message ?? String(error);
}

/**
 * Checks that Postgres and Redis answer, within a few seconds, before anything else starts. With
 * `createDatabase`, a missing database is created (the demo and `npm run migrate` do this).
 */
export async function preflight(databaseUrl: string, redisUrl: string, opts: { createDatabase?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  try {
    await checkPostgres(databaseUrl, timeoutMs);
  } catch (error) {
    if ((error as { code?: string }).code === '3D000' && opts.createDatabase) {
      await createDatabase(databaseUrl, timeoutMs);
    } else {
      throw new DependencyUnavailableError(`Cannot reach Postgres at ${redactUrl(databaseUrl)} (${reason(error)}). ${HOW_TO}`);
    }
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let connectionError: unknown;
  redis.on('error', (error) => (connectionError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new DependencyUnavailableError(`Cannot reach Redis at ${redactUrl(redisUrl)} (${reason(connectionError ?? error)}). ${HOW_TO}`);
  } finally {
    redis.disconnect();
  }
}

async function checkPostgres(url: string, timeoutMs: number): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(url: string, timeoutMs: number): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new DependencyUnavailableError(`Database name ${JSON.stringify(name)} in DATABASE_URL is not a plain identifier`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') {
      throw new DependencyUnavailableError(`Database ${name} does not exist at ${redactUrl(url)} and could not be created (${reason(error)}). ${HOW_TO}`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
