import { DataSource } from 'typeorm';
import { MAX_PUSH_BYTES, MAX_PUSH_ITEMS } from '../../src/crawl/ingest.service';
import type { RunningService } from '../../src/service';
import { SourcesService } from '../../src/sources/sources.service';
import { createTestEnv, TestEnv } from '../support/test-env';

/** Body size limits of push ingestion: a full batch fits, a larger body is a 413 in our error shape. */
describe('push ingestion: body limits', () => {
  let env: TestEnv;
  let service: RunningService;
  let db: DataSource;
  let token: string;
  let sourceId: number;

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'api' });
    db = service.app.get(DataSource);
    const sources = service.app.get(SourcesService);
    const source = await sources.upsert({ code: 'hotline', name: '12345 热线推送', kind: 'push' });
    sourceId = source.id;
    token = (await sources.rotatePushToken(source.id)).token;
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const post = (path: string, body: string, auth = token) =>
    fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));
  // About 3,000 characters of Chinese text per post (some 9 kB of UTF-8): a long but ordinary post.
  const item = (i: number) => ({ id: `P-${i}`, title: `小区停车位问题（${i}）`, body: `地面车位被外来车辆长期占用，业主回家找不到地方停车。`.repeat(120), author: '业主' });

  it(`stores a full batch of ${MAX_PUSH_ITEMS} long posts (a body far above the default 100 kB)`, async () => {
    const body = JSON.stringify({ items: Array.from({ length: MAX_PUSH_ITEMS }, (_, i) => item(i)) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(4 * 1024 * 1024);
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_PUSH_BYTES);
    expect(await post('/ingest/hotline', body)).toEqual({ status: 200, body: { received: MAX_PUSH_ITEMS, stored: MAX_PUSH_ITEMS, unchanged: 0 } });
    expect((await db.query(`SELECT count(*)::int AS n FROM posts WHERE source_id = $1`, [sourceId]))[0].n).toBe(MAX_PUSH_ITEMS);
  });

  it('answers a body above the limit with 413 in the error shape, storing nothing', async () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ ...item(10_000 + i), body: '噪音'.repeat(10_000) }));
    const body = JSON.stringify({ items });
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_PUSH_BYTES);
    const res = await post('/ingest/hotline', body);
    expect(res).toEqual({ status: 413, body: { error: { code: 'payload_too_large', message: expect.stringContaining('请求体过大'), details: { limitBytes: MAX_PUSH_BYTES } } } });
    expect((await db.query(`SELECT count(*)::int AS n FROM posts WHERE external_id LIKE 'P-1____'`))[0].n).toBe(0);
  });

  it('answers broken JSON with 400 invalid_request', async () => {
    expect(await post('/ingest/hotline', '{"items": [')).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: '请求体不是有效的 JSON' } } });
    expect(await post('/auth/login', '{"username":')).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: '请求体不是有效的 JSON' } } });
  });

  it('keeps the default 100 kB limit on every other route', async () => {
    const body = JSON.stringify({ username: 'x', password: 'y'.repeat(150_000) });
    expect(await post('/auth/login', body)).toEqual({ status: 413, body: { error: { code: 'payload_too_large', message: expect.any(String), details: { limitBytes: 102_400 } } } });
  });
});
