/**
 * What the ingest, latency, API and memory benchmarks share: a scratch database and queue prefix, the
 * service started in-process (API) and as separate worker processes, the machine description, the
 * evaluation texts (read at run time, never copied into the project), the bench district seeded from
 * them, and small statistics helpers.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { createServer, AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import * as argon2 from 'argon2';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { INestApplicationContext } from '@nestjs/common';
import { AreaNodeInput, AreasService } from '../../src/areas/areas.service';
import { loadConfig, projectRoot } from '../../src/config/config.loader';
import { runMigrations } from '../../src/database/migrate';
import { readDemoDistrict } from '../../src/demo/demo-seed';
import { QueueName } from '../../src/queues/queue-names';
import { redisOptions } from '../../src/queues/redis-options';
import { RulesService } from '../../src/rules/rules.service';
import { RunningService, startService } from '../../src/service';
import { adminQuery, dbUrl, REDIS_URL } from './postgres';
import { deleteRedisKeys } from './test-env';

export const EVAL_DIR = process.env.TINGFENG_EVAL_DIR ?? join(projectRoot(), '..', 'shared', 'eval');
const AUTH_SECRET = randomBytes(32).toString('hex');

/** `--name=value` from the command line, else the fallback. */
export function option(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return raw === undefined ? fallback : Number(raw);
}

export interface EvalText {
  title: string;
  body: string;
}

/** The real messages the benchmarks post (messages.unlabeled.jsonl and hot.jsonl), read at run time. */
export function evalTexts(files = ['messages.unlabeled.jsonl', 'hot.jsonl']): EvalText[] {
  const texts: EvalText[] = [];
  for (const file of files) {
    const path = join(EVAL_DIR, file);
    if (!existsSync(path)) throw new Error(`${path} is missing: the benchmarks post the evaluation texts (set TINGFENG_EVAL_DIR)`);
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { title?: string | null; body?: string | null };
      const body = (row.body ?? '').trim();
      if (!body) continue;
      texts.push({ title: (row.title ?? '').trim() || body.slice(0, 20), body });
    }
  }
  return texts;
}

/** The machine and the versions a figure was measured on. */
export async function describeMachine(): Promise<string> {
  const client = new Client({ connectionString: dbUrl('postgres') });
  await client.connect();
  const [{ server_version: pg }] = (await client.query(`SHOW server_version`)).rows as { server_version: string }[];
  await client.end();
  const redis = new Redis(REDIS_URL);
  const info = await redis.info('server');
  redis.disconnect();
  const cpu = cpus();
  return [
    `date ${new Date().toISOString()}`,
    `cpu ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}`,
    `memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free)`,
    `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `node ${process.version}`,
    `postgres ${pg}`,
    `redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`,
  ].join(', ');
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process in MiB (from /proc; this process when no pid is given). */
export function rssMiB(pid?: number): number {
  if (pid === undefined) return process.memoryUsage().rss / 2 ** 20;
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

export { childPids } from './process-alive';

/** CPU seconds (user + system) a process has used so far (from /proc). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** CPU seconds used so far by the Postgres backends serving this database (from pg_stat_activity and /proc). */
export async function databaseCpuSeconds(db: Client, database: string): Promise<Map<number, number>> {
  const pids = (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database])).rows as { pid: number }[];
  return new Map(pids.map(({ pid }) => [pid, cpuSeconds(pid)]).filter(([, cpu]) => Number.isFinite(cpu)) as [number, number][]);
}

/** CPU seconds used so far by every running Postgres and Redis server process of this machine (from /proc). */
export function serverCpuSeconds(): { postgres: number; redis: number } {
  const out = { postgres: 0, redis: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const key = comm === 'postgres' ? 'postgres' : comm.startsWith('redis-server') ? 'redis' : undefined;
      if (!key) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[key] += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

export interface BenchEnv {
  database: string;
  databaseUrl: string;
  prefix: string;
  /** Settings every process of this run shares (merged into the defaults). */
  settings: Record<string, unknown>;
  db: Client;
  /** Starts the API in this process. */
  startApi(): Promise<RunningService>;
  /** Starts `count` worker processes (`node main.js --role=worker`) and waits until they consume. */
  spawnWorkers(count: number): Promise<ChildProcess[]>;
  /** Starts an API process (`node main.js --role=api`) on a free port and waits until it answers. */
  spawnApi(extraEnv?: Record<string, string>): Promise<{ process: ChildProcess; url: string }>;
  workers: ChildProcess[];
  /** Jobs waiting, active, delayed or prioritised in the analyze and route queues. */
  pipelineBacklog(): Promise<number>;
  cleanup(): Promise<void>;
}

/**
 * A migrated scratch database `tingfeng_bench_<id>` and queue prefix `tfbench-<id>`, dropped by
 * `cleanup` (also on Ctrl-C). `settings` are the configuration every process of the run gets.
 */
export async function createBenchEnv(settings: Record<string, unknown> = {}): Promise<BenchEnv> {
  const id = randomBytes(4).toString('hex');
  const database = `tingfeng_bench_${id}`;
  const prefix = `tfbench-${id}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const databaseUrl = dbUrl(database);
  await runMigrations(databaseUrl);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const merged: Record<string, unknown> = {
    port: 0,
    logLevel: 'warn',
    databaseUrl,
    redisUrl: REDIS_URL,
    ...settings,
    queue: { prefix, ...(settings.queue as object | undefined) },
    crawl: { allowPrivateHosts: ['127.0.0.1'], ...(settings.crawl as object | undefined) },
  };
  const dir = mkdtempSync(join(tmpdir(), 'tingfeng-bench-'));
  const configFile = join(dir, 'bench.yaml');
  writeFileSync(configFile, dump({ ...merged, role: 'worker' }));
  const running: RunningService[] = [];
  const workers: ChildProcess[] = [];
  const children: ChildProcess[] = [];
  const queues = [QueueName.Analyze, QueueName.Route].map((name) => new Queue(name, { connection: redisOptions(REDIS_URL), prefix }));
  /** `node main.js --role=<role>` compiled next to this file (test/bench/tsconfig.json includes src/main.ts). */
  const spawnService = (role: 'api' | 'worker', label: string, extraEnv: Record<string, string> = {}): ChildProcess => {
    const main = resolve(__dirname, '../../src/main.js');
    const env: NodeJS.ProcessEnv = { ...process.env, TINGFENG_CONFIG: configFile, AUTH_SECRET };
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'LOG_LEVEL', 'TINGFENG_ROLE', 'QUEUE_PREFIX']) delete env[key];
    env.NODE_PATH = [join(projectRoot(), 'node_modules'), env.NODE_PATH].filter(Boolean).join(':');
    // BENCH_NODE_ARGS: extra Node flags for the spawned services while investigating, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, main, `--role=${role}`], { cwd: projectRoot(), env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk.toString()}`));
    children.push(child);
    if (role === 'worker') workers.push(child);
    return child;
  };
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    for (const service of running.reverse()) await service.close().catch(() => undefined);
    await Promise.all(queues.map((q) => q.close()));
    await db.end().catch(() => undefined);
    await deleteRedisKeys(`${prefix}:*`);
    // --keep-db: leave the database for looking into afterwards (EXPLAIN, psql); drop it by hand.
    if (process.argv.includes('--keep-db')) process.stderr.write(`kept database ${database}\n`);
    else await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  return {
    database,
    databaseUrl,
    prefix,
    settings: merged,
    db,
    workers,
    async startApi() {
      const config = loadConfig({ ...merged, role: 'api' }, { AUTH_SECRET }, []);
      const service = await startService(config, { host: '127.0.0.1' });
      running.push(service);
      return service;
    },
    async spawnWorkers(count: number) {
      const started: ChildProcess[] = [];
      for (let i = 0; i < count; i++) started.push(spawnService('worker', `worker ${i + 1}`));
      // A worker is up when it registered as a consumer of the analyze queue.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const consumers = await queues[0].getWorkersCount();
        if (consumers >= workers.length) return started;
        if (started.some((c) => c.exitCode !== null)) throw new Error('a worker process exited during start-up');
        await sleep(250);
      }
      throw new Error('worker processes did not start within 60 s');
    },
    async spawnApi(extraEnv: Record<string, string> = {}) {
      const port = await freePort();
      const child = spawnService('api', 'api', { ...extraEnv, PORT: String(port) });
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error('the API process exited during start-up');
        const up = await fetch(`${url}/health/live`).then((r) => r.status < 500, () => false);
        if (up) return { process: child, url };
        await sleep(250);
      }
      throw new Error('the API process did not start within 60 s');
    },
    async pipelineBacklog() {
      let total = 0;
      for (const q of queues) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        total += Object.values(counts).reduce((s, n) => s + n, 0);
      }
      return total;
    },
    cleanup,
  };
}

export interface BenchDistrict {
  rootId: number;
  districts: { id: number; name: string }[];
  communities: { id: number; name: string; districtId: number }[];
  /** Worker per community, supervisor per district, one official: ids and roles. */
  users: { id: number; role: 'worker' | 'supervisor' | 'official'; areaId: number }[];
}

/**
 * The bench district, built at run time from the evaluation texts: the city (A市) as root, its
 * districts (A1区…) and, below each, the residential compounds its messages name most often, so
 * posts land in many areas, open many cases and are routed to many people. One worker per compound,
 * one supervisor per district, one official. Rules are the demo district's warning rules.
 */
export async function seedBenchDistrict(app: INestApplicationContext, env: BenchEnv, texts: readonly EvalText[], maxCommunities = 300): Promise<BenchDistrict> {
  const districtOf = /A\d区/;
  const compound = /([\u4e00-\u9fa5]{2,6}(?:小区|花园|家园|新村|公寓))/g;
  const counts = new Map<string, Map<string, number>>();
  for (const { title, body } of texts) {
    const text = `${title}。${body}`;
    const district = districtOf.exec(text)?.[0];
    if (!district) continue;
    const names = counts.get(district) ?? new Map<string, number>();
    counts.set(district, names);
    for (const m of text.matchAll(compound)) {
      // Keep the compound name, not the words before it (…反映XX小区 → XX小区).
      const name = m[1].replace(/^.*(?:反映|投诉|关于|位于|我们|我是|业主|的|在)/, '');
      if (name.length >= 4) names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  const perDistrict = Math.max(1, Math.floor(maxCommunities / Math.max(1, counts.size)));
  const taken = new Set<string>();
  const tree: AreaNodeInput = {
    code: 'bench-a',
    name: 'A市',
    level: 'district',
    aliases: ['A市'],
    children: [...counts.keys()].sort().map((district, d) => ({
      code: `bench-a${d + 1}`,
      name: district,
      level: 'street' as const,
      children: [...counts.get(district)!.entries()]
        .sort((a, b) => b[1] - a[1])
        .filter(([name]) => !taken.has(name) && taken.add(name))
        .slice(0, perDistrict)
        .map(([name], c) => ({ code: `bench-a${d + 1}-${c + 1}`, name, level: 'community' as const })),
    })),
  };
  const areas = app.get(AreasService);
  await areas.importTree(tree);
  for (const rule of readDemoDistrict().rules) await app.get(RulesService).upsert(rule);
  const rows = (await env.db.query(`SELECT id, name, level, parent_id FROM areas ORDER BY id`)).rows as { id: number; name: string; level: string; parent_id: number | null }[];
  const root = rows.find((r) => r.parent_id === null)!;
  const districts = rows.filter((r) => r.level === 'street').map((r) => ({ id: r.id, name: r.name }));
  const communities = rows.filter((r) => r.level === 'community').map((r) => ({ id: r.id, name: r.name, districtId: r.parent_id! }));
  // One password hash for every bench account (hashing hundreds with argon2 would take most of a minute).
  const hash = await argon2.hash(randomBytes(12).toString('hex'));
  const accounts = [
    ...communities.map((c, i) => ({ username: `bench-worker-${i + 1}`, role: 'worker', areaId: c.id })),
    ...districts.map((d, i) => ({ username: `bench-supervisor-${i + 1}`, role: 'supervisor', areaId: d.id })),
    { username: 'bench-official', role: 'official', areaId: root.id },
  ];
  const inserted = (
    await env.db.query(
      `INSERT INTO users (username, display_name, role, password_hash, scope_area_ids)
       SELECT r.username, r.username, r.role, $2, ARRAY[r.area_id] FROM jsonb_to_recordset($1::jsonb) AS r(username text, role text, area_id int)
       RETURNING id, role, scope_area_ids[1] AS area_id`,
      [JSON.stringify(accounts.map((a) => ({ username: a.username, role: a.role, area_id: a.areaId }))), hash],
    )
  ).rows as { id: number; role: BenchDistrict['users'][number]['role']; area_id: number }[];
  return { rootId: root.id, districts, communities, users: inserted.map((u) => ({ id: u.id, role: u.role, areaId: u.area_id })) };
}
