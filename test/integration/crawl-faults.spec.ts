import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CrawlService } from '../../src/crawl/crawl.service';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { DemoForum } from '../../src/demo/demo-forum.server';
import type { RunningService } from '../../src/service';
import { SourceInput } from '../../src/sources/source-validation';
import { Source } from '../../src/sources/source.entity';
import { SourcesService } from '../../src/sources/sources.service';
import { FIXTURE_HTML_CONFIG, FixtureForum } from '../support/fixture-forum';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * One crawl against a misbehaving forum on loopback: each case asserts what was stored and what the source's state
 * and crawl-run log say. The API process runs no workers, so crawls happen only when the test calls them.
 */
describe('crawling a misbehaving forum', () => {
  let env: TestEnv;
  let service: RunningService;
  let forum: FixtureForum;
  let crawler: CrawlService;
  let sources: SourcesService;
  let db: DataSource;
  let operator: Api;
  let seq = 0;

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({
      role: 'api',
      crawl: {
        headersTimeoutMs: 400,
        retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 },
        circuit: { failureThreshold: 2, cooldownSeconds: 1 },
        politeness: { enabled: true, hostIntervalMs: 0, hostConcurrency: 2, robotsCacheSeconds: 1 },
        emptyFeedRetrySeconds: 30,
      },
    });
    crawler = service.app.get(CrawlService);
    sources = service.app.get(SourcesService);
    db = service.app.get(DataSource);
    // The demo district gives us the operator account.
    const demo = new DemoForum();
    await seedDemo(service.app, (await demo.start()) as string, { crawlIntervalSeconds: 3600 });
    await demo.stop();
    operator = await new Api(service.url!).login('operator', DEMO_PASSWORD);
  });

  afterAll(async () => {
    await env?.teardown();
  });

  beforeEach(async () => {
    forum = new FixtureForum();
    await forum.start();
  });

  afterEach(async () => {
    await forum?.stop();
  });

  const addSource = (input: Partial<SourceInput> = {}): Promise<Source> =>
    sources.upsert({ code: `fixture-${++seq}`, name: '测试论坛', kind: 'discuz', url: forum.boardUrl(1), intervalSeconds: 3600, enabled: false, ...input });
  const postsOf = (sourceId: number) =>
    db.query(`SELECT external_id, title, body, author, revision, replies, views FROM posts WHERE source_id = $1 ORDER BY external_id::int`, [sourceId]);
  const runsOf = async (sourceId: number) => (await operator.get(`/sources/${sourceId}/runs`)).body.items;
  const stateOf = async (sourceId: number) => (await operator.get(`/sources/${sourceId}`)).body;
  const seed = (n: number) => Array.from({ length: n }, (_, i) => forum.addThread({ title: `三号楼电梯又坏了 第${i + 1}帖`, body: `电梯停了三天，老人上下楼很困难。编号${i + 1}` }));

  it('stores a Discuz! board and reports the run (found, stored, latency) through the API', async () => {
    seed(3);
    const source = await addSource();
    const report = await crawler.crawl(source.id);
    expect(report).toMatchObject({ status: 'ok', found: 3, stored: 3 });
    expect(await postsOf(source.id)).toEqual([
      expect.objectContaining({ external_id: '1', title: '三号楼电梯又坏了 第1帖', body: '电梯停了三天，老人上下楼很困难。编号1', author: '测试用户', revision: 1, replies: 0, views: 10 }),
      expect.objectContaining({ external_id: '2' }),
      expect.objectContaining({ external_id: '3' }),
    ]);
    const state = await stateOf(source.id);
    expect(state).toMatchObject({ status: 'ok', lastError: null, lastFoundCount: 3, lastStoredCount: 3, consecutiveFailures: 0, circuitState: 'closed' });
    expect(state.lastSuccessAt).toBeTruthy();
    expect(state.avgLatencyMs).toEqual(expect.any(Number));
    expect(state).not.toHaveProperty('pushTokenHash');
    const [run] = await runsOf(source.id);
    expect(run).toMatchObject({ status: 'ok', found: 3, stored: 3, pages: 1, requests: 4, retries: 0, error: null });
    expect(run.finishedAt).toBeTruthy();
    expect(run.latencyMs).toEqual(expect.any(Number));
    // robots.txt was asked for once, and every request named us.
    expect(forum.requestsTo('/robots.txt')).toHaveLength(1);
    expect(forum.requests.every((r) => String(r.headers['user-agent']).startsWith('tingfeng/'))).toBe(true);

    // Again: the board is unchanged, the conditional GET is answered 304; the run log grows and pages.
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'not_modified', found: 0, stored: 0 });
    expect(forum.requestsTo('/forum-2-1.html').at(-1)!.headers['if-none-match']).toMatch(/^"/);
    expect(forum.requests.filter((r) => r.path.startsWith('/thread-'))).toHaveLength(3);
    const page = (await operator.get(`/sources/${source.id}/runs?page=2&pageSize=1`)).body;
    expect(page).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(page.items[0]).toMatchObject({ stored: 3 });
    expect((await operator.get(`/sources/${source.id}/runs?pageSize=0`)).status).toBe(400);
  });

  it('retries a 500 with backoff and then succeeds', async () => {
    seed(2);
    forum.fault('/forum-2-1.html', { status: 500 }, { status: 503 });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 2 });
    expect(forum.requestsTo('/forum-2-1.html')).toHaveLength(3);
    expect((await runsOf(source.id))[0]).toMatchObject({ status: 'ok', retries: 2, stored: 2 });
    expect(await stateOf(source.id)).toMatchObject({ status: 'ok', consecutiveFailures: 0 });
  });

  it('waits as long as a 429 Retry-After says', async () => {
    seed(1);
    forum.fault('/forum-2-1.html', { status: 429, headers: { 'retry-after': '1' } });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 1 });
    const [first, second] = forum.requestsTo('/forum-2-1.html');
    expect(second.at - first.at).toBeGreaterThanOrEqual(990);
  });

  it('gives up on a Retry-After beyond the limit and says so', async () => {
    seed(1);
    forum.fault('/forum-2-1.html', { status: 429, headers: { 'retry-after': '3600' } });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed', stored: 0 });
    expect(forum.requestsTo('/forum-2-1.html')).toHaveLength(1);
    expect(await stateOf(source.id)).toMatchObject({ status: 'failing', lastErrorCode: 'http_429', lastError: expect.stringMatching(/Retry-After 3600 s/), consecutiveFailures: 1 });
    expect(await postsOf(source.id)).toEqual([]);
  });

  it('retries a response slower than the header timeout', async () => {
    seed(1);
    forum.fault('/forum-2-1.html', { delayMs: 1500 });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 1 });
    expect((await runsOf(source.id))[0]).toMatchObject({ status: 'ok', retries: 1 });
  });

  it('decodes a GBK forum', async () => {
    forum.charset = 'gbk';
    forum.addThread({ title: '银杏苑停车收费不合理', body: '小区地面停车位每月涨到三百元，业委会不知情。\n大家怎么看？', author: '老业主' });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 1 });
    expect(await postsOf(source.id)).toEqual([
      expect.objectContaining({ title: '银杏苑停车收费不合理', body: '小区地面停车位每月涨到三百元，业委会不知情。\n大家怎么看？', author: '老业主' }),
    ]);
    expect(forum.requests.find((r) => r.path.startsWith('/thread-'))).toBeTruthy();
  });

  it('refuses a redirect loop without retrying', async () => {
    forum.faultAlways('/loop-a', { redirect: '/loop-b' });
    forum.faultAlways('/loop-b', { redirect: '/loop-a' });
    const source = await addSource({ url: `${forum.baseUrl}/loop-a` });
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed' });
    expect(await stateOf(source.id)).toMatchObject({ status: 'failing', lastErrorCode: 'too_many_redirects', lastError: expect.stringMatching(/redirect loop/) });
    expect(forum.requestsTo('/loop-a')).toHaveLength(1);
  });

  it('refuses a 20 MB page', async () => {
    forum.faultAlways('/forum-2-1.html', { hugeBytes: 20 * 1024 * 1024 });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed', stored: 0 });
    expect(await stateOf(source.id)).toMatchObject({ status: 'failing', lastErrorCode: 'too_large', lastError: expect.stringMatching(/exceeds 5242880 bytes/) });
    expect((await runsOf(source.id))[0]).toMatchObject({ requests: 1, retries: 0 });
  });

  it('tolerates broken HTML on a thread page', async () => {
    const [thread] = seed(1);
    forum.faultAlways(`/thread-${thread.id}-1-1.html`, { brokenHtml: true });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 1 });
    const [post] = await postsOf(source.id);
    expect(post.title).toBe(thread.title);
    expect(post.body).toContain('电梯停了三天');
  });

  it('stores a post listed on two pages once and fetches it once', async () => {
    seed(5);
    forum.pages = new Map([
      [1, [5, 4, 3]],
      [2, [3, 2, 1]],
    ]);
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', found: 5, stored: 5 });
    expect((await postsOf(source.id)).map((p: { external_id: string }) => p.external_id)).toEqual(['1', '2', '3', '4', '5']);
    expect(forum.requestsTo('/thread-3-1-1.html')).toHaveLength(1);
    expect((await runsOf(source.id))[0]).toMatchObject({ pages: 2, found: 5, stored: 5 });
  });

  it('stores an edited post as a new revision, keeps the old one and re-analyses it', async () => {
    const [thread] = seed(1);
    const source = await addSource();
    await crawler.crawl(source.id);
    forum.editThread(thread.id, { title: '三号楼电梯又坏了（已更新）', body: '更新：物业说下周才能修好。' });
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 1 });
    const [post] = await postsOf(source.id);
    expect(post).toMatchObject({ title: '三号楼电梯又坏了（已更新）', body: '更新：物业说下周才能修好。', revision: 2 });
    const revisions = await db.query(`SELECT r.revision, r.title, r.body FROM post_revisions r JOIN posts p ON p.id = r.post_id WHERE p.source_id = $1`, [source.id]);
    expect(revisions).toEqual([{ revision: 1, title: '三号楼电梯又坏了 第1帖', body: '电梯停了三天，老人上下楼很困难。编号1' }]);
    const [{ id, content_hash }] = await db.query(`SELECT id, content_hash FROM posts WHERE source_id = $1`, [source.id]);
    const analyze = service.app.get<Queue>(getQueueToken('analyze'));
    expect(await analyze.getJob(`analyze-${id}-${content_hash.slice(0, 16)}`)).toBeTruthy();
  });

  it('skips a deleted thread (404) and keeps the rest', async () => {
    seed(3);
    forum.faultAlways('/thread-2-1-1.html', { status: 404 });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', found: 3, stored: 2 });
    expect((await postsOf(source.id)).map((p: { external_id: string }) => p.external_id)).toEqual(['1', '3']);
  });

  it('keeps what a run collected before a thread page failed, and fetches the rest next time', async () => {
    seed(3);
    forum.faultAlways('/thread-2-1-1.html', { status: 500 });
    const source = await addSource();
    // Newest first: thread 3 is stored, thread 2 fails after its retries, thread 1 waits for the next run.
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed', stored: 1 });
    expect(await stateOf(source.id)).toMatchObject({ status: 'failing', lastErrorCode: 'http_500', etag: null });
    forum.clear();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 2 });
    expect((await postsOf(source.id)).map((p: { external_id: string }) => p.external_id)).toEqual(['1', '2', '3']);
  });

  it('honours a robots.txt disallow and says why', async () => {
    seed(1);
    forum.robotsTxt = 'User-agent: *\nDisallow: /forum-2-\n';
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed', stored: 0 });
    expect(forum.requestsTo('/forum-2-1.html')).toHaveLength(0);
    expect(await stateOf(source.id)).toMatchObject({ status: 'failing', lastErrorCode: 'robots_disallowed', lastError: expect.stringMatching(/robots\.txt disallows \/forum-2-1\.html/) });
  });

  it('treats an empty RSS channel as "try again later" and asks again', async () => {
    seed(2);
    forum.rssEmpty = true;
    const source = await addSource({ kind: 'rss', url: `${forum.baseUrl}/rss.xml` });
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'empty_feed', emptyFeed: true, stored: 0 });
    expect(await stateOf(source.id)).toMatchObject({ status: 'retry_later', lastErrorCode: 'empty_feed', consecutiveFailures: 0, circuitState: 'closed' });
    const crawlQueue = service.app.get<Queue>(getQueueToken('crawl'));
    const delayed = await crawlQueue.getDelayed();
    expect(delayed.some((job) => job.data.sourceId === source.id && job.id?.startsWith(`crawl-retry-${source.id}-`))).toBe(true);

    forum.rssEmpty = false;
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 2 });
    expect(await stateOf(source.id)).toMatchObject({ status: 'ok', lastError: null });
    // Unchanged feed: a conditional GET answered 304.
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'not_modified', stored: 0 });
    expect(forum.requestsTo('/rss.xml').at(-1)!.headers['if-none-match']).toMatch(/^"/);
    expect((await runsOf(source.id)).map((r: { status: string }) => r.status)).toEqual(['not_modified', 'ok', 'empty_feed']);
  });

  it('reports a list selector that stops matching as a broken source, naming the selector', async () => {
    seed(2);
    const html = await addSource({ kind: 'html', config: FIXTURE_HTML_CONFIG });
    const discuz = await addSource();
    expect(await crawler.crawl(html.id)).toMatchObject({ status: 'ok', stored: 2 });
    forum.layout = 'v2';
    forum.addThread({ title: '新帖', body: '改版后的新帖' });
    expect(await crawler.crawl(html.id)).toMatchObject({ status: 'broken', stored: 0 });
    expect(await stateOf(html.id)).toMatchObject({
      status: 'broken',
      lastErrorCode: 'selector_not_found',
      lastError: expect.stringContaining('list item selector "tbody[id^="normalthread_"]" (config.list.item) matched nothing'),
    });
    expect(await crawler.crawl(discuz.id)).toMatchObject({ status: 'broken' });
    expect((await stateOf(discuz.id)).lastError).toMatch(/Discuz! thread rows .* matched nothing/);
  });

  it('opens the circuit after repeated failures and closes it by itself after the cool-down', async () => {
    seed(1);
    forum.faultAlways('/forum-2-1.html', { status: 502 });
    const source = await addSource();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed' });
    expect(await stateOf(source.id)).toMatchObject({ circuitState: 'closed', consecutiveFailures: 1 });
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed' });
    const open = await stateOf(source.id);
    expect(open).toMatchObject({ circuitState: 'open', consecutiveFailures: 2, status: 'failing', lastErrorCode: 'http_502' });
    expect(new Date(open.circuitOpenUntil).getTime()).toBeGreaterThan(Date.now());
    const before = forum.requests.length;
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'skipped', skipped: 'circuit_open' });
    expect(forum.requests.length).toBe(before);

    await new Promise((r) => setTimeout(r, 1100));
    forum.clear();
    expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 1 });
    expect(await stateOf(source.id)).toMatchObject({ circuitState: 'closed', consecutiveFailures: 0, circuitOpenUntil: null, status: 'ok' });
  });

  it('crawls a source once at a time', async () => {
    seed(1);
    forum.fault('/forum-2-1.html', { delayMs: 300 });
    const source = await addSource();
    const [a, b] = await Promise.all([crawler.crawl(source.id), crawler.crawl(source.id)]);
    expect([a.status, b.status].sort()).toEqual(['ok', 'skipped']);
    expect([a.skipped, b.skipped]).toContain('locked');
    expect(await postsOf(source.id)).toHaveLength(1);
  });
});
