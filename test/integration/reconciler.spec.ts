import { getQueueToken, WorkerHost } from '@nestjs/bullmq';
import { Job, Queue, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { AnalysisService } from '../../src/analysis/analysis.service';
import { AnalyzeProcessor } from '../../src/analysis/analyze.processor';
import { NotifyProcessor } from '../../src/notify/notify.processor';
import { NotifyRelay } from '../../src/notify/notify-relay.service';
import { PostsService } from '../../src/posts/posts.service';
import { jobIds, QueueName } from '../../src/queues/queue-names';
import { redisOptions } from '../../src/queues/redis-options';
import { RouteProcessor } from '../../src/routing/route.processor';
import type { RunningService } from '../../src/service';
import { SourcesService } from '../../src/sources/sources.service';
import { ReconcilerService } from '../../src/worker/reconciler.service';
import { faultPosts, seedFaultDistrict } from '../support/fault-district';
import { REDIS_URL } from '../support/postgres';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/**
 * The reconciler and the outbox relay against jobs the queue still holds under their deterministic
 * ids: one that ran out of tries, one that completed without its work being done (per Postgres).
 * Adding the same id again would be a no-op; they must be retried or re-added. Jobs are put into
 * those states by hand (a worker of the test takes them while the service's own worker is paused).
 */
describe('reconciler: failed and completed jobs whose work is not done', () => {
  let env: TestEnv;
  let service: RunningService;
  let db: DataSource;
  let sourceId: number;
  let reconciler: ReconcilerService;
  const manual: Worker[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    // The reconciler and the relay run only when a test calls them; nothing is younger than the grace period.
    service = await env.start({
      role: 'all',
      queue: { lockDurationMs: 9000, stalledIntervalMs: 4000, maxStalledCount: 2 },
      reconcile: { intervalSeconds: 3600, graceSeconds: 0 },
    });
    db = service.app.get(DataSource);
    reconciler = service.app.get(ReconcilerService);
    const rootId = await seedFaultDistrict(service.app);
    sourceId = (await service.app.get(SourcesService).upsert({ code: 'hotline', name: '12345 热线推送', kind: 'push', defaultAreaId: rootId })).id;
  });

  afterAll(async () => {
    for (const w of manual) await w.close();
    await env?.teardown();
  });

  const queue = (name: QueueName) => service.app.get<Queue>(getQueueToken(name));
  const host = (type: typeof AnalyzeProcessor | typeof RouteProcessor | typeof NotifyProcessor) => service.app.get<WorkerHost>(type, { strict: false });

  /**
   * Puts job `jobId` into `state` as a worker would leave it: the service's worker of the queue is
   * paused meanwhile, a worker of the test takes the job and fails it on its last try or completes it
   * with `result`.
   */
  const leaveJob = async (type: typeof AnalyzeProcessor | typeof RouteProcessor | typeof NotifyProcessor, name: QueueName, jobName: string, data: object, jobId: string, state: 'failed' | 'completed', result?: unknown) => {
    const own = host(type).worker;
    await own.pause();
    try {
      await (await queue(name).getJob(jobId))?.remove();
      await queue(name).add(jobName, data, { jobId, attempts: 1 });
      const worker = new Worker(name, null, { connection: redisOptions(REDIS_URL), prefix: env.queuePrefix, autorun: false });
      manual.push(worker);
      const token = `test-${jobId}`;
      const job = (await worker.getNextJob(token)) as Job | undefined;
      expect(job?.id).toBe(jobId);
      if (state === 'failed') await job!.moveToFailed(new Error('Connection terminated unexpectedly'), token, false);
      else await job!.moveToCompleted(result ?? { status: 'analysed' }, token, false);
      expect(await queue(name).getJobState(jobId)).toBe(state);
    } finally {
      own.resume();
    }
  };

  const storePost = async (tag: string) => {
    const [p] = faultPosts(1, tag);
    const [stored] = await service.app.get(PostsService).upsertMany(sourceId, [{ externalId: p.id, url: `http://hotline.invalid/${p.id}`, title: p.title, body: p.body, author: p.author }]);
    return stored;
  };
  const caseOf = (postId: number) => eventually(async () => (await db.query(`SELECT case_id FROM case_posts WHERE post_id = $1`, [postId]))[0]?.case_id as number | undefined, 20_000, `post ${postId} in a case`);

  it('gives every queue worker the configured lock and stalled-job settings', () => {
    for (const type of [AnalyzeProcessor, RouteProcessor, NotifyProcessor]) {
      expect(host(type).worker.opts).toMatchObject({ lockDuration: 9000, lockRenewTime: 4500, stalledInterval: 4000, maxStalledCount: 2, prefix: env.queuePrefix });
    }
  });

  it('retries an analyze job that ran out of tries, with fresh tries, and the post becomes a case', async () => {
    const post = await storePost('failed-');
    const jobId = jobIds.analyze(post.id, post.contentHash);
    await leaveJob(AnalyzeProcessor, QueueName.Analyze, 'analyze', { postId: post.id, contentHash: post.contentHash }, jobId, 'failed');
    // Adding the same id is a no-op: the job stays failed (the bug the reconciler had).
    await queue(QueueName.Analyze).add('analyze', { postId: post.id, contentHash: post.contentHash }, { jobId });
    expect(await queue(QueueName.Analyze).getJobState(jobId)).toBe('failed');

    expect((await reconciler.tick()).posts).toBeGreaterThanOrEqual(1);
    await caseOf(post.id);
    const job = await queue(QueueName.Analyze).getJob(jobId);
    expect(await job!.getState()).toBe('completed');
    expect(job!.attemptsMade).toBe(1);
  });

  it('adds again an analyze job that completed without an analysis', async () => {
    const post = await storePost('completed-');
    const jobId = jobIds.analyze(post.id, post.contentHash);
    await leaveJob(AnalyzeProcessor, QueueName.Analyze, 'analyze', { postId: post.id, contentHash: post.contentHash }, jobId, 'completed');
    expect((await reconciler.tick()).posts).toBeGreaterThanOrEqual(1);
    await caseOf(post.id);
    expect((await db.query(`SELECT count(*)::int AS n FROM analyses WHERE post_id = $1`, [post.id]))[0].n).toBe(1);
  });

  it('correlates an analysis that never reached a case (stored, then the job ended)', async () => {
    const post = await storePost('uncorrelated-');
    const outcome = await service.app.get(AnalysisService).analyze(post.id, post.contentHash);
    expect(outcome.status).toBe('analysed');
    const jobId = jobIds.analyze(post.id, post.contentHash);
    await leaveJob(AnalyzeProcessor, QueueName.Analyze, 'analyze', { postId: post.id, contentHash: post.contentHash }, jobId, 'failed');
    expect((await db.query(`SELECT count(*)::int AS n FROM case_posts WHERE post_id = $1`, [post.id]))[0].n).toBe(0);

    const pass = await reconciler.tick();
    expect(pass.posts).toBe(0);
    expect(pass.uncorrelated).toBe(1);
    await caseOf(post.id);
    await eventually(async () => (await reconciler.tick()).uncorrelated === 0, 10_000, 'nothing left to correlate');
  });

  it('retries a route job that ran out of tries; leaves one that found nobody on duty', async () => {
    const caseId = await caseOf((await db.query(`SELECT id FROM posts WHERE external_id = 'failed-1'`))[0].id);
    // The case as if routing never succeeded: new, unassigned.
    const unassign = () => db.query(`UPDATE cases SET status = 'new', assignee_id = NULL, assigned_at = NULL WHERE id = $1`, [caseId]);
    await unassign();
    await leaveJob(RouteProcessor, QueueName.Route, 'route', { caseId }, jobIds.route(caseId), 'completed', 'no_candidate');
    await reconciler.tick();
    expect(await queue(QueueName.Route).getJobState(jobIds.route(caseId))).toBe('completed');
    expect((await db.query(`SELECT status FROM cases WHERE id = $1`, [caseId]))[0].status).toBe('new');

    await leaveJob(RouteProcessor, QueueName.Route, 'route', { caseId }, jobIds.route(caseId), 'failed');
    expect((await reconciler.tick()).cases).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await db.query(`SELECT status FROM cases WHERE id = $1`, [caseId]))[0].status === 'assigned', 20_000, 'the case to be assigned');
  });

  it('relays a pending notification whose job ran out of tries, or completed, without recording it', async () => {
    const ids: number[] = (await db.query(`SELECT id FROM notifications ORDER BY id LIMIT 2`)).map((r: { id: number }) => r.id);
    expect(ids).toHaveLength(2);
    await eventually(async () => (await db.query(`SELECT count(*)::int AS n FROM notifications WHERE id = ANY($1) AND status = 'delivered'`, [ids]))[0].n === 2, 20_000, 'first deliveries');
    const [failed, completed] = ids;
    await leaveJob(NotifyProcessor, QueueName.Notify, 'deliver', { notificationId: failed }, jobIds.notify(failed), 'failed');
    await leaveJob(NotifyProcessor, QueueName.Notify, 'deliver', { notificationId: completed }, jobIds.notify(completed), 'completed', 'delivered');
    // Pending (the database did not take the outcome) and older than the relay's grace.
    await db.query(`UPDATE notifications SET status = 'pending', delivered_at = NULL, created_at = now() - interval '1 minute' WHERE id = ANY($1)`, [ids]);

    expect(await service.app.get(NotifyRelay).relay()).toBe(2);
    await eventually(async () => (await db.query(`SELECT count(*)::int AS n FROM notifications WHERE id = ANY($1) AND status = 'delivered'`, [ids]))[0].n === 2, 20_000, 'both delivered again');
    expect(await service.app.get(NotifyRelay).relay()).toBe(0);
  });
});
