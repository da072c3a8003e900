import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AnalysisService } from '../../src/analysis/analysis.service';
import { CaseCorrelationService } from '../../src/cases/case-correlation.service';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { seedDemo } from '../../src/demo/demo-seed';
import { PostsService } from '../../src/posts/posts.service';
import { jobIds, QueueName } from '../../src/queues/queue-names';
import { RoutingService } from '../../src/routing/routing.service';
import type { RunningService } from '../../src/service';
import { ReconcilerService } from '../../src/worker/reconciler.service';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/** Idempotency and concurrency of each stage, on the real Postgres and Redis. */
describe('pipeline stages', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let db: DataSource;
  let sourceId: number;

  const item = (n: number, body = `泰和花园的物业公司又乱收费了，电梯费莫名其妙涨了一倍，业主第${n}次去问都没有答复。`) => ({
    externalId: `ext-${n}`,
    url: `http://forum.invalid/thread/${n}`,
    title: `泰和花园物业乱收费（${n}）`,
    body,
    author: `住户${n}`,
  });

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    // The reconciler runs only when a test calls it; nothing is older than the grace period.
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 0 } });
    const seeded = await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    sourceId = seeded.sources[0].id;
    db = service.app.get(DataSource);
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('stores a post once, and a changed post as a new revision', async () => {
    const posts = service.app.get(PostsService);
    const first = await posts.upsertMany(sourceId, [item(1), item(1)]);
    expect(first).toEqual([expect.objectContaining({ inserted: true })]);
    expect(await posts.upsertMany(sourceId, [item(1)])).toEqual([]);
    const edited = await posts.upsertMany(sourceId, [item(1, '更新：物业今天贴了通知，说电梯费不涨了，但之前多收的还没退。')]);
    expect(edited).toEqual([{ id: first[0].id, contentHash: expect.any(String), inserted: false }]);
    expect(edited[0].contentHash).not.toBe(first[0].contentHash);
    const [row] = await db.query(`SELECT revision, body FROM posts WHERE id = $1`, [first[0].id]);
    expect(row.revision).toBe(2);
    expect(row.body).toMatch(/^更新/);
  });

  it('attaches concurrent posts about one dispute to one case, and repeating changes nothing', async () => {
    const posts = service.app.get(PostsService);
    const analysis = service.app.get(AnalysisService);
    const correlation = service.app.get(CaseCorrelationService);
    const stored = await posts.upsertMany(sourceId, [2, 3, 4, 5, 6].map((n) => item(n)));
    const analysed = await Promise.all(stored.map((p) => analysis.analyze(p.id, p.contentHash)));
    const results = await Promise.all(analysed.map((a) => (a.status === 'analysed' ? correlation.correlate(a.analysis) : [])));
    const caseIds = new Set(results.flat().map((r) => r.caseId));
    expect(caseIds.size).toBe(1);
    expect(results.flat().filter((r) => r.created)).toHaveLength(1);
    const [caseId] = caseIds;

    // The same analysis jobs again: analysis is not redone, nothing is attached twice.
    const again = await Promise.all(stored.map((p) => analysis.analyze(p.id, p.contentHash)));
    expect(again.every((a) => a.status === 'analysed' && !a.created)).toBe(true);
    const repeated = await Promise.all(again.map((a) => (a.status === 'analysed' ? correlation.correlate(a.analysis) : [])));
    expect(repeated.flat().every((r) => r.caseId === caseId && !r.created && !r.attached)).toBe(true);
    const [c] = await db.query(`SELECT post_count FROM cases WHERE id = $1`, [caseId]);
    expect(c.post_count).toBe(5);
    const events = await db.query(`SELECT type, count(*)::int AS n FROM case_events WHERE case_id = $1 GROUP BY type ORDER BY type`, [caseId]);
    expect(events).toEqual([
      { type: 'created', n: 1 },
      { type: 'post_attached', n: 5 },
    ]);
  });

  it('answers a job for an older revision with "stale" and a deleted post with "post_missing"', async () => {
    const analysis = service.app.get(AnalysisService);
    const [p] = await db.query(`SELECT id FROM posts WHERE external_id = 'ext-1'`);
    expect(await analysis.analyze(p.id, 'an-old-hash')).toMatchObject({ status: 'stale' });
    expect(await analysis.analyze(999_999, 'whatever')).toEqual({ status: 'post_missing' });
  });

  it('assigns a case once however often it is routed', async () => {
    const [open] = await db.query(`SELECT id FROM cases WHERE status = 'new' ORDER BY id LIMIT 1`);
    const routing = service.app.get(RoutingService);
    const outcomes = await Promise.all([routing.route(open.id), routing.route(open.id), routing.route(open.id)]);
    expect(outcomes.sort()).toEqual(['already_assigned', 'already_assigned', 'assigned']);
    const assigned = await db.query(`SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND type = 'assigned'`, [open.id]);
    expect(assigned[0].n).toBe(1);
    const [c] = await db.query(`SELECT c.status, u.username FROM cases c JOIN users u ON u.id = c.assignee_id WHERE c.id = $1`, [open.id]);
    expect(c).toEqual({ status: 'assigned', username: 'sg-huachuan' });
    expect(await routing.route(123_456)).toBe('case_missing');
  });

  it('re-enqueues posts whose analysis was lost with the queue, and they become cases', async () => {
    const analyzeQueue = service.app.get<Queue>(getQueueToken(QueueName.Analyze));
    const posts = service.app.get(PostsService);
    // A post stored while Redis lost its jobs: nothing is queued for it.
    const [lost] = await posts.upsertMany(sourceId, [
      { externalId: 'lost-1', url: 'http://forum.invalid/thread/lost-1', title: '银杏苑楼下烧烤店太吵', body: '银杏苑楼下烧烤店每天开到凌晨，噪音吵得整栋楼睡不着，老人孩子都受不了。' },
    ]);
    await analyzeQueue.obliterate({ force: true });

    const reconciler = service.app.get(ReconcilerService);
    const pass = await reconciler.tick();
    expect(pass.posts).toBeGreaterThanOrEqual(1);
    // Deterministic ids: enqueuing the same work again is a no-op while the job is known.
    await analyzeQueue.add('analyze', { postId: lost.id, contentHash: lost.contentHash }, { jobId: jobIds.analyze(lost.id, lost.contentHash) });
    const jobs = await analyzeQueue.getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized']);
    expect(jobs.filter((j) => j.id === jobIds.analyze(lost.id, lost.contentHash))).toHaveLength(1);

    const assignee = await eventually(async () => {
      const rows = await db.query(
        `SELECT u.username FROM case_posts cp JOIN cases c ON c.id = cp.case_id JOIN users u ON u.id = c.assignee_id WHERE cp.post_id = $1`,
        [lost.id],
      );
      return rows[0]?.username;
    }, 20_000, 'the lost post to become an assigned case');
    expect(assignee).toBe('sg-rongjia');
    expect((await reconciler.tick()).posts).toBe(0);
  });
});
