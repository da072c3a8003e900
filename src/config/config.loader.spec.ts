import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, redactUrl } from './config.loader';

const SECRET = { AUTH_SECRET: 'x'.repeat(32) };

describe('loadConfig', () => {
  it('reads config/default.yaml and lets the conventional variables override it', () => {
    const config = loadConfig({}, { ...SECRET, PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/tf', REDIS_URL: 'redis://cache:6380/2', TINGFENG_ROLE: 'worker' }, []);
    expect(config).toMatchObject({ port: 8080, role: 'worker', databaseUrl: 'postgres://u:p@db:5432/tf', redisUrl: 'redis://cache:6380/2' });
    expect(config.crawl.maxBodyBytes).toBeGreaterThan(0);
    expect(config.auth.secret).toBe(SECRET.AUTH_SECRET);
  });

  it('takes --role from the command line and a file named by TINGFENG_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-config-'));
    const file = join(dir, 'local.yaml');
    writeFileSync(file, 'queue:\n  attempts: 9\ncrawl:\n  maxRedirects: 2\n');
    const config = loadConfig({}, { ...SECRET, TINGFENG_CONFIG: file }, ['node', 'main.js', '--role=api']);
    expect(config.role).toBe('api');
    expect(config.queue.attempts).toBe(9);
    expect(config.queue.concurrency.analyze).toBeGreaterThan(0);
    // BullMQ's own defaults: a killed worker's jobs are taken up again within a minute.
    expect(config.queue).toMatchObject({ lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 });
    expect(config.crawl.maxRedirects).toBe(2);
  });

  it.each<[string, Record<string, string>, Record<string, unknown>, RegExp]>([
    ['a non-numeric port', { PORT: 'eighty' }, {}, /^Invalid configuration: port must be an integer from 0 to 65535 \(got "eighty"\)$/],
    ['a MySQL database URL', { DATABASE_URL: 'mysql://root@localhost/tf' }, {}, /databaseUrl must be a postgres: or postgresql: URL/],
    ['a URL that is not one', { REDIS_URL: 'localhost:6379' }, {}, /redisUrl must be a redis: or rediss: URL/],
    ['an unknown role', { TINGFENG_ROLE: 'cron' }, {}, /role must be one of api, worker, all \(got "cron"\)/],
    ['a missing secret', { AUTH_SECRET: '' }, {}, /auth.secret must be a string of at least 32 characters \(it is not set\)/],
    ['a nested number out of range', {}, { queue: { concurrency: { analyze: 0 } } }, /queue.concurrency.analyze must be an integer from 1 to 64/],
    ['a lock shorter than a second', {}, { queue: { lockDurationMs: 200 } }, /queue.lockDurationMs must be an integer from 1000 to 3600000/],
    ['a negative stall allowance', {}, { queue: { maxStalledCount: -1 } }, /queue.maxStalledCount must be an integer from 0 to 100/],
  ])('refuses %s with an error naming the setting', (_name, env, overrides, message) => {
    const attempt = () => loadConfig(overrides, { ...SECRET, ...env }, []);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('reads trusted proxies from TRUSTED_PROXIES and names a bad entry', () => {
    expect(loadConfig({}, SECRET, []).trustedProxies).toEqual([]);
    expect(loadConfig({}, { ...SECRET, TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12,::1' }, []).trustedProxies).toEqual(['10.0.0.1', '172.16.0.0/12', '::1']);
    expect(() => loadConfig({}, { ...SECRET, TRUSTED_PROXIES: 'proxy.internal' }, [])).toThrow('Invalid configuration: trustedProxies must be a list of IP addresses or CIDR ranges (got "proxy.internal")');
  });

  it('reads the number of process copies from TINGFENG_PROCESSES and refuses nonsense', () => {
    expect(loadConfig({}, SECRET, []).processes).toBe(1);
    expect(loadConfig({}, { ...SECRET, TINGFENG_PROCESSES: '2' }, []).processes).toBe(2);
    expect(() => loadConfig({}, { ...SECRET, TINGFENG_PROCESSES: '0' }, [])).toThrow('Invalid configuration: processes must be an integer from 1 to 64 (got "0")');
    expect(() => loadConfig({ processes: 'auto' }, SECRET, [])).toThrow('processes must be an integer');
  });

  it('names a TINGFENG_CONFIG file that does not exist', () => {
    expect(() => loadConfig({}, { ...SECRET, TINGFENG_CONFIG: '/nonexistent/tf.yaml' }, [])).toThrow(/TINGFENG_CONFIG names a file that does not exist/);
  });

  it('never prints a password from a URL', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/tf')).toBe('postgres://app:***@db:5432/tf');
    expect(() => loadConfig({}, { ...SECRET, DATABASE_URL: 'mysql://app:s3cret@db/tf' }, [])).toThrow(/app:\*\*\*@db/);
  });
});
