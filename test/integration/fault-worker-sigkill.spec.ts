import { DataSource } from 'typeorm';
import type { RunningService } from '../../src/service';
import { SourcesService } from '../../src/sources/sources.service';
import { faultPosts, seedFaultDistrict } from '../support/fault-district';
import { REDIS_URL } from '../support/postgres';
import { buildService, ServiceProcess, serviceProcesses, ServiceProcesses } from '../support/service-process';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';
import { WebhookReceiver } from '../support/webhook-receiver';

const POSTS = 10_000;
const EDITS = 500;
const KILLS = 4;
// Pushed in batches of 250 (a push may hold 500): the second half arrives in 20 batches while workers die.
const BATCH = 250;
const SECRET = 'fault-webhook-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A worker process killed with SIGKILL at random moments while 10,000 pushed posts (and 500 edits of
 * them) go through analysis, grouping, routing and notification; replaced each time. Afterwards:
 * every post revision that is current has exactly one analysis, no case exists twice and no counter
 * drifted, every case is assigned once, and every notification was delivered — at least once to the
 * webhook, which receives each notification id (its idempotency key) and records it once.
 */
describe('fault: worker killed with SIGKILL in the middle of a run', () => {
  let env: TestEnv;
  let api: RunningService;
  let db: DataSource;
  let procs: ServiceProcesses;
  const receiver = new WebhookReceiver(SECRET);

  beforeAll(async () => {
    receiver.answerDelayMs = 100;
    const [build, hook] = await Promise.all([buildService(), receiver.start(), (async () => (env = await createTestEnv()))()]);
    api = await env.start({ role: 'api' });
    db = api.app.get(DataSource);
    procs = serviceProcesses(build, {
      databaseUrl: env.databaseUrl,
      redisUrl: REDIS_URL,
      // A killed worker's jobs are taken up again within 10 s (lock 8 s, stalled checks every 2 s), not 60 s.
      queue: { prefix: env.queuePrefix, backoffMs: 200, concurrency: { analyze: 8, route: 4 }, lockDurationMs: 8000, stalledIntervalMs: 2000 },
      reconcile: { intervalSeconds: 5, graceSeconds: 10 },
      notify: { attempts: 20, backoffMs: 200, webhooks: [{ name: 'ops', url: `${hook}/hook`, secret: SECRET }] },
    });
  }, 300_000);

  afterAll(async () => {
    await procs?.stopAll();
    await env?.teardown();
    await receiver.stop();
  });

  it('analyses every post once, duplicates no case and loses or records twice no notification', async () => {
    const rootId = await seedFaultDistrict(api.app);
    const sources = api.app.get(SourcesService);
    const source = await sources.upsert({ code: 'hotline', name: '12345 热线推送', kind: 'push', defaultAreaId: rootId });
    const { token } = await sources.rotatePushToken(source.id);
    const push = async (items: unknown[]) => {
      const res = await fetch(`${api.url}/ingest/hotline`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ items }) });
      expect(res.status).toBe(200);
    };
    const posts = faultPosts(POSTS);
    const count = async (sql: string) => (await db.query(sql))[0].n as number;
    const analysed = () => count(`SELECT count(*)::int AS n FROM posts p WHERE EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash)`);

    // The first half is queued before any worker runs; the rest (and the edits) arrive while workers die.
    for (let i = 0; i < POSTS / 2; i += BATCH) await push(posts.slice(i, i + BATCH));
    const started = Date.now();
    let worker: ServiceProcess = await procs.start('worker');
    const feeding = (async () => {
      for (let i = POSTS / 2; i < POSTS; i += BATCH) {
        await push(posts.slice(i, i + BATCH));
        await sleep(300);
      }
      // Edits: a new revision of every 20th post (a new content hash, so a new analysis).
      const edits = posts.filter((_, i) => i % 20 === 0).map((p) => ({ ...p, body: `${p.body}\n（更新：问题仍未解决）` }));
      for (let i = 0; i < edits.length; i += BATCH) await push(edits.slice(i, i + BATCH));
    })();
    // Random moments, drawn as points of progress (a worker that is still starting up would make none).
    // Its replacement starts first (a start-up takes seconds, which the run would otherwise sit idle),
    // then the worker is killed while it is busy: its running jobs stall and are taken up again.
    const marks = Array.from({ length: KILLS }, () => Math.floor(POSTS * (0.05 + Math.random() * 0.8))).sort((a, b) => a - b);
    const kills: string[] = [];
    for (const mark of marks) {
      await eventually(async () => (await analysed()) >= mark, 120_000, `${mark} posts to be analysed`);
      const replacement = await procs.start('worker');
      await sleep(Math.random() * 1000);
      kills.push(`${((Date.now() - started) / 1000).toFixed(1)} s at ${await analysed()}`);
      await procs.kill(worker, 'SIGKILL');
      worker = replacement;
    }
    await feeding;

    // Jobs a killed worker held are stalled until their lock expires (8 s), then run again.
    await eventually(async () => (await analysed()) === POSTS, 150_000, 'every post to be analysed');
    const analysedAfter = (Date.now() - started) / 1000;
    // Correlation comes after analysis (for a whole batch of posts at a time): wait for it too.
    const notYet = () =>
      count(
        `SELECT (SELECT count(*) FROM cases WHERE status <> 'assigned') + (SELECT count(*) FROM notifications WHERE status <> 'delivered')
              + (SELECT count(*) FROM analyses a JOIN posts p ON p.id = a.post_id AND p.content_hash = a.content_hash
                  WHERE jsonb_array_length(a.fired_rules) > 0 AND a.suppressed_by = '[]'::jsonb AND NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = a.post_id)) AS n`,
      ).then(Number);
    await eventually(async () => (await notYet()) === 0, 90_000, 'every post correlated, every case assigned and every notification delivered');
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`fault-worker-sigkill: ${POSTS} posts + ${EDITS} edits, killed at [${kills.join('; ')}], all analysed after ${analysedAfter.toFixed(1)} s, done after ${seconds.toFixed(1)} s; ` +
      `webhook: ${receiver.deliveries.length} deliveries, ${receiver.recorded.size} keys, ${receiver.repeats} repeats\n`);
    expect(worker.child.exitCode).toBeNull();

    // Analysis: one row per (post, revision content); the current revision of every post has it.
    expect(await count(`SELECT count(*)::int AS n FROM posts`)).toBe(POSTS);
    expect(await count(`SELECT count(*)::int AS n FROM posts WHERE revision = 2`)).toBe(EDITS);
    expect(await count(`SELECT count(*)::int AS n FROM (SELECT 1 FROM analyses GROUP BY post_id, content_hash, pipeline_version HAVING count(*) > 1) d`)).toBe(0);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM analyses a JOIN posts p ON p.id = a.post_id
          WHERE a.content_hash <> p.content_hash AND NOT EXISTS (SELECT 1 FROM post_revisions r WHERE r.post_id = p.id AND r.content_hash = a.content_hash)`,
      ),
    ).toBe(0);

    // Cases: one per area and rule, each created once, its post counter equal to its linked posts.
    const cases = await count(`SELECT count(*)::int AS n FROM cases`);
    expect(cases).toBeGreaterThan(5);
    expect(await count(`SELECT count(DISTINCT (area_id, rule_id))::int AS n FROM cases`)).toBe(cases);
    expect(await count(`SELECT count(*)::int AS n FROM cases c WHERE post_count <> (SELECT count(*) FROM case_posts cp WHERE cp.case_id = c.id)`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM cases c WHERE (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.type = 'created') <> 1`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM cases c WHERE (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.type = 'assigned') <> 1`)).toBe(0);
    // Every post that raised a rule (and was not suppressed) belongs to a case.
    expect(
      await count(
        `SELECT count(*)::int AS n FROM analyses a JOIN posts p ON p.id = a.post_id AND p.content_hash = a.content_hash
          WHERE jsonb_array_length(a.fired_rules) > 0 AND a.suppressed_by = '[]'::jsonb AND NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = a.post_id)`,
      ),
    ).toBe(0);

    // Notifications: one outbox row per case, event and target; all delivered; the webhook got each id.
    expect(await count(`SELECT count(*)::int AS n FROM (SELECT 1 FROM notifications GROUP BY case_id, event, channel, target HAVING count(*) > 1) d`)).toBe(0);
    const hooks: { id: number; case_id: number }[] = await db.query(`SELECT id, case_id FROM notifications WHERE channel = 'webhook' AND event = 'assigned' ORDER BY id`);
    expect(hooks).toHaveLength(cases);
    expect(receiver.deliveries.every((d) => d.signatureOk)).toBe(true);
    expect([...receiver.recorded.keys()].sort()).toEqual(hooks.map((h) => String(h.id)).sort());
    for (const h of hooks) expect(receiver.recorded.get(String(h.id))!.body).toMatchObject({ id: h.id, caseId: h.case_id, event: 'assigned' });
    // Repeats (a worker killed between the POST and recording it as delivered) carry the same key and payload.
    for (const d of receiver.deliveries) expect(d.body).toEqual(receiver.recorded.get(d.key)!.body);
  }, 420_000);
});
