import { DataSource } from 'typeorm';
import { CrawlService } from '../../src/crawl/crawl.service';
import type { RunningService } from '../../src/service';
import { SourcesService } from '../../src/sources/sources.service';
import { FixtureForum } from '../support/fixture-forum';
import { createTestEnv, TestEnv } from '../support/test-env';

/** Safety (no private addresses unless allowed) and politeness (robots.txt, per-host spacing across instances). */
describe('crawl safety and politeness', () => {
  let env: TestEnv;
  let forum: FixtureForum;
  const running: RunningService[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new FixtureForum();
    await forum.start();
    for (let i = 1; i <= 6; i++) forum.addThread({ title: `停车位纠纷 ${i}`, body: `地下车库的车位被人长期占用。第${i}条` });
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  async function start(crawl: Record<string, unknown>): Promise<{ crawler: CrawlService; sources: SourcesService; db: DataSource }> {
    const service = await env.start({ role: 'api', crawl: { retry: { attempts: 1 }, ...crawl } });
    running.push(service);
    return { crawler: service.app.get(CrawlService), sources: service.app.get(SourcesService), db: service.app.get(DataSource) };
  }

  it('refuses loopback and private addresses by default, also behind a name or a redirect', async () => {
    const { crawler, sources } = await start({ allowPrivateHosts: [] });
    const before = forum.requests.length;
    for (const [code, url] of [
      ['private-literal', forum.boardUrl(1)],
      ['private-name', forum.boardUrl(1).replace('127.0.0.1', 'localhost')],
      ['link-local', 'http://169.254.169.254/latest/meta-data/'],
    ]) {
      const source = await sources.upsert({ code, name: code, kind: 'discuz', url, intervalSeconds: 3600, enabled: false });
      expect(await crawler.crawl(source.id)).toMatchObject({ status: 'failed' });
      expect(await sources.get(source.id)).toMatchObject({ status: 'failing', lastErrorCode: 'blocked_address', lastError: expect.stringMatching(/private, loopback or link-local/) });
    }
    expect(forum.requests.length).toBe(before);

    // Allowed host, but it redirects to another loopback address that is not allowed.
    const { crawler: allowed, sources: sources2 } = await start({ allowPrivateHosts: ['127.0.0.1'] });
    forum.faultAlways('/jump', { redirect: 'http://127.0.0.2/forum-2-1.html' });
    const jump = await sources2.upsert({ code: 'jump', name: 'jump', kind: 'discuz', url: `${forum.baseUrl}/jump`, intervalSeconds: 3600, enabled: false });
    expect(await allowed.crawl(jump.id)).toMatchObject({ status: 'failed' });
    expect(await sources2.get(jump.id)).toMatchObject({ lastErrorCode: 'blocked_address', lastError: expect.stringContaining('127.0.0.2') });
    forum.clear();
  });

  it('spaces requests to one host by the configured interval, across two instances', async () => {
    const interval = 250;
    const politeness = { enabled: true, hostIntervalMs: interval, hostConcurrency: 1, robotsCacheSeconds: 60 };
    const a = await start({ allowPrivateHosts: ['127.0.0.1'], politeness });
    const b = await start({ allowPrivateHosts: ['127.0.0.1'], politeness });
    const s1 = await a.sources.upsert({ code: 'spaced-1', name: 's1', kind: 'discuz', url: forum.boardUrl(1), intervalSeconds: 3600, enabled: false });
    const s2 = await a.sources.upsert({ code: 'spaced-2', name: 's2', kind: 'rss', url: `${forum.baseUrl}/rss.xml`, intervalSeconds: 3600, enabled: false });
    const from = forum.requests.length;
    const [r1, r2] = await Promise.all([a.crawler.crawl(s1.id), b.crawler.crawl(s2.id)]);
    expect(r1).toMatchObject({ status: 'ok', stored: 6 }); // two board pages of 5
    expect(r2).toMatchObject({ status: 'ok', stored: 6 });
    const times = forum.requests.slice(from).map((r) => r.at).sort((x, y) => x - y);
    expect(times.length).toBeGreaterThanOrEqual(9); // 2 board pages + 6 threads + the feed
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(interval);
  });

  it('keeps at most hostConcurrency requests in flight to one host, across two instances', async () => {
    const politeness = { enabled: true, hostIntervalMs: 0, hostConcurrency: 1, robotsCacheSeconds: 60 };
    const a = await start({ allowPrivateHosts: ['127.0.0.1'], politeness });
    const b = await start({ allowPrivateHosts: ['127.0.0.1'], politeness });
    for (let i = 1; i <= 6; i++) forum.fault(`/thread-${i}-1-1.html`, { delayMs: 60 });
    const s1 = await a.sources.upsert({ code: 'serial-1', name: 's1', kind: 'discuz', url: forum.boardUrl(1), intervalSeconds: 3600, enabled: false });
    const s2 = await a.sources.upsert({ code: 'serial-2', name: 's2', kind: 'discuz', url: forum.boardUrl(2), intervalSeconds: 3600, enabled: false });
    const from = forum.requests.length;
    await Promise.all([a.crawler.crawl(s1.id), b.crawler.crawl(s2.id)]);
    const spans = forum.requests.slice(from).sort((x, y) => x.at - y.at);
    expect(spans.length).toBeGreaterThanOrEqual(8);
    // Each request arrives after the previous one was answered (the lease is released once the body is read).
    for (let i = 1; i < spans.length; i++) expect(spans[i].at).toBeGreaterThanOrEqual(spans[i - 1].doneAt! - 1);
    forum.clear();
  });

  it('honours robots.txt Crawl-delay when it is longer than the configured interval', async () => {
    forum.robotsTxt = 'User-agent: tingfeng\nCrawl-delay: 1\nAllow: /\n';
    const other = new FixtureForum();
    other.robotsTxt = forum.robotsTxt;
    await other.start();
    try {
      other.addThread({ title: '垃圾清运不及时', body: '垃圾桶满了两天没人清理。' });
      other.addThread({ title: '楼道堆物', body: '楼道里堆满杂物，存在消防隐患。' });
      const { crawler, sources } = await start({ allowPrivateHosts: ['127.0.0.1'], politeness: { enabled: true, hostIntervalMs: 10, hostConcurrency: 1, robotsCacheSeconds: 60 } });
      const source = await sources.upsert({ code: 'delayed', name: 'd', kind: 'discuz', url: other.boardUrl(1), intervalSeconds: 3600, enabled: false });
      expect(await crawler.crawl(source.id)).toMatchObject({ status: 'ok', stored: 2 });
      const times = other.requests.filter((r) => r.path !== '/robots.txt').map((r) => r.at);
      expect(times).toHaveLength(3);
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(1000);
    } finally {
      await other.stop();
    }
  });
});
