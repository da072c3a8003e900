import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/config.loader';
import { runMigrations } from '../../src/database/migrate';
import { jobIds, QueueName } from '../../src/queues/queue-names';
import { redisOptions } from '../../src/queues/redis-options';
import { startService } from '../../src/service';
import { SourcesService } from '../../src/sources/sources.service';
import { faultPosts, seedFaultDistrict } from '../support/fault-district';
import { OwnPostgres } from '../support/own-postgres';
import { REDIS_URL } from '../support/postgres';
import { buildService, freePort, ServiceProcess, serviceProcesses, ServiceProcesses } from '../support/service-process';
import { deleteRedisKeys, eventually } from '../support/test-env';
import { WebhookReceiver } from '../support/webhook-receiver';

const FIRST = 3_000;
const AFTER = 1_000;
const BATCH = 500;
const SECRET = 'fault-webhook-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Postgres (a server of this test's own) stops abruptly (immediate shutdown, then crash recovery) in
 * the middle of a run and comes back some seconds later: the service process (API and worker in one,
 * as a child process) keeps running, answers pushes with an error while the database is away, its
 * jobs retry with backoff, and the run finishes with every post analysed once, each dispute in one
 * case, every case assigned and every notification delivered.
 */
describe('fault: Postgres restarted in the middle of a run', () => {
  const prefix = `tffault-pg-${randomBytes(4).toString('hex')}`;
  const receiver = new WebhookReceiver(SECRET);
  let pg: OwnPostgres;
  let db: Client;
  let procs: ServiceProcesses;
  const all: ServiceProcesses[] = [];
  let service: ServiceProcess;
  let url: string;
  let token: string;
  let build: string;
  let settings: Record<string, unknown> & { redisUrl: string; queue: { prefix: string } & Record<string, unknown> };

  beforeAll(async () => {
    let hook: string;
    [build, hook] = await Promise.all([
      buildService(),
      receiver.start(),
      (async () => {
        pg = await OwnPostgres.create();
        await pg.query(`CREATE DATABASE tingfeng_fault`);
        await runMigrations(pg.url('tingfeng_fault'));
      })(),
    ]);
    settings = {
      databaseUrl: pg.url('tingfeng_fault'),
      redisUrl: REDIS_URL,
      // Five tries with 1, 2, 4, 8 s between them: a database away for a few seconds is ridden out.
      queue: { prefix, attempts: 5, backoffMs: 1000, concurrency: { analyze: 8, route: 4 } },
      reconcile: { intervalSeconds: 5, graceSeconds: 30 },
      notify: { attempts: 10, backoffMs: 500, webhooks: [{ name: 'ops', url: `${hook}/hook`, secret: SECRET }] },
    };
    // Seed through an API of this process, closed before the fault so only the child sees it.
    const seeder = await startService(loadConfig({ ...settings, role: 'api', port: 0, logLevel: 'error' }, { AUTH_SECRET: 'x'.repeat(32) }, []), { host: '127.0.0.1' });
    try {
      const rootId = await seedFaultDistrict(seeder.app);
      const sources = seeder.app.get(SourcesService);
      const source = await sources.upsert({ code: 'hotline', name: '12345 热线推送', kind: 'push', defaultAreaId: rootId });
      token = (await sources.rotatePushToken(source.id)).token;
    } finally {
      await seeder.close();
    }
    procs = serviceProcesses(build, settings);
    all.push(procs);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = await procs.start('all', { PORT: String(port) });
    db = new Client({ connectionString: pg.url('tingfeng_fault') });
    await db.connect();
  }, 300_000);

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    for (const p of all) await p.stopAll();
    await pg?.destroy();
    await receiver.stop();
    await deleteRedisKeys(`${prefix}:*`);
  });

  const push = (items: unknown[]) =>
    fetch(`${url}/ingest/hotline`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ items }) }).then(
      (r) => r.status,
    );
  /** The queue's view of some analyze jobs: state, tries made, last failure. */
  const describeJobs = async (ids: string[]) => {
    const queue = new Queue(QueueName.Analyze, { connection: redisOptions(REDIS_URL), prefix });
    try {
      const out = await Promise.all(
        ids.slice(0, 5).map(async (id) => {
          const job = await queue.getJob(id);
          return job ? `${id} ${await job.getState()} after ${job.attemptsMade} tries (${job.failedReason ?? 'no failure'})` : `${id} not in the queue`;
        }),
      );
      return out.join('; ');
    } finally {
      await queue.close();
    }
  };
  const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);
  const analysed = () => count(`SELECT count(*) AS n FROM posts p WHERE EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash)`);
  const ORPHANS = `SELECT a.post_id, a.content_hash FROM analyses a WHERE jsonb_array_length(a.fired_rules) > 0 AND a.suppressed_by = '[]'::jsonb AND NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = a.post_id)`;
  /** Cases not assigned, notifications not delivered, and analyses that raised a rule but are in no case (yet). */
  const unfinished = () =>
    count(
      `SELECT (SELECT count(*) FROM cases WHERE status <> 'assigned') + (SELECT count(*) FROM notifications WHERE status <> 'delivered') + (SELECT count(*) FROM (${ORPHANS}) o) AS n`,
    );

  it('keeps running while the database is away, retries its jobs and finishes them all once', async () => {
    const posts = faultPosts(FIRST + AFTER);
    for (let i = 0; i < FIRST; i += BATCH) expect(await push(posts.slice(i, i + BATCH))).toBe(200);
    const started = Date.now();
    const atStop = await eventually(async () => {
      const n = await analysed();
      return n >= FIRST / 5 && n;
    }, 60_000, 'the run to be under way');
    expect(atStop).toBeLessThan(FIRST);

    await db.end();
    await pg.stop('immediate');
    const stoppedAt = Date.now();
    // While the database is away the API answers with an error, and nothing crashes.
    const during = await push(posts.slice(FIRST, FIRST + 1));
    expect(during).toBeGreaterThanOrEqual(500);
    await sleep(5000);
    expect(service.child.exitCode).toBeNull();
    expect(service.child.signalCode).toBeNull();
    await pg.start();
    const downSeconds = (Date.now() - stoppedAt) / 1000;
    db = new Client({ connectionString: pg.url('tingfeng_fault') });
    await db.connect();

    // Posts pushed after the restart are accepted again (the pool replaced its dead connections).
    await eventually(async () => (await push(posts.slice(FIRST, FIRST + BATCH))) === 200, 30_000, 'the API to accept pushes again');
    for (let i = FIRST + BATCH; i < FIRST + AFTER; i += BATCH) expect(await push(posts.slice(i, i + BATCH))).toBe(200);

    await eventually(async () => (await analysed()) === FIRST + AFTER, 120_000, 'every post to be analysed');
    await eventually(async () => (await unfinished()) === 0, 60_000, 'every post correlated, every case assigned and every notification delivered');
    process.stdout.write(`fault-postgres-restart: stopped at ${atStop} of ${FIRST} analysed, database away ${downSeconds.toFixed(1)} s, all ${FIRST + AFTER} done after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    expect(service.child.exitCode).toBeNull();

    expect(await count(`SELECT count(*) AS n FROM posts`)).toBe(FIRST + AFTER);
    expect(await count(`SELECT count(*) AS n FROM analyses`)).toBe(FIRST + AFTER);
    const cases = await count(`SELECT count(*) AS n FROM cases`);
    expect(cases).toBeGreaterThan(5);
    expect(await count(`SELECT count(DISTINCT (area_id, rule_id)) AS n FROM cases`)).toBe(cases);
    expect(await count(`SELECT count(*) AS n FROM cases c WHERE post_count <> (SELECT count(*) FROM case_posts cp WHERE cp.case_id = c.id)`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM cases c WHERE (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.type = 'assigned') <> 1`)).toBe(0);
    const orphans = (await db.query(ORPHANS)).rows as { post_id: number; content_hash: string }[];
    if (orphans.length) process.stdout.write(`posts analysed but never correlated: ${await describeJobs(orphans.map((o) => jobIds.analyze(o.post_id, o.content_hash)))}\n`);
    expect(orphans).toEqual([]);
    const hooks = (await db.query(`SELECT id FROM notifications WHERE channel = 'webhook'`)).rows as { id: number }[];
    expect(hooks).toHaveLength(cases);
    expect([...receiver.recorded.keys()].sort()).toEqual(hooks.map((h) => String(h.id)).sort());
  }, 300_000);

  /**
   * Jobs that run out of tries while the database is away stay in the queue's failed set under their
   * deterministic ids, where adding the same id again is a no-op: the reconciler retries them (with
   * fresh tries) once the database is back. Here the tries are cut to two, 200 ms apart, so a
   * three-second outage exhausts them; the reconciler runs every 5 s with a 5 s grace period.
   */
  it('re-runs jobs that ran out of tries while the database was away (reconciler)', async () => {
    await procs.stopAll();
    procs = serviceProcesses(build, { ...settings, queue: { ...settings.queue, attempts: 2, backoffMs: 200 }, reconcile: { intervalSeconds: 5, graceSeconds: 5 } });
    all.push(procs);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = await procs.start('all', { PORT: String(port) });
    const posts = faultPosts(1000, 'r');
    for (let i = 0; i < posts.length; i += BATCH) expect(await push(posts.slice(i, i + BATCH))).toBe(200);
    await db.end();
    await pg.stop('immediate');
    await sleep(3000);
    await pg.start();
    db = new Client({ connectionString: pg.url('tingfeng_fault') });
    await db.connect();
    const total = FIRST + AFTER + posts.length;
    try {
      await eventually(async () => (await analysed()) === total, 25_000, 'every post to be analysed after its jobs ran out of tries');
    } finally {
      const missing = (await db.query(`SELECT id, content_hash FROM posts p WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash) ORDER BY id LIMIT 3`)).rows as { id: number; content_hash: string }[];
      process.stdout.write(`fault-postgres-restart (exhausted tries): ${await analysed()} of ${total} analysed 25 s after the restart; e.g. ${await describeJobs(missing.map((m) => jobIds.analyze(m.id, m.content_hash)))}\n`);
    }
    // Correlation, routing and delivery that ran out of tries too are redone: each dispute in one
    // case, every case assigned once, every notification delivered (the relay runs every 15 s).
    await eventually(async () => (await unfinished()) === 0, 45_000, 'every post correlated, every case assigned and every notification delivered');
    const cases = await count(`SELECT count(*) AS n FROM cases`);
    expect(await count(`SELECT count(DISTINCT (area_id, rule_id)) AS n FROM cases`)).toBe(cases);
    expect(await count(`SELECT count(*) AS n FROM cases c WHERE post_count <> (SELECT count(*) FROM case_posts cp WHERE cp.case_id = c.id)`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM cases c WHERE (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.type = 'assigned') <> 1`)).toBe(0);
    const hooks = (await db.query(`SELECT id FROM notifications WHERE channel = 'webhook'`)).rows as { id: number }[];
    expect([...receiver.recorded.keys()].sort()).toEqual(hooks.map((h) => String(h.id)).sort());
  }, 120_000);
});
