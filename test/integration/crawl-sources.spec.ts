import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CrawlService } from '../../src/crawl/crawl.service';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { DemoForum } from '../../src/demo/demo-forum.server';
import type { RunningService } from '../../src/service';
import { FIXTURE_HTML_CONFIG, FIXTURE_JSON_CONFIG, FixtureForum } from '../support/fixture-forum';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

/** Sources managed through the API, push ingestion, preview, the json kind, incremental paging and count refresh. */
describe('sources: management, kinds, push and preview', () => {
  let env: TestEnv;
  let service: RunningService;
  let forum: FixtureForum;
  let crawler: CrawlService;
  let db: DataSource;
  let api: Api;
  let operator: Api;
  let worker: Api;

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'api', crawl: { maxListPages: 5, politeness: { enabled: true, hostIntervalMs: 0, hostConcurrency: 2, robotsCacheSeconds: 60 } } });
    crawler = service.app.get(CrawlService);
    db = service.app.get(DataSource);
    const demo = new DemoForum();
    await seedDemo(service.app, (await demo.start()) as string, { crawlIntervalSeconds: 3600 });
    await demo.stop();
    api = new Api(service.url!);
    operator = await api.login('operator', DEMO_PASSWORD);
    worker = await api.login('sg-huachuan', DEMO_PASSWORD);
    forum = new FixtureForum();
    await forum.start();
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('creates, validates (naming the field), updates, schedules and deletes sources through the API', async () => {
    const body = { code: 'fixture-html', name: '测试论坛', kind: 'html', url: forum.boardUrl(1), config: FIXTURE_HTML_CONFIG, intervalSeconds: 600, jitterSeconds: 30, activeHours: '07:00-23:00' };
    expect((await worker.post('/sources', body)).status).toBe(403);
    const bad = await operator.post('/sources', { ...body, config: { ...FIXTURE_HTML_CONFIG, detail: { body: 'div[' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', details: { field: 'config.detail.body' } });
    expect((await operator.post('/sources', { ...body, url: 'ftp://x' })).body.error.details.field).toBe('url');
    expect((await operator.post('/sources', { ...body, colour: 'red' })).body.error.details.field).toBe('colour');

    const created = await operator.post('/sources', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'fixture-html', status: 'new', circuitState: 'closed', jitterSeconds: 30, activeHours: '07:00-23:00' });
    expect((await operator.post('/sources', body)).status).toBe(409);

    const crawlQueue = service.app.get<Queue>(getQueueToken('crawl'));
    const scheduler = async (id: number) => (await crawlQueue.getJobSchedulers()).find((s) => s.key === `crawl-source-${id}`);
    expect(await scheduler(created.body.id)).toMatchObject({ every: 600_000 });

    const updated = await operator.request('PATCH', `/sources/${created.body.id}`, { cron: '*/15 7-22 * * *' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ cron: '*/15 7-22 * * *', intervalSeconds: 600 });
    expect(await scheduler(created.body.id)).toMatchObject({ pattern: '*/15 7-22 * * *', tz: 'Asia/Shanghai' });
    expect((await operator.request('PATCH', `/sources/${created.body.id}`, { intervalSeconds: 1 })).body.error.details.field).toBe('intervalSeconds');
    expect((await operator.request('PATCH', `/sources/${created.body.id}`, { config: { list: { link: 'a' }, detail: { body: 'p' } } })).body.error.details.field).toBe('config.list.item');

    expect((await operator.request('DELETE', `/sources/${created.body.id}`)).status).toBe(204);
    expect((await operator.get(`/sources/${created.body.id}`)).status).toBe(404);
    expect(await scheduler(created.body.id)).toBeUndefined();
  });

  it('skips scheduled crawls outside active hours and moves jittered ones to a delayed job', async () => {
    // A one-minute window twelve hours from now (Asia/Shanghai): certainly closed now.
    const shanghai = new Date(Date.now() + 8 * 3600_000 + 12 * 3600_000);
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const closed = `${hhmm(shanghai)}-${hhmm(new Date(shanghai.getTime() + 60_000))}`;
    const night = (await operator.post('/sources', { code: 'night', name: '夜间', kind: 'rss', url: `${forum.baseUrl}/rss.xml`, activeHours: closed })).body;
    const before = forum.requests.length;
    expect(await crawler.crawl(night.id, { scheduled: true })).toMatchObject({ status: 'skipped', skipped: 'inactive_hours' });
    expect(forum.requests.length).toBe(before);
    // "Crawl now" ignores active hours (the fixture has no threads yet: an empty channel).
    expect(await crawler.crawl(night.id)).toMatchObject({ status: 'empty_feed' });
    expect(forum.requests.length).toBeGreaterThan(before);

    const jittery = (await operator.post('/sources', { code: 'jittery', name: '抖动', kind: 'rss', url: `${forum.baseUrl}/rss.xml`, intervalSeconds: 600, jitterSeconds: 60 })).body;
    expect(await crawler.crawl(jittery.id, { scheduled: true })).toMatchObject({ status: 'skipped', skipped: 'jittered' });
    const crawlQueue = service.app.get<Queue>(getQueueToken('crawl'));
    // (The scheduler's own next job waits there too; this API process runs no worker to take either.)
    const delayed = (await crawlQueue.getDelayed()).filter((j) => j.data.sourceId === jittery.id && j.data.jittered);
    expect(delayed).toHaveLength(1);
    expect(delayed[0].data).toEqual({ sourceId: jittery.id, jittered: true });
    expect(delayed[0].opts.delay).toBeLessThanOrEqual(60_000);
    expect(await crawler.crawl(jittery.id, { scheduled: true, jittered: true })).toMatchObject({ status: 'empty_feed' });
  });

  it('pages incrementally: follows the board until a page of known threads, and refreshes reply counts', async () => {
    for (let i = 1; i <= 7; i++) forum.addThread({ title: `楼道灯坏了 ${i}`, body: `三单元楼道灯坏了一个月。${i}` });
    forum.pageSize = 2;
    const source = (await operator.post('/sources', { code: 'paged', name: '分页', kind: 'discuz', url: forum.boardUrl(1), enabled: false })).body;
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', found: 7, stored: 7 });
    expect((await operator.get(`/sources/${source.id}/runs`)).body.items[0]).toMatchObject({ pages: 4 });

    forum.addThread({ title: '楼道灯坏了 8', body: '又坏了一盏。' });
    forum.editThread(5, { replies: 9, views: 99 });
    const before = forum.requests.length;
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 1 });
    const paths = forum.requests.slice(before).map((r) => r.path);
    // Page 1 (new thread 8, known 7) and page 2 (known 6 and 5): all known, so paging stops there.
    expect(paths.filter((p) => p.startsWith('/forum-'))).toEqual(['/forum-2-1.html', '/forum-2-2.html']);
    // Thread 5 has new replies: it is read again, its counts are refreshed, its content (unchanged) is no new revision.
    expect(paths.filter((p) => p.startsWith('/thread-')).sort()).toEqual(['/thread-5-1-1.html', '/thread-8-1-1.html']);
    const [five] = await db.query(`SELECT replies, views, revision FROM posts WHERE source_id = $1 AND external_id = '5'`, [source.id]);
    expect(five).toEqual({ replies: 9, views: 99, revision: 1 });
    forum.pageSize = 5;
  });

  it('crawls a JSON API by field paths and reports a vanished path as broken', async () => {
    const source = (await operator.post('/sources', { code: 'json-api', name: '接口', kind: 'json', url: `${forum.baseUrl}/api/threads.json`, config: FIXTURE_JSON_CONFIG, enabled: false })).body;
    const report = await crawler.crawl(source.id);
    expect(report).toMatchObject({ status: 'ok', stored: forum.threads.size });
    const [post] = await db.query(`SELECT title, author, replies, url FROM posts WHERE source_id = $1 AND external_id = '1'`, [source.id]);
    expect(post).toEqual({ title: '楼道灯坏了 1', author: '测试用户', replies: 0, url: `${forum.baseUrl}/api/threads.json#1` });

    await operator.request('PATCH', `/sources/${source.id}`, { config: { ...FIXTURE_JSON_CONFIG, listPath: 'data.rows' } });
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'broken' });
    expect((await operator.get(`/sources/${source.id}`)).body).toMatchObject({ status: 'broken', lastErrorCode: 'field_not_found', lastError: expect.stringContaining('config.listPath') });
  });

  it('accepts pushed batches with a per-source token, idempotently, keeping only the token hash', async () => {
    const source = (await operator.post('/sources', { code: 'hotline', name: '12345 热线导出', kind: 'push' })).body;
    const { token } = (await operator.post(`/sources/${source.id}/push-token`)).body;
    expect(token).toMatch(/^tfp_/);
    const [{ push_token_hash: hash }] = await db.query(`SELECT push_token_hash FROM sources WHERE id = $1`, [source.id]);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);

    const batch = {
      items: [
        { id: 'H-1', title: '小区噪音扰民', body: '楼下商铺夜里施工。', author: '市民', time: '2026-01-05T22:10:00+08:00' },
        { id: 'H-2', title: '路灯不亮', body: '东门路灯坏了。' },
      ],
    };
    const push = (body: unknown, auth?: string) =>
      fetch(`${service.url}/ingest/hotline`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect((await push(batch)).status).toBe(401);
    expect((await push(batch, 'tfp_wrong')).status).toBe(401);
    expect(await push(batch, token)).toEqual({ status: 200, body: { received: 2, stored: 2, unchanged: 0 } });
    expect(await push(batch, token)).toEqual({ status: 200, body: { received: 2, stored: 0, unchanged: 2 } });
    const bad = await push({ items: [{ id: 'H-3', title: 3 }] }, token);
    expect(bad).toMatchObject({ status: 400, body: { error: { details: { field: 'items[0].title' } } } });
    expect(await db.query(`SELECT external_id, title FROM posts WHERE source_id = $1 ORDER BY external_id`, [source.id])).toEqual([
      { external_id: 'H-1', title: '小区噪音扰民' },
      { external_id: 'H-2', title: '路灯不亮' },
    ]);
    expect((await operator.get(`/sources/${source.id}/runs`)).body.items[0]).toMatchObject({ status: 'push', found: 2, stored: 0 });
    // Pushed text stays out of the audit log.
    const audited = await db.query(`SELECT details::text AS d FROM audit_log WHERE path = '/ingest/hotline'`);
    expect(audited.length).toBeGreaterThan(0);
    for (const row of audited) expect(row.d).not.toContain('噪音');
    expect((await operator.post(`/sources/${source.id}/crawl`)).status).toBe(400);
  });

  it('previews a source config on a live URL without saving anything', async () => {
    const postsBefore = (await db.query(`SELECT count(*)::int AS n FROM posts`))[0].n;
    const res = await operator.post('/sources/preview', { kind: 'discuz', url: forum.boardUrl(1) });
    expect(res.status).toBe(200);
    expect(res.body.page).toBe('list');
    expect(res.body.items[0]).toMatchObject({ externalId: '8', title: '楼道灯坏了 8', body: '又坏了一盏。', author: '测试用户', url: forum.threadUrl(8) });
    const thread = await operator.post('/sources/preview', { kind: 'discuz', url: forum.threadUrl(3) });
    expect(thread.body).toMatchObject({ page: 'detail', items: [{ externalId: '3', title: '楼道灯坏了 3' }] });
    const broken = await operator.post('/sources/preview', { kind: 'html', url: forum.boardUrl(1), config: { ...FIXTURE_HTML_CONFIG, list: { item: 'li.none', link: 'a' } } });
    expect(broken).toMatchObject({ status: 400, body: { error: { details: { field: 'config.list.item', reason: 'selector_not_found' } } } });
    expect((await operator.post('/sources/preview', { kind: 'discuz', url: 'http://10.0.0.1/forum-2-1.html' })).body.error.details).toMatchObject({ field: 'url', reason: 'blocked_address' });
    expect((await worker.post('/sources/preview', { kind: 'discuz', url: forum.boardUrl(1) })).status).toBe(403);
    expect((await db.query(`SELECT count(*)::int AS n FROM posts`))[0].n).toBe(postsBefore);
  });
});
