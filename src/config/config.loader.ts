import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { parseSlaConfig } from '../cases/sla-config';
import { parseNotifyConfig } from '../notify/notify-config';
import { AppConfig, LOG_LEVELS, PROCESS_ROLES } from './app-config';

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`Invalid configuration: ${setting} ${message}`);
  }
}

type Env = Record<string, string | undefined>;

const failSetting = (setting: string, message: string): never => {
  throw new ConfigError(setting, message);
};
type Raw = Record<string, unknown>;

/** The project root: the folder that holds config/default.yaml (works from src/ and from dist/src/). */
export function projectRoot(): string {
  for (const candidate of [resolve(__dirname, '../..'), resolve(__dirname, '../../..'), process.cwd()]) {
    if (existsSync(join(candidate, 'config', 'default.yaml'))) return candidate;
  }
  throw new ConfigError('config/default.yaml', 'was not found next to the build or in the working directory');
}

function readYaml(path: string, setting: string): Raw {
  if (!existsSync(path)) throw new ConfigError(setting, `names a file that does not exist: ${path}`);
  const parsed = load(readFileSync(path, 'utf8'));
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(setting, `must be a YAML mapping: ${path}`);
  return parsed as Raw;
}

function merge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? merge(prev as Raw, value as Raw)
        : value;
  }
  return out;
}

/** Environment variables that override file settings: variable → dotted setting path. */
const ENV_OVERRIDES: Record<string, string> = {
  PORT: 'port',
  TINGFENG_ROLE: 'role',
  TINGFENG_PROCESSES: 'processes',
  PROBE_PORT: 'probePort',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  LOG_LEVEL: 'logLevel',
  TRUSTED_PROXIES: 'trustedProxies',
  AUTH_SECRET: 'auth.secret',
  QUEUE_PREFIX: 'queue.prefix',
};

function setPath(target: Raw, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Raw;
  }
  node[keys[keys.length - 1]] = value;
}

/** Reads a dotted path, tracking the name for error messages. */
class Reader {
  constructor(private readonly raw: Raw) {}

  private get(path: string): unknown {
    return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Raw)[key] : undefined), this.raw);
  }

  int(path: string, min: number, max: number): number {
    const value = this.get(path);
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(path, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
    return n;
  }

  text(path: string, opts: { minLength?: number; pattern?: RegExp; hint?: string } = {}): string {
    const value = this.get(path);
    if (typeof value !== 'string' || value.length < (opts.minLength ?? 1)) {
      throw new ConfigError(path, `must be a string of at least ${opts.minLength ?? 1} characters${value === undefined ? ' (it is not set)' : ''}`);
    }
    if (opts.pattern && !opts.pattern.test(value)) throw new ConfigError(path, `must be ${opts.hint} (got ${JSON.stringify(value)})`);
    return value;
  }

  bool(path: string): boolean {
    const value = this.get(path);
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new ConfigError(path, `must be true or false (got ${JSON.stringify(value)})`);
  }

  /** A list of IP addresses or CIDR ranges (IPv4 or IPv6); absent means empty. */
  addressList(path: string): string[] {
    const value = this.get(path) ?? [];
    const list = typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value;
    if (!Array.isArray(list)) throw new ConfigError(path, `must be a list of IP addresses or CIDR ranges (got ${JSON.stringify(value)})`);
    for (const entry of list) {
      const [ip, bits, extra] = typeof entry === 'string' ? entry.split('/') : [];
      const family = ip ? isIP(ip) : 0;
      const maxBits = family === 6 ? 128 : 32;
      if (!family || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
        throw new ConfigError(path, `must be a list of IP addresses or CIDR ranges (got ${JSON.stringify(entry)})`);
      }
    }
    return list as string[];
  }

  oneOf<T extends string>(path: string, allowed: readonly T[]): T {
    const value = this.get(path);
    if (!allowed.includes(value as T)) throw new ConfigError(path, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    return value as T;
  }

  url(path: string, protocols: string[]): string {
    const value = this.text(path);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(path, `must be a URL (got ${JSON.stringify(redactUrl(value))})`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(path, `must be a ${protocols.join(' or ')} URL (got ${JSON.stringify(redactUrl(value))})`);
    }
    return value;
  }
}

/** A URL safe to print: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/**
 * Builds the configuration from config/default.yaml, the optional file named by TINGFENG_CONFIG,
 * the environment, and explicit overrides (used by tests and the demo), then validates every value.
 * This is the only place that reads process.env.
 */
export function loadConfig(overrides: Raw = {}, env: Env = process.env, argv: string[] = process.argv): AppConfig {
  const root = projectRoot();
  let raw = readYaml(join(root, 'config', 'default.yaml'), 'config/default.yaml');
  if (env.TINGFENG_CONFIG) raw = merge(raw, readYaml(resolve(env.TINGFENG_CONFIG), 'TINGFENG_CONFIG'));
  for (const [variable, path] of Object.entries(ENV_OVERRIDES)) {
    if (env[variable] !== undefined && env[variable] !== '') setPath(raw, path, env[variable]);
  }
  const roleArg = argv.find((arg) => arg.startsWith('--role='));
  if (roleArg) setPath(raw, 'role', roleArg.slice('--role='.length));
  raw = merge(raw, overrides);

  const r = new Reader(raw);
  return {
    port: r.int('port', 0, 65535),
    role: r.oneOf('role', PROCESS_ROLES),
    processes: r.int('processes', 1, 64),
    probePort: r.int('probePort', 0, 65535),
    databaseUrl: r.url('databaseUrl', ['postgres:', 'postgresql:']),
    redisUrl: r.url('redisUrl', ['redis:', 'rediss:']),
    logLevel: r.oneOf('logLevel', LOG_LEVELS),
    trustedProxies: r.addressList('trustedProxies'),
    auth: {
      secret: r.text('auth.secret', { minLength: 32 }),
      accessTokenTtlSeconds: r.int('auth.accessTokenTtlSeconds', 60, 7 * 24 * 3600),
      refreshTokenTtlDays: r.int('auth.refreshTokenTtlDays', 1, 365),
      loginMaxAttempts: r.int('auth.loginMaxAttempts', 1, 1000),
      loginWindowSeconds: r.int('auth.loginWindowSeconds', 1, 86_400),
      sessionCacheSeconds: r.int('auth.sessionCacheSeconds', 0, 300),
    },
    audit: {
      retentionYears: r.int('audit.retentionYears', 1, 100),
    },
    reports: {
      minCellSize: r.int('reports.minCellSize', 1, 1000),
      cacheSeconds: r.int('reports.cacheSeconds', 0, 3600),
    },
    retention: {
      unlinkedPostDays: r.int('retention.unlinkedPostDays', 1, 36_500),
      closedCasePostTextDays: r.int('retention.closedCasePostTextDays', 1, 36_500),
      crawlRunDays: r.int('retention.crawlRunDays', 1, 36_500),
    },
    queue: {
      prefix: r.text('queue.prefix', { pattern: /^[a-zA-Z0-9_-]+$/, hint: 'letters, digits, _ or -' }),
      attempts: r.int('queue.attempts', 1, 100),
      backoffMs: r.int('queue.backoffMs', 10, 3_600_000),
      concurrency: {
        crawl: r.int('queue.concurrency.crawl', 1, 64),
        analyze: r.int('queue.concurrency.analyze', 1, 64),
        route: r.int('queue.concurrency.route', 1, 64),
      },
      lockDurationMs: r.int('queue.lockDurationMs', 1000, 3_600_000),
      stalledIntervalMs: r.int('queue.stalledIntervalMs', 500, 3_600_000),
      maxStalledCount: r.int('queue.maxStalledCount', 0, 100),
    },
    crawl: {
      userAgent: r.text('crawl.userAgent', { minLength: 8 }),
      connectTimeoutMs: r.int('crawl.connectTimeoutMs', 100, 120_000),
      headersTimeoutMs: r.int('crawl.headersTimeoutMs', 100, 300_000),
      bodyTimeoutMs: r.int('crawl.bodyTimeoutMs', 100, 600_000),
      maxBodyBytes: r.int('crawl.maxBodyBytes', 1024, 1_073_741_824),
      maxRedirects: r.int('crawl.maxRedirects', 0, 20),
      maxDetailPagesPerRun: r.int('crawl.maxDetailPagesPerRun', 1, 10_000),
      defaultIntervalSeconds: r.int('crawl.defaultIntervalSeconds', 1, 86_400),
      allowPrivateHosts: r.addressList('crawl.allowPrivateHosts'),
      retry: {
        attempts: r.int('crawl.retry.attempts', 1, 20),
        baseDelayMs: r.int('crawl.retry.baseDelayMs', 1, 600_000),
        maxDelayMs: r.int('crawl.retry.maxDelayMs', 1, 3_600_000),
        maxRetryAfterMs: r.int('crawl.retry.maxRetryAfterMs', 0, 3_600_000),
      },
      circuit: {
        failureThreshold: r.int('crawl.circuit.failureThreshold', 1, 1000),
        cooldownSeconds: r.int('crawl.circuit.cooldownSeconds', 1, 7 * 86_400),
      },
      politeness: {
        enabled: r.bool('crawl.politeness.enabled'),
        hostIntervalMs: r.int('crawl.politeness.hostIntervalMs', 0, 600_000),
        hostConcurrency: r.int('crawl.politeness.hostConcurrency', 1, 64),
        robotsCacheSeconds: r.int('crawl.politeness.robotsCacheSeconds', 1, 7 * 86_400),
      },
      emptyFeedRetrySeconds: r.int('crawl.emptyFeedRetrySeconds', 1, 86_400),
      lockTtlSeconds: r.int('crawl.lockTtlSeconds', 5, 86_400),
      maxListPages: r.int('crawl.maxListPages', 1, 1000),
    },
    reconcile: {
      intervalSeconds: r.int('reconcile.intervalSeconds', 1, 86_400),
      graceSeconds: r.int('reconcile.graceSeconds', 0, 86_400),
      statementTimeoutMs: r.int('reconcile.statementTimeoutMs', 100, 3_600_000),
    },
    analysis: {
      categoryModel: r.text('analysis.categoryModel'),
      idfTable: r.text('analysis.idfTable'),
      taxonomy: r.text('analysis.taxonomy'),
      lexiconDir: r.text('analysis.lexiconDir'),
      grouping: {
        windowDays: r.int('analysis.grouping.windowDays', 1, 365),
        duplicateBits: r.int('analysis.grouping.duplicateBits', 0, 16),
        reopenDays: r.int('analysis.grouping.reopenDays', 0, 365),
      },
    },
    sla: parseSlaConfig(merge(readYaml(join(root, r.text('sla.file')), 'sla.file'), (raw.sla ?? {}) as Raw), failSetting),
    notify: parseNotifyConfig((raw.notify ?? {}) as Raw, failSetting),
  };
}
