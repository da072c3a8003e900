import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { DemoForum, demoForumSources } from '../../src/demo/demo-forum.server';
import { DEMO_POSTS } from '../../src/demo/demo-posts';
import { jobIds, QueueName } from '../../src/queues/queue-names';
import { redisOptions } from '../../src/queues/redis-options';
import type { RunningService } from '../../src/service';
import { Source } from '../../src/sources/source.entity';
import { SourcesService } from '../../src/sources/sources.service';
import { seedFaultDistrict } from '../support/fault-district';
import { FlappingProxy, ProxyMode } from '../support/flapping-proxy';
import { REDIS_URL } from '../support/postgres';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

const FLAP_SECONDS = 40;
/** Seconds from a healthy post's publication to its analysis and to its case (assigned, post attached). */
const BOUND_SECONDS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One forum flaps between up, slow (answers after 1.5 s) and HTTP 500 for 40 seconds while a second,
 * healthy forum on another host keeps publishing; both are crawled every second. The healthy source is
 * unaffected: every crawl of it succeeds and each of its posts is analysed and in an assigned case
 * within a bound. The flapping one recovers: once it is up for good, every post it published arrives,
 * once. The healthy forum listens on 127.0.0.2 so the two do not share per-host politeness state.
 */
describe('fault: a forum flapping between up, slow and failing', () => {
  let env: TestEnv;
  let service: RunningService;
  let db: DataSource;
  const healthy = new DemoForum({ host: '127.0.0.2' });
  const upstream = new DemoForum();
  let proxy: FlappingProxy;
  let healthyUrl: string;
  let flappingUrl: string;

  beforeAll(async () => {
    healthyUrl = await healthy.start();
    proxy = new FlappingProxy(await upstream.start());
    flappingUrl = await proxy.start();
    env = await createTestEnv();
    service = await env.start({
      role: 'all',
      queue: { backoffMs: 200, concurrency: { crawl: 4, analyze: 4, route: 4 } },
      reconcile: { intervalSeconds: 5, graceSeconds: 15 },
      crawl: {
        allowPrivateHosts: ['127.0.0.1', '127.0.0.2'],
        headersTimeoutMs: 3000,
        retry: { attempts: 2, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 1000 },
        circuit: { failureThreshold: 3, cooldownSeconds: 3 },
        politeness: { enabled: true, hostIntervalMs: 50, hostConcurrency: 2, robotsCacheSeconds: 3600 },
      },
    });
    db = service.app.get(DataSource);
  });

  afterAll(async () => {
    await env?.teardown();
    await proxy?.stop();
    await healthy.stop();
    await upstream.stop();
  });

  it('leaves the healthy source unaffected and recovers the flapping one without duplicates', async () => {
    const rootId = await seedFaultDistrict(service.app);
    const sources = service.app.get(SourcesService);
    const add = async (code: string, base: string) => {
      // The demo's selectors follow the 下一页 link: a source that fell behind by more than a page catches up.
      const { html } = demoForumSources(base);
      const source = await sources.upsert({ code, name: code, kind: 'html', url: html.url, config: html.config as unknown as Record<string, unknown>, intervalSeconds: 10, defaultAreaId: rootId });
      // Faster than the API allows (10 s at least): many crawls while the forum flaps.
      await db.getRepository(Source).update(source.id, { intervalSeconds: 1, jitterSeconds: 0 });
      await sources.schedule(await sources.get(source.id));
      return source.id;
    };

    // Both forums publish a post a second (demo posts, numbered so every one is new). The first one
    // goes out before crawling starts: an empty board looks like a layout change ("broken").
    const publishedAt = new Map<string, number>();
    let n = 0;
    const publish = () => {
      n++;
      const base = DEMO_POSTS[n % DEMO_POSTS.length];
      const post = { ...base, board: 'neighbourhood' as const, title: `${base.title}（${n}）`, body: `${base.body}\n第${n}次反映。` };
      publishedAt.set(String(healthy.publish(post).id), Date.now());
      upstream.publish({ ...post, title: `${post.title}·转` });
    };
    publish();
    const healthyId = await add('healthy-forum', healthyUrl);
    const flappingId = await add('flapping-forum', flappingUrl);
    const timer = setInterval(publish, 1000);

    // Flapping: up first (robots.txt is read and cached), then a random phase every 1.5–4 s.
    const phases: string[] = [];
    const started = Date.now();
    await sleep(3000);
    const modes: ProxyMode[] = ['up', 'slow', 'error'];
    while (Date.now() - started < FLAP_SECONDS * 1000) {
      proxy.mode = modes[Math.floor(Math.random() * modes.length)];
      phases.push(proxy.mode);
      await sleep(1500 + Math.random() * 2500);
    }
    proxy.mode = 'up';
    clearInterval(timer);
    const published = n;

    const rows = async (sourceId: number) =>
      db.query(
        `SELECT p.id, p.content_hash, p.revision, p.external_id, p.published_at, p.fetched_at, a.analyzed_at,
                (SELECT max(greatest(cp.attached_at, c.assigned_at)) FROM case_posts cp JOIN cases c ON c.id = cp.case_id WHERE cp.post_id = p.id) AS in_case_at,
                jsonb_array_length(a.fired_rules) > 0 AND a.suppressed_by = '[]'::jsonb AS raises
           FROM posts p LEFT JOIN analyses a ON a.post_id = p.id AND a.content_hash = p.content_hash WHERE p.source_id = $1`,
        [sourceId],
      ) as Promise<{ id: number; content_hash: string; revision: number; external_id: string; analyzed_at: Date | null; in_case_at: Date | null; raises: boolean | null }[]>;
    const done = (list: Awaited<ReturnType<typeof rows>>) =>
      list.length === published && list.every((r) => r.analyzed_at && (!r.raises || r.in_case_at));
    const state = async (sourceId: number) => {
      const list = await rows(sourceId);
      const queue = new Queue(QueueName.Analyze, { connection: redisOptions(REDIS_URL), prefix: env.queuePrefix });
      const jobs = await Promise.all(
        list.filter((r) => !r.analyzed_at).slice(0, 5).map(async (r) => {
          const job = await queue.getJob(jobIds.analyze(r.id, r.content_hash));
          return `post ${r.id} rev ${r.revision}: ${job ? `${await job.getState()} ${job.failedReason ?? ''} attempts ${job.attemptsMade}` : 'no job'}`;
        }),
      );
      await queue.close();
      return `${list.length} of ${published} stored, ${list.filter((r) => !r.analyzed_at).length} not analysed [${jobs.join('; ')}], ${list.filter((r) => r.raises && !r.in_case_at).length} raising a rule but in no case`;
    };
    await eventually(async () => done(await rows(healthyId)), 30_000, 'every healthy post analysed and in a case').catch(async (e: Error) => {
      throw new Error(`${e.message} (${await state(healthyId)})`);
    });
    await eventually(async () => done(await rows(flappingId)), 60_000, 'every post of the flapping forum to arrive, analysed and in a case').catch(async (e: Error) => {
      const have = new Set((await rows(flappingId)).map((r) => Number(r.external_id)));
      const missing = Array.from({ length: published }, (_, i) => i + 1).filter((id) => !have.has(id));
      const log = await db.query(`SELECT id, status, found, stored, pages, requests, error_code FROM crawl_runs WHERE source_id = $1 ORDER BY id`, [flappingId]);
      throw new Error(`${e.message} (${await state(flappingId)}; missing thread ids ${missing.join(',')}; runs ${JSON.stringify(log.map((r: Record<string, unknown>) => Object.values(r).join('/')))})`);
    });
    const [h, f] = [await rows(healthyId), await rows(flappingId)];
    // Finished runs only: the sources are still crawled on schedule, so one may be running at this moment.
    const runs: { source_id: number; status: string; n: number }[] = await db.query(
      `SELECT source_id, status, count(*)::int AS n FROM crawl_runs WHERE status <> 'running' GROUP BY source_id, status ORDER BY source_id, status`,
    );
    const lag = (r: (typeof h)[number], at: Date | null) => ((at ? at.getTime() : Infinity) - publishedAt.get(r.external_id)!) / 1000;
    const analysisLag = h.map((r) => lag(r, r.analyzed_at)).sort((a, b) => a - b);
    const caseLag = h.filter((r) => r.raises).map((r) => lag(r, r.in_case_at)).sort((a, b) => a - b);
    process.stdout.write(
      `fault-forum-flapping: ${published} posts per forum over ${FLAP_SECONDS} s; phases ${phases.join(',')}; proxy answered ${JSON.stringify(proxy.answered)}; ` +
        `runs ${JSON.stringify(runs)}; healthy analysis lag max ${analysisLag.at(-1)?.toFixed(1)} s, case lag max ${caseLag.at(-1)?.toFixed(1)} s\n`,
    );

    // Healthy: every post, once; every crawl run succeeded; analysed and in an assigned case within the bound.
    expect(new Set(h.map((r) => r.external_id)).size).toBe(published);
    const healthyRuns = runs.filter((r) => r.source_id === healthyId);
    expect(healthyRuns.every((r) => r.status === 'ok' || r.status === 'not_modified')).toBe(true);
    expect(healthyRuns.reduce((sum, r) => sum + r.n, 0)).toBeGreaterThan(FLAP_SECONDS / 3);
    expect(analysisLag.at(-1)).toBeLessThan(BOUND_SECONDS);
    expect(caseLag.length).toBeGreaterThan(10);
    expect(caseLag.at(-1)).toBeLessThan(BOUND_SECONDS);

    // Flapping: it did fail (and was slow), and it recovered: every post arrived once and is analysed once.
    expect(proxy.answered.error).toBeGreaterThan(0);
    expect(runs.some((r) => r.source_id === flappingId && r.status === 'failed')).toBe(true);
    expect(new Set(f.map((r) => r.external_id)).size).toBe(published);
    expect((await db.query(`SELECT count(*)::int AS n FROM analyses a JOIN posts p ON p.id = a.post_id WHERE p.source_id = $1`, [flappingId]))[0].n).toBe(published);
    const [circuit] = await db.query(`SELECT circuit_state FROM sources WHERE id = $1`, [flappingId]);
    expect(circuit.circuit_state).toBe('closed');
    // Cases: one per area and rule, whichever forum the posts came from.
    const [cases] = await db.query(`SELECT count(*)::int AS n, count(DISTINCT (area_id, rule_id))::int AS d FROM cases`);
    expect(cases.n).toBe(cases.d);
  }, 240_000);
});
