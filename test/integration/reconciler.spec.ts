import { getQueueToken, WorkerHost } from '@nestjs/bullmq';
import { Job, Queue, Worker } from 'bullmq';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { AnalysisService, PIPELINE_VERSION } from '../../src/analysis/analysis.service';
import { AnalyzeProcessor } from '../../src/analysis/analyze.processor';
import { NotifyProcessor } from '../../src/notify/notify.processor';
import { NotifyRelay } from '../../src/notify/notify-relay.service';
import { MetricsService } from '../../src/ops/metrics.service';
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
      reconcile: { intervalSeconds: 3600, graceSeconds: 0, statementTimeoutMs: 2000 },
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

  describe('marks: a pass reads from where everything was last found done', () => {
    const analysed = (postId: number) => eventually(async () => (await db.query(`SELECT 1 FROM analyses a JOIN posts p ON p.id = a.post_id AND p.content_hash = a.content_hash WHERE p.id = $1`, [postId])).length > 0, 20_000, `post ${postId} analysed`);
    const marks = async () => (await db.query(`SELECT analysed_before, correlated_below, extract(epoch FROM now() - analysed_swept_at) AS swept_ago, extract(epoch FROM now() - analysed_before) AS analysed_ago FROM reconcile_marks`))[0];
    /** What was stored so far happened two hours ago (all of it finished: the previous tests waited for it). */
    const age = async () => {
      const unanalysed = `SELECT count(*)::int AS n FROM posts p WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash)`;
      await eventually(async () => (await db.query(unanalysed))[0].n === 0, 20_000, 'every post analysed');
      await db.query(`UPDATE posts SET fetched_at = fetched_at - interval '2 hours'`);
      await db.query(`UPDATE analyses SET analyzed_at = analyzed_at - interval '2 hours'`);
      await idsHandedOutLongAgo();
    };
    /** The analysis ids handed out so far were taken two hours ago (what the sequence sample says). */
    const idsHandedOutLongAgo = async () => {
      await db.query(`INSERT INTO reconcile_marks (pipeline_version) VALUES ($1) ON CONFLICT DO NOTHING`, [PIPELINE_VERSION]);
      await db.query(`UPDATE reconcile_marks SET id_sample = (SELECT max(id) FROM analyses), id_sampled_at = now() - interval '2 hours'`);
    };
    const resets = async (mark: 'analysed' | 'correlated') =>
      Number(new RegExp(`^tingfeng_reconcile_mark_resets_total\\{mark="${mark}"\\} (\\d+)$`, 'm').exec((await service.app.get(MetricsService).text()).body)![1]);
    /** A second reconciler, as another worker process has (its own `running` flag), on the same database and queues. */
    const otherWorker = () =>
      new ReconcilerService(service.app.get(AppConfig), new SchedulerRegistry(), db, queue(QueueName.Analyze), queue(QueueName.Route), queue(QueueName.Crawl), service.app.get(SourcesService));
    const unanalysedMetric = async () => Number(/^tingfeng_posts_unanalysed (\d+)$/m.exec((await service.app.get(MetricsService).text()).body)![1]);

    it('moves the post mark to ten minutes ago, stops it at an unanalysed post, and reads everything again once a day', async () => {
      await age();
      await reconciler.tick();
      const settled = await marks();
      // Everything older than the margin (10 minutes behind the grace period of 0 s) was found analysed.
      expect(Number(settled.analysed_ago)).toBeGreaterThanOrEqual(600);
      expect(Number(settled.analysed_ago)).toBeLessThan(660);

      // A post stored now and an old post edited now are read; each gets analysed.
      const fresh = await storePost('mark-fresh-');
      const [old] = await db.query(`SELECT id, external_id, title, body, author FROM posts WHERE fetched_at < now() - interval '1 hour' ORDER BY id LIMIT 1`);
      const [edited] = await service.app.get(PostsService).upsertMany(sourceId, [{ externalId: old.external_id, url: `http://hotline.invalid/${old.external_id}`, title: old.title, body: `${old.body}\n（已编辑）`, author: old.author }]);
      expect(edited.id).toBe(old.id);
      expect(await unanalysedMetric()).toBe(2);
      expect((await reconciler.tick()).posts).toBe(2);
      await analysed(fresh.id);
      await analysed(edited.id);
      expect(await unanalysedMetric()).toBe(0);

      // A post behind the mark is not read by a pass (such a post cannot arise: storing or editing a post
      // sets its fetch time to now; it stands here for what a pass no longer reads)…
      const behind = await storePost('mark-behind-');
      await db.query(`UPDATE posts SET fetched_at = now() - interval '1 hour' WHERE id = $1`, [behind.id]);
      expect((await reconciler.tick()).posts).toBe(0);
      expect(await queue(QueueName.Analyze).getJob(jobIds.analyze(behind.id, behind.contentHash))).toBeUndefined();
      expect(await unanalysedMetric()).toBe(0);

      // …until the daily pass from the beginning, which finds it and stops the mark at it until it is done.
      // Two workers reach the day's end together: one of them sweeps (the mark is moved back once).
      expect(await resets('analysed')).toBe(0);
      await db.query(`UPDATE reconcile_marks SET analysed_swept_at = now() - interval '25 hours'`);
      const [mine, theirs] = await Promise.all([reconciler.tick(), otherWorker().tick()]);
      // The other may read from the mark the sweep just moved back, and find the post too (the same job id).
      expect([mine.posts, theirs.posts].sort()).toEqual(expect.arrayContaining([1]));
      expect(mine.posts + theirs.posts).toBeLessThanOrEqual(2);
      expect(await resets('analysed')).toBe(1);
      const [{ at }] = await db.query(`SELECT fetched_at AS at FROM posts WHERE id = $1`, [behind.id]);
      const swept = await marks();
      expect(swept.analysed_before).toEqual(at);
      expect(Number(swept.swept_ago)).toBeLessThan(60);
      await analysed(behind.id);
      await reconciler.tick();
      expect(Number((await marks()).analysed_ago)).toBeLessThan(660);
      expect(await resets('analysed')).toBe(1);
    });

    it('moves the analysis mark past analyses that are in a case, stops it at one that is not', async () => {
      await age();
      await reconciler.tick();
      const [{ next }] = await db.query(`SELECT max(id) + 1 AS next FROM analyses`);
      expect((await marks()).correlated_below).toBe(next);

      // An analysis stored without reaching a case, old enough to judge: the mark stops at it.
      const post = await storePost('mark-uncorrelated-');
      expect((await service.app.get(AnalysisService).analyze(post.id, post.contentHash)).status).toBe('analysed');
      const [analysis] = await db.query(`SELECT id FROM analyses WHERE post_id = $1`, [post.id]);
      await db.query(`UPDATE analyses SET analyzed_at = now() - interval '1 hour' WHERE id = $1`, [analysis.id]);
      expect((await reconciler.tick()).uncorrelated).toBe(1);
      expect((await marks()).correlated_below).toBe(analysis.id);
      await caseOf(post.id);
      // In a case now: the mark stays at it while its id is younger than the margin, then moves past it.
      await eventually(async () => (await reconciler.tick()).uncorrelated === 0, 10_000, 'nothing left to correlate');
      expect((await marks()).correlated_below).toBe(analysis.id);
      await idsHandedOutLongAgo();
      await reconciler.tick();
      expect((await marks()).correlated_below).toBe(analysis.id + 1);
    });
    /** An analysis of `post` that fired a (non-aggregate) warning rule in the source's area, as the pipeline stores it. */
    const analysisSql = `INSERT INTO analyses (post_id, content_hash, pipeline_version, area_id, area_confidence, category, domain, warning_level, fired_rules, analyzed_at)
      SELECT $1, $2, $3, s.default_area_id, 0.8, '物业纠纷', '城乡建设', 'yellow', jsonb_build_array(jsonb_build_object('ruleId', r.id, 'code', r.code, 'version', r.version, 'level', r.level, 'hits', '[]'::jsonb)), $4
        FROM sources s, (SELECT * FROM rules WHERE role = 'warning' AND NOT (definition ? 'aggregate') ORDER BY id LIMIT 1) r WHERE s.id = $5 RETURNING id`;

    it('does not move the analysis mark past an id whose transaction is still open', async () => {
      await age();
      await reconciler.tick();
      // A worker's transaction takes an id for its analysis and has not committed yet…
      const late = await storePost('mark-late-');
      // (Fetched before the post mark, so that only the analysis side of the pass can find it.)
      await db.query(`UPDATE posts SET fetched_at = now() - interval '1 hour' WHERE id = $1`, [late.id]);
      const held = new Client({ connectionString: env.databaseUrl });
      await held.connect();
      try {
        await held.query('BEGIN');
        const [{ id: lateId }] = (await held.query(analysisSql, [late.id, late.contentHash, PIPELINE_VERSION, new Date(Date.now() - 3_600_000), sourceId])).rows;
        // …while another commits a higher id, which looks old enough to judge and needs no case.
        const quick = await storePost('mark-quick-');
        const [{ id: quickId }] = await db.query(
          `INSERT INTO analyses (post_id, content_hash, pipeline_version, analyzed_at) VALUES ($1, $2, $3, now() - interval '1 hour') RETURNING id`,
          [quick.id, quick.contentHash, PIPELINE_VERSION],
        );
        expect(quickId).toBeGreaterThan(lateId);
        await reconciler.tick();
        // Visible is only the higher id; the mark stays at or below the one still being written.
        expect((await marks()).correlated_below).toBeLessThanOrEqual(lateId);
        await held.query('COMMIT');
      } finally {
        await held.end();
      }
      // Committed without its correlation (the worker died): the next pass finds it and it reaches a case.
      expect((await reconciler.tick()).uncorrelated).toBe(1);
      await caseOf(late.id);
    });

    it('finds an analysis hidden behind a wrong analysis mark on the daily pass, and counts the reset', async () => {
      await age();
      await reconciler.tick();
      const hidden = await storePost('mark-hidden-');
      const [{ id }] = await db.query(analysisSql, [hidden.id, hidden.contentHash, PIPELINE_VERSION, new Date(Date.now() - 3_600_000), sourceId]);
      await idsHandedOutLongAgo();
      // A mark past it (it cannot get there by itself: it stands for a mark that were ever wrong).
      await db.query(`UPDATE reconcile_marks SET correlated_below = $1 + 1`, [id]);
      expect((await reconciler.tick()).uncorrelated).toBe(0);
      expect(await resets('correlated')).toBe(0);
      await db.query(`UPDATE reconcile_marks SET correlated_swept_at = now() - interval '25 hours'`);
      expect((await reconciler.tick()).uncorrelated).toBe(1);
      expect((await marks()).correlated_below).toBe(id);
      expect(await resets('correlated')).toBe(1);
      await caseOf(hidden.id);
    });
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

  it('gives up on a pass whose query waits longer than statementTimeoutMs, and the next pass runs', async () => {
    // Another session holds the marks' row (a stand-in for a query that never ends).
    await db.query(`INSERT INTO reconcile_marks (pipeline_version) VALUES ($1) ON CONFLICT DO NOTHING`, [PIPELINE_VERSION]);
    const holder = new Client({ connectionString: env.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      expect((await holder.query(`SELECT * FROM reconcile_marks FOR UPDATE`)).rowCount).toBe(1);
      const release = setTimeout(() => void holder.query('ROLLBACK'), 20_000); // the test never hangs
      const started = Date.now();
      const pass = await reconciler.tick();
      clearTimeout(release);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(pass).toEqual({ posts: 0, cases: 0, uncorrelated: 0 });
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    const post = await storePost('after-timeout-');
    expect((await reconciler.tick()).posts).toBeGreaterThanOrEqual(1);
    await caseOf(post.id);
  });
});
