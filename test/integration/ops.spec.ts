import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('operating it: liveness, readiness and metrics', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'api' });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('is live and ready, and stops being ready once it starts shutting down', async () => {
    const other = await env.start({ role: 'api' });
    expect((await fetch(`${other.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${other.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', postgres: { ok: true }, redis: { ok: true }, migrations: { ok: true } });
    const { HealthController } = await import('../../src/health/health.controller');
    other.app.get(HealthController).beforeApplicationShutdown();
    const draining = await fetch(`${other.url}/health/ready`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'not_ready', shuttingDown: true });
  });

  it('serves Prometheus metrics to admins only', async () => {
    const api = new Api(service.url!);
    expect((await api.get('/metrics')).status).toBe(401);
    const worker = await api.login('sg-huachuan', DEMO_PASSWORD);
    expect((await worker.get('/metrics')).status).toBe(403);
    const admin = await api.login('admin', DEMO_PASSWORD);
    const res = await admin.raw('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^tingfeng_queue_jobs\{queue="analyze",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^tingfeng_source_consecutive_failures\{source="demo-forum-neighbourhood"\} 0$/m);
    expect(text).toMatch(/^tingfeng_posts_unanalysed \d+$/m);
    expect(text).toContain('tingfeng_process_resident_memory_bytes');
  });
});

describe('API description', () => {
  let env: TestEnv;
  let service: RunningService;

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'api' });
  });

  afterAll(() => env?.teardown());

  it('serves the OpenAPI description and Swagger UI without a login', async () => {
    const ui = await fetch(`${service.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const doc = (await (await fetch(`${service.url}/api/docs-json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/auth/login', '/cases', '/cases/{id}', '/cases/{id}/acknowledge', '/cases/{id}/responses', '/cases/{id}/settle', '/reports/settlement', '/health']),
    );
    expect(Object.keys(doc.paths['/cases/{id}/settle'])).toEqual(['post']);
  });
});
