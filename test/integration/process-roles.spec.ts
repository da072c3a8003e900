import { ModulesContainer } from '@nestjs/core';
import { CrawlProcessor } from '../../src/crawl/crawl.processor';
import { WorkerModule } from '../../src/worker/worker.module';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { preflight } from '../../src/common/preflight';
import { Api } from '../support/http';
import { freePort } from '../support/service-process';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

describe('process roles, health and start-up checks', () => {
  let env: TestEnv;
  let forum: DemoForum;

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('runs the API and the worker as separate processes from the same build', async () => {
    const api = await env.start({ role: 'api' });
    const worker = await env.start({ role: 'worker' });
    const hasWorkerModule = (app: typeof api.app) => [...app.get(ModulesContainer).values()].some((m) => m.metatype === WorkerModule);
    expect(hasWorkerModule(api.app)).toBe(false);
    expect(hasWorkerModule(worker.app)).toBe(true);
    expect(worker.app.get(CrawlProcessor)).toBeInstanceOf(CrawlProcessor);
    expect(worker.url).toBeUndefined();

    const { sources } = await seedDemo(api.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    forum.publish({
      title: '史家新村门口的垃圾三天没人清运',
      body: '史家新村三号楼旁边的垃圾桶已经满出来好几天了，天一热臭味熏人，苍蝇到处飞，物业说不归他们管。',
      author: '史家居民',
      board: 'neighbourhood',
      topic: 'garbage',
    });
    const operator = await new Api(api.url!).login('operator', DEMO_PASSWORD);
    const crawl = await operator.post(`/sources/${sources[0].id}/crawl`);
    expect(crawl.status).toBe(202);
    const worker2 = await new Api(api.url!).login('sg-shijia', DEMO_PASSWORD);
    const mine = await eventually(async () => {
      const res = await worker2.get('/cases?mine=true');
      return res.body.total === 1 && res.body.items;
    }, 20_000, 'the crawled post to become a case of sg-shijia');
    expect(mine[0]).toMatchObject({ category: '垃圾清运', status: 'assigned' });

    const source = (await operator.get(`/sources/${sources[0].id}`)).body;
    expect(source).toMatchObject({ lastError: null, consecutiveFailures: 0, lastFoundCount: 1 });
    expect(source.lastSuccessAt).not.toBeNull();
    // Workers cannot trigger crawls.
    expect((await worker2.post(`/sources/${sources[0].id}/crawl`)).status).toBe(403);
  });

  it('serves liveness and readiness from a worker-only process on probePort, and nothing else', async () => {
    const worker = await env.start({ role: 'worker', probePort: await freePort() });
    expect(worker.url).toBeUndefined();
    const base = worker.probeUrl!;
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'alive' });
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', shuttingDown: false, postgres: { ok: true }, redis: { ok: true }, migrations: { ok: true } });
    // No API here: other paths and methods get a clear error.
    const other = await fetch(`${base}/cases`);
    expect(other.status).toBe(404);
    expect((await other.json()).error.code).toBe('not_found');
    expect((await fetch(`${base}/health/ready`, { method: 'POST' })).status).toBe(405);
    // From the first shutdown hook on the worker is not ready.
    const { HealthController } = await import('../../src/health/health.controller');
    worker.app.get(HealthController).beforeApplicationShutdown();
    const draining = await fetch(`${base}/health/ready`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'not_ready', shuttingDown: true });

    // A probe port already taken ends start-up with a message naming the setting.
    const taken = Number(new URL(base).port);
    await expect(env.start({ role: 'worker', probePort: taken })).rejects.toThrow(new RegExp(`probePort ${taken}: .*EADDRINUSE`));
  });

  it('reports Postgres and Redis in GET /health without a login', async () => {
    const api = await env.start({ role: 'api' });
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', postgres: { ok: true }, redis: { ok: true } });
  });

  it('stops at once with one clear message naming the URL when Postgres or Redis is unreachable', async () => {
    const started = Date.now();
    await expect(preflight('postgres://postgres@127.0.0.1:1/tingfeng', 'redis://127.0.0.1:6379')).rejects.toThrow(
      'Cannot reach Postgres at postgres://postgres@127.0.0.1:1/tingfeng (ECONNREFUSED). Start them with `docker compose up -d postgres redis`',
    );
    await expect(preflight(env.databaseUrl, 'redis://:hunter2@127.0.0.1:1')).rejects.toThrow(
      /^Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(ECONNREFUSED\)\. Start them with `docker compose up -d postgres redis`/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
