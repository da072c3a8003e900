import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AnalysisService } from '../../src/analysis/analysis.service';
import { CaseCorrelationService } from '../../src/cases/case-correlation.service';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { seedDemo } from '../../src/demo/demo-seed';
import { PostsService } from '../../src/posts/posts.service';
import { jobIds, QueueName } from '../../src/queues/queue-names';
import { RulesService } from '../../src/rules/rules.service';
import type { RunningService } from '../../src/service';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/** Grouping in the database: same-topic posts of one area join one case; a recently closed case reopens. */
describe('grouping posts into cases', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let db: DataSource;
  let sourceId: number;
  let n = 0;

  const ingest = async (title: string, body: string) => {
    const [p] = await service.app.get(PostsService).upsertMany(sourceId, [{ externalId: `g-${++n}`, url: `http://forum.invalid/g/${n}`, title, body, author: `住户${n}` }]);
    const outcome = await service.app.get(AnalysisService).analyze(p.id, p.contentHash);
    if (outcome.status !== 'analysed') throw new Error(outcome.status);
    return { analysis: outcome.analysis, results: await service.app.get(CaseCorrelationService).correlate(outcome.analysis) };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 3600 } });
    const seeded = await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    sourceId = seeded.sources[0].id;
    db = service.app.get(DataSource);
    await service.app.get(RulesService).upsert({ code: 'lift', name: '电梯故障', level: 'yellow', category: '物业纠纷', kind: 'expression', definition: { expression: '电梯 & (坏|故障|困人)' } });
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('attaches a same-topic post of the same area to the open case although another rule fired', async () => {
    const first = await ingest('泰和花园物业乱收费', '泰和花园的物业公司又乱收费，物业费涨了一倍，问物业也不给收费依据。');
    expect(first.results).toEqual([expect.objectContaining({ created: true })]);
    const second = await ingest('泰和花园电梯又坏了', '泰和花园3号楼电梯坏了一周，物业公司一直不修，物业费倒是照收。');
    expect(second.analysis.firedRules.map((f) => f.code)).toEqual(['lift']);
    expect(second.results).toEqual([{ caseId: first.results[0].caseId, created: false, attached: true, reason: 'same_topic' }]);
    const [event] = await db.query(`SELECT data FROM case_events WHERE case_id = $1 AND type = 'post_attached' ORDER BY id DESC LIMIT 1`, [first.results[0].caseId]);
    expect(event.data).toEqual({ postId: second.analysis.postId, reason: 'same_topic' });
  });

  it('opens a separate case for another topic in the same area', async () => {
    const noise = await ingest('泰和花园楼下广场舞太吵', '泰和花园楼下广场舞音响每天开到深夜，噪音扰民，老人孩子都睡不着。');
    expect(noise.results).toEqual([expect.objectContaining({ created: true })]);
  });

  it('reopens a case closed less than reopenDays ago when its dispute comes back, with a reopened event, and tells the worker who had it', async () => {
    const first = await ingest('杉杉苑物业乱收费', '杉杉苑物业公司强制收取停车管理费，物业费也涨价了，没有任何收费依据。');
    const caseId = first.results[0].caseId;
    const [worker] = await db.query(`SELECT id FROM users WHERE role = 'worker' AND active ORDER BY id LIMIT 1`);
    await db.query(
      `UPDATE cases SET status = 'settled', outcome = 'settled', assignee_id = $2, closed_at = now() - interval '3 days', due_settle_at = now() - interval '1 day', escalation_level = 2 WHERE id = $1`,
      [caseId, worker.id],
    );
    const again = await ingest('杉杉苑物业又乱收费', '杉杉苑物业公司又开始乱收费了，上次说好的退费也没有退，物业费还在涨。');
    expect(again.results).toEqual([{ caseId, created: false, attached: true, reopened: true, reason: 'same_topic', notificationIds: [expect.any(Number)] }]);
    const [c] = await db.query(`SELECT status, closed_at, outcome, post_count, escalation_level, due_settle_at > now() AS settle_clock_fresh FROM cases WHERE id = $1`, [caseId]);
    // A fresh settle clock: the reopened case is not overdue (nor escalated) at once.
    expect(c).toMatchObject({ status: 'assigned', closed_at: null, outcome: null, post_count: 2, escalation_level: 0, settle_clock_fresh: true });
    const events = await db.query(`SELECT type, data FROM case_events WHERE case_id = $1 AND type = 'reopened'`, [caseId]);
    expect(events).toEqual([{ type: 'reopened', data: expect.objectContaining({ postId: again.analysis.postId, reason: 'same_topic', ruleCode: 'property-fee' }) }]);
    // The worker hears of it in the console (and, once, on every group channel configured).
    const messages = await db.query(`SELECT recipient_user_id, title, body FROM notifications WHERE case_id = $1 AND event = 'reopened' AND channel = 'inapp'`, [caseId]);
    expect(messages).toEqual([{ recipient_user_id: worker.id, title: expect.stringContaining('案件重新打开'), body: expect.stringContaining('同一纠纷又出现了新的帖子，案件已自动重新打开') }]);
    expect(again.results[0].notificationIds).toEqual((await db.query(`SELECT id FROM notifications WHERE case_id = $1 AND event = 'reopened'`, [caseId])).map((r: { id: number }) => r.id));
    // Sent, not just written: the notify worker delivers it.
    await eventually(async () => (await db.query(`SELECT count(*)::int AS n FROM notifications WHERE case_id = $1 AND event = 'reopened' AND status = 'delivered'`, [caseId]))[0].n === 1, 20_000, 'the reopened message delivered');
  });

  it('an aggregate rule opens a case only when enough matching posts of the area came together, holding them all', async () => {
    await service.app.get(RulesService).upsert({
      code: 'site-noise-burst',
      name: '工地夜间施工集中投诉',
      level: 'orange',
      category: '噪音扰民',
      kind: 'expression',
      definition: { expression: '工地 & 夜间施工', aggregate: { type: 'frequency', windowHours: 24, minAuthors: 2 } },
    });
    const first = await ingest('丹凤新村旁工地夜间施工', '丹凤新村旁边的工地夜间施工，打桩机一直响。');
    expect(first.analysis.firedRules.map((f) => f.code)).toContain('site-noise-burst');
    expect(first.results.filter((r) => r.created)).toEqual([]);
    const second = await ingest('丹凤新村工地又夜间施工', '丹凤新村的工地昨晚又夜间施工到两点。');
    const opened = second.results.find((r) => r.created);
    expect(opened).toBeDefined();
    const posts = await db.query(`SELECT post_id FROM case_posts WHERE case_id = $1 ORDER BY post_id`, [opened!.caseId]);
    expect(posts.map((p: { post_id: number }) => p.post_id)).toEqual([first.analysis.postId, second.analysis.postId]);
    const [created] = await db.query(`SELECT data FROM case_events WHERE case_id = $1 AND type = 'created'`, [opened!.caseId]);
    expect(created.data.aggregate).toMatchObject({ holds: true, posts: 2, authors: 2 });
  });

  it('routes again at once a reopened case that nobody had, through the analyze job', async () => {
    const first = await ingest('金鼎花园物业乱收费', '金鼎花园物业公司乱收停车费，物业费也涨了，没有收费依据。');
    const caseId = first.results[0].caseId;
    const routeQueue = service.app.get<Queue>(getQueueToken(QueueName.Route));
    const status = async () => (await db.query(`SELECT status, assignee_id FROM cases WHERE id = $1`, [caseId]))[0] as { status: string; assignee_id: number | null };
    // Routed once (its route job stays in the queue as completed), then dismissed without anyone on it.
    await routeQueue.add('route', { caseId }, { jobId: jobIds.route(caseId) });
    await eventually(async () => (await status()).status === 'assigned', 20_000, 'the case routed');
    expect(await routeQueue.getJobState(jobIds.route(caseId))).toBe('completed');
    await db.query(`UPDATE cases SET status = 'dismissed', outcome = NULL, assignee_id = NULL, assigned_at = NULL, closed_at = now() - interval '2 days' WHERE id = $1`, [caseId]);

    // The dispute comes back; the crawler's analyze job handles the post.
    const [p] = await service.app.get(PostsService).upsertMany(sourceId, [{ externalId: `g-${++n}`, url: `http://forum.invalid/g/${n}`, title: '金鼎花园物业又乱收费', body: '金鼎花园物业公司又开始乱收停车费了，物业费还要再涨。', author: `住户${n}` }]);
    await service.app.get<Queue>(getQueueToken(QueueName.Analyze)).add('analyze', { postId: p.id, contentHash: p.contentHash }, { jobId: jobIds.analyze(p.id, p.contentHash) });
    await eventually(async () => (await db.query(`SELECT 1 FROM case_posts WHERE case_id = $1 AND post_id = $2`, [caseId, p.id])).length > 0, 20_000, 'the post in the reopened case');
    await eventually(async () => (await status()).status === 'assigned', 20_000, 'the reopened case routed again');
    expect((await status()).assignee_id).not.toBeNull();
  });

  it('opens a new case when the matching case was closed longer ago than reopenDays', async () => {
    const first = await ingest('镇安新村物业乱收费', '镇安新村物业公司乱收费，物业费一年涨两次，没有收费依据。');
    const caseId = first.results[0].caseId;
    await db.query(`UPDATE cases SET status = 'settled', outcome = 'settled', closed_at = now() - interval '30 days' WHERE id = $1`, [caseId]);
    const later = await ingest('镇安新村物业又乱收费', '镇安新村物业公司又在乱收费，物业费涨了还强制收取。');
    expect(later.results).toEqual([expect.objectContaining({ created: true })]);
    expect(later.results[0].caseId).not.toBe(caseId);
  });
});
