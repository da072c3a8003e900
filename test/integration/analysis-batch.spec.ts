import { getQueueToken } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ANALYSIS_CHUNK } from '../../src/analysis/analysis-engine';
import { AnalysisService } from '../../src/analysis/analysis.service';
import { textSimhash } from '../../src/analysis/simhash';
import { normalizeText } from '../../src/analysis/text-normalizer';
import { AnalyzeProcessor } from '../../src/analysis/analyze.processor';
import { CaseCorrelationService } from '../../src/cases/case-correlation.service';
import { CrawlProcessor } from '../../src/crawl/crawl.processor';
import { CrawlService } from '../../src/crawl/crawl.service';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { seedDemo } from '../../src/demo/demo-seed';
import { ChangedPost, PostsService } from '../../src/posts/posts.service';
import { AnalyzeBatchJob, AnalyzeJob, AnalyzeJobName, jobIds, QueueName } from '../../src/queues/queue-names';
import { RouteProcessor } from '../../src/routing/route.processor';
import type { RunningService } from '../../src/service';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * analyze-batch jobs (the new posts of a crawl run in one job): what the crawl enqueues, and that a
 * batch is done once however it is repeated, also after a worker died halfway and beside the posts'
 * own analyze jobs. The crawl, analyze and route workers are stopped: the tests run jobs themselves.
 */
describe('analyze-batch jobs', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let db: DataSource;
  let processor: AnalyzeProcessor;
  let analyzeQueue: Queue;
  let routeQueue: Queue;
  let htmlSourceId: number;
  let rssSourceId: number;
  let n = 0;

  const disputes = [
    ['泰和花园物业乱收费', '泰和花园的物业公司又乱收费了，电梯费莫名其妙涨了一倍，业主去问都没有答复。'],
    ['泰和花园物业费涨价没依据', '泰和花园物业公司乱收费，物业费说涨就涨，业主们要求公示收费依据。'],
    ['银杏苑楼下烧烤店太吵', '银杏苑楼下烧烤店每天开到凌晨，噪音吵得整栋楼睡不着，老人孩子都受不了。'],
    ['银杏苑夜里噪音扰民', '银杏苑门口的烧烤摊半夜还在吆喝，噪音扰民，投诉了好几次也没人管。'],
  ];
  /** Disputes of other compounds, for the crawl (its cases stay apart from the other tests'). */
  const crawled = [
    ['杉杉苑物业强制收取停车费', '杉杉苑物业公司强制收取停车管理费，物业费也涨价了，没有任何收费依据。'],
    ['丹凤新村物业乱收费', '丹凤新村物业乱收公摊费，物业费涨了两成，业主要求公示收费依据。'],
    ['锦绣花苑楼上装修太吵', '锦绣花苑楼上装修噪音太吵，周末早上七点就开始，没法休息。'],
  ];
  const chatter = ['周末社区亲子活动', '这周六上午社区有亲子手工活动，欢迎带孩子来参加。'];

  const store = async (texts: string[][]): Promise<ChangedPost[]> =>
    service.app.get(PostsService).upsertMany(
      htmlSourceId,
      texts.map(([title, body]) => ({ externalId: `b-${++n}`, url: `http://forum.invalid/b/${n}`, title: `${title}（${n}）`, body, author: `住户${n}` })),
    );
  const batchJob = (posts: ChangedPost[], id = `analyze-batch-test-${++n}`) =>
    ({ id, name: AnalyzeJobName.Batch, data: { posts: posts.map((p) => ({ postId: p.id, contentHash: p.contentHash })) }, attemptsMade: 0 }) as unknown as Job<AnalyzeBatchJob>;
  const oneJob = (p: ChangedPost) =>
    ({ id: jobIds.analyze(p.id, p.contentHash), name: AnalyzeJobName.One, data: { postId: p.id, contentHash: p.contentHash }, attemptsMade: 0 }) as unknown as Job<AnalyzeJob>;
  /** Everything correlation and analysis wrote for these posts, to compare before and after a repeat. */
  const snapshot = async (postIds: number[]) => ({
    analyses: await db.query(`SELECT post_id, count(*)::int AS n FROM analyses WHERE post_id = ANY($1) GROUP BY post_id ORDER BY post_id`, [postIds]),
    links: await db.query(`SELECT case_id, post_id FROM case_posts WHERE post_id = ANY($1) ORDER BY post_id, case_id`, [postIds]),
    cases: await db.query(`SELECT id, post_count, version, status FROM cases ORDER BY id`),
    events: await db.query(`SELECT case_id, type, count(*)::int AS n FROM case_events GROUP BY case_id, type ORDER BY case_id, type`),
    hits: await db.query(`SELECT id, hit_count FROM rules ORDER BY id`),
  });

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 3600 } });
    const seeded = await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    [htmlSourceId, rssSourceId] = seeded.sources.map((s) => s.id);
    db = service.app.get(DataSource);
    processor = service.app.get(AnalyzeProcessor);
    // Only the test runs jobs: no scheduled crawl, analysis or routing beside it.
    for (const host of [processor, service.app.get(CrawlProcessor), service.app.get(RouteProcessor)]) await host.worker.close();
    analyzeQueue = service.app.get<Queue>(getQueueToken(QueueName.Analyze));
    routeQueue = service.app.get<Queue>(getQueueToken(QueueName.Route));
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('a crawl puts its new posts in one analyze-batch job and an edited post in its own analyze job', async () => {
    await analyzeQueue.obliterate({ force: true });
    const published = crawled.map(([title, body]) => forum.publish({ title, body, author: '住户', board: 'hotline', topic: 'property-fee' }));
    const crawler = service.app.get(CrawlService);
    expect(await crawler.crawl(rssSourceId)).toMatchObject({ status: 'ok', stored: 3 });
    const [run] = await db.query(`SELECT id FROM crawl_runs WHERE source_id = $1 ORDER BY id DESC LIMIT 1`, [rssSourceId]);
    const batch = await analyzeQueue.getJob(jobIds.analyzeBatch(run.id, 0));
    expect(batch?.name).toBe(AnalyzeJobName.Batch);
    const stored: { id: number; content_hash: string }[] = await db.query(`SELECT id, content_hash FROM posts WHERE source_id = $1 ORDER BY id`, [rssSourceId]);
    expect((batch!.data as AnalyzeBatchJob).posts.map((p) => p.postId).sort()).toEqual(stored.map((p) => p.id).sort());
    expect(await analyzeQueue.getJobCounts('waiting')).toMatchObject({ waiting: 1 });

    forum.edit(published[0].id, { body: `${crawled[0][1]}更新：物业说下个月再议。` });
    expect(await crawler.crawl(rssSourceId)).toMatchObject({ status: 'ok', stored: 1 });
    const [edited] = await db.query(`SELECT id, content_hash FROM posts WHERE source_id = $1 AND revision = 2`, [rssSourceId]);
    expect(await analyzeQueue.getJob(jobIds.analyze(edited.id, edited.content_hash))).toBeTruthy();
    expect(await analyzeQueue.getJobCounts('waiting')).toMatchObject({ waiting: 2 });

    // Both jobs run (in either order): the edited post is analysed in its new revision only once.
    await processor.process((await analyzeQueue.getJob(jobIds.analyze(edited.id, edited.content_hash)))!);
    const result = await processor.process(batch!);
    expect(result).toMatchObject({ status: 'analysed', analysed: 2, skipped: 1 });
    const analyses = await db.query(`SELECT post_id, count(*)::int AS n FROM analyses WHERE post_id = ANY($1) GROUP BY post_id`, [stored.map((p) => p.id)]);
    expect(analyses.map((a: { n: number }) => a.n)).toEqual([1, 1, 1]);
  });

  it('analyses a batch, puts its disputes in cases and routes new cases; repeating the job changes nothing', async () => {
    const posts = await store([...disputes, chatter]);
    await routeQueue.obliterate({ force: true });
    const result = await processor.process(batchJob(posts, 'analyze-batch-repeat'));
    expect(result).toMatchObject({ status: 'analysed', analysed: 5, created: 5, skipped: 0 });
    const links: { post_id: number; case_id: number }[] = await db.query(`SELECT post_id, case_id FROM case_posts WHERE post_id = ANY($1)`, [posts.map((p) => p.id)]);
    expect(new Set(links.map((l) => l.post_id))).toEqual(new Set(posts.slice(0, 4).map((p) => p.id)));
    const caseIds = [...new Set(links.map((l) => l.case_id))];
    // Two disputes in two compounds: two cases, each routed.
    expect(caseIds).toHaveLength(2);
    for (const id of caseIds) expect(await routeQueue.getJob(jobIds.route(id))).toBeTruthy();

    const before = await snapshot(posts.map((p) => p.id));
    const again = await processor.process(batchJob(posts, 'analyze-batch-repeat'));
    expect(again).toMatchObject({ status: 'analysed', analysed: 5, created: 0 });
    expect(await snapshot(posts.map((p) => p.id))).toEqual(before);
  });

  it('finishes a batch that a killed worker left half done, without doing anything twice', async () => {
    const posts = await store([...disputes.map(([t, b]) => [t, `${b}（又一次）`]), chatter]);
    const analysis = service.app.get(AnalysisService);
    const correlation = service.app.get(CaseCorrelationService);
    // The first run stored every analysis, correlated the first two posts, and died.
    const outcomes = await analysis.analyzeMany(posts.map((p) => ({ postId: p.id, contentHash: p.contentHash })));
    expect(outcomes.every((o) => o.status === 'analysed' && o.created)).toBe(true);
    await correlation.correlateMany(outcomes.slice(0, 2).map((o) => (o.status === 'analysed' ? o.analysis : never())));
    await routeQueue.obliterate({ force: true });

    const result = await processor.process(batchJob(posts));
    expect(result).toMatchObject({ status: 'analysed', analysed: 5, created: 0 });
    const ids = posts.map((p) => p.id);
    const links: { post_id: number; case_id: number }[] = await db.query(`SELECT post_id, case_id FROM case_posts WHERE post_id = ANY($1)`, [ids]);
    expect(links.map((l) => l.post_id).sort()).toEqual(ids.slice(0, 4).sort());
    expect((await db.query(`SELECT count(*)::int AS n FROM analyses WHERE post_id = ANY($1)`, [ids]))[0].n).toBe(5);
    // Every attachment once, and the counts agree with the links.
    const attached = await db.query(`SELECT count(*)::int AS n FROM case_events WHERE type = 'post_attached' AND (data->>'postId')::int = ANY($1)`, [ids]);
    expect(attached[0].n).toBe(4);
    const counts = await db.query(`SELECT c.id, c.post_count, (SELECT count(*)::int FROM case_posts cp WHERE cp.case_id = c.id) AS linked FROM cases c`);
    for (const c of counts) expect(c.post_count).toBe(c.linked);
    // The first run may have opened a case and died before routing it: the repeat routes every case it found.
    for (const caseId of new Set(links.map((l) => l.case_id))) expect(await routeQueue.getJob(jobIds.route(caseId))).toBeTruthy();
  });

  it('a batch and the posts’ own analyze jobs side by side analyse and attach each post once', async () => {
    const posts = await store(disputes.map(([t, b]) => [t, `${b}（第三次反映）`]));
    const before = (await db.query(`SELECT count(*)::int AS n FROM case_events WHERE type = 'created'`))[0].n;
    await Promise.all([processor.process(batchJob(posts)), ...posts.map((p) => processor.process(oneJob(p))), processor.process(batchJob(posts.slice().reverse()))]);
    const ids = posts.map((p) => p.id);
    const analyses = await db.query(`SELECT post_id, count(*)::int AS n FROM analyses WHERE post_id = ANY($1) GROUP BY post_id`, [ids]);
    expect(analyses.map((a: { n: number }) => a.n)).toEqual([1, 1, 1, 1]);
    const links = await db.query(`SELECT post_id, count(*)::int AS n FROM case_posts WHERE post_id = ANY($1) GROUP BY post_id`, [ids]);
    expect(links.map((l: { n: number }) => l.n)).toEqual([1, 1, 1, 1]);
    // The compounds' cases are open already: nothing new was opened.
    expect((await db.query(`SELECT count(*)::int AS n FROM case_events WHERE type = 'created'`))[0].n).toBe(before);
    const hits = await db.query(`SELECT sum(hit_count)::int AS n FROM rules`);
    expect(hits[0].n).toBeGreaterThan(0);
  });

  it('analyses a batch of several chunks, each post with its own result, beside missing, stale and repeated ones', async () => {
    const texts = Array.from({ length: 2 * ANALYSIS_CHUNK + 20 }, (_, i) => (i % 3 === 0 ? disputes[i % disputes.length] : [`${chatter[0]}第${i}期`, `${chatter[1]}（第${i}期）`]));
    const posts = await store(texts);
    const [gone, changed, analysedBefore] = [posts[5], posts[70], posts[140]];
    await db.query(`DELETE FROM posts WHERE id = $1`, [gone.id]);
    await service.app.get(AnalysisService).analyzeMany([{ postId: analysedBefore.id, contentHash: analysedBefore.contentHash }]);
    const items = [...posts.map((p) => (p === changed ? { ...p, contentHash: 'e'.repeat(64) } : p)), posts[10], posts[100]];
    const outcomes = await service.app.get(AnalysisService).analyzeMany(items.map((p) => ({ postId: p.id, contentHash: p.contentHash })));
    expect(outcomes).toHaveLength(items.length);
    const stored: { id: number; title: string; body: string }[] = await db.query(`SELECT id, title, body FROM posts WHERE id = ANY($1)`, [posts.map((p) => p.id)]);
    const byId = new Map(stored.map((p) => [p.id, p]));
    outcomes.forEach((outcome, i) => {
      const item = items[i];
      if (item === gone) return expect([i, outcome.status]).toEqual([i, 'post_missing']);
      if (item.id === changed.id && i < posts.length) return expect([i, outcome.status]).toEqual([i, 'stale']);
      if (outcome.status !== 'analysed') return expect([i, outcome.status]).toEqual([i, 'analysed']);
      // The analysis is of this very post (a result shifted within or across chunks would carry another post's SimHash).
      const post = byId.get(item.id)!;
      expect([i, outcome.analysis.postId, outcome.analysis.simhash]).toEqual([i, item.id, textSimhash(`${normalizeText(post.title)}\n${normalizeText(post.body)}`)]);
      // Created now unless analysed before this call, or the second mention of a post in it.
      expect([i, outcome.created]).toEqual([i, item !== analysedBefore && i < posts.length]);
    });
    const counts: { post_id: number; n: number }[] = await db.query(`SELECT post_id, count(*)::int AS n FROM analyses WHERE post_id = ANY($1) GROUP BY post_id`, [posts.map((p) => p.id)]);
    expect(counts).toHaveLength(posts.length - 2);
    expect(counts.every((c) => c.n === 1)).toBe(true);
  });

  it('skips posts of a batch that were deleted or changed since', async () => {
    const posts = await store([disputes[0], disputes[2]]);
    await db.query(`DELETE FROM posts WHERE id = $1`, [posts[0].id]);
    const result = await processor.process(batchJob([...posts, { ...posts[1], contentHash: 'f'.repeat(64) }]));
    expect(result).toMatchObject({ status: 'analysed', analysed: 1, skipped: 2 });
  });
});

function never(): never {
  throw new Error('unreachable');
}
