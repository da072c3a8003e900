import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';
import { CaseFixtures } from './cases-fixtures';

/** The worker's actions over the API, their timeline, and two people acting on one case at the same moment. */
describe('case actions', () => {
  let env: TestEnv;
  let service: RunningService;
  let fx: CaseFixtures;
  let worker: Api;
  let supervisor: Api;
  let otherWorker: Api;
  let workerId: number;
  let supervisorId: number;

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 3600 } });
    fx = await new CaseFixtures(service.app, service.url!).seed();
    [worker, supervisor, otherWorker] = await Promise.all([fx.login('sg-huachuan'), fx.login('sup-baihe'), fx.login('sg-zhenan')]);
    [workerId, supervisorId] = await Promise.all([fx.userId('sg-huachuan'), fx.userId('sup-baihe')]);
  });

  afterAll(async () => {
    await env?.teardown();
  });

  async function assignedCase(rule = 'property-fee', body?: string): Promise<number> {
    const id = await fx.openCase('huachuan', rule, { body });
    expect(await fx.route(id)).toBe('assigned');
    return id;
  }

  it('runs contact, template response, commitment, comment, escalation, hand-over and settlement, each on the timeline', async () => {
    const id = await assignedCase('property-fee', '泰和花园的华城物业又乱收费了，业主电话13812345678。');
    expect((await worker.post(`/cases/${id}/acknowledge`)).body.status).toBe('acknowledged');

    const contact = await worker.post(`/cases/${id}/contacts`, { party: '泰和花园业主老王', channel: 'phone', summary: '电话沟通，业主同意等物业答复' });
    expect(contact.status).toBe(200);
    expect(contact.body).toMatchObject({ status: 'in_contact', firstContactAt: expect.any(String) });
    expect((await worker.post(`/cases/${id}/contacts`, { party: '老王', channel: 'telegram', summary: '无' })).status).toBe(400);

    const templates = (await worker.get(`/cases/${id}/response-templates`)).body;
    expect(templates.map((t: { key: string }) => t.key)).toEqual(['物业纠纷/pacifying', '物业纠纷/explanatory', '物业纠纷/clarification', '物业纠纷/follow_up']);
    expect(templates[1].variables).toEqual(['说明']);

    const missing = await worker.post(`/cases/${id}/responses`, { kind: 'explanatory', variables: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('说明');
    const published = await worker.post(`/cases/${id}/responses`, {
      kind: 'pacifying',
      variables: {},
      channel: 'forum_reply',
      publishedUrl: 'http://forum.invalid/t/1#reply-9',
    });
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('responded');

    const due = new Date(Date.now() + 3 * 86_400_000).toISOString();
    expect((await worker.post(`/cases/${id}/commitments`, { text: '周五前请物业公示电梯费收费依据', dueAt: due })).status).toBe(200);
    expect((await worker.post(`/cases/${id}/commitments`, { text: '昨天的承诺', dueAt: '2020-01-01T00:00:00Z' })).status).toBe(400);
    expect((await worker.post(`/cases/${id}/comments`, { text: '物业经理答应周四给书面说明' })).status).toBe(200);
    expect((await worker.post(`/cases/${id}/escalate`, { reason: '物业拒不配合，请街道协调' })).body.status).toBe('escalated');
    const handed = await supervisor.post(`/cases/${id}/hand-over`, { department: '区住建局物业科', note: '涉及物业收费标准' });
    expect(handed.body).toMatchObject({ status: 'handed_over', handoverDepartment: '区住建局物业科', handoverAcknowledgedAt: null });

    const early = await worker.post(`/cases/${id}/settle`, { outcome: 'handed_to_department' });
    expect(early.status).toBe(409);
    expect((await worker.post(`/cases/${id}/hand-over/acknowledge`, { receivedBy: '住建局物业科 张科长' })).body.handoverAcknowledgedAt).toEqual(expect.any(String));
    expect((await worker.post(`/cases/${id}/hand-over/acknowledge`, { receivedBy: '又一次' })).status).toBe(409);
    expect((await worker.post(`/cases/${id}/settle`, { outcome: 'handed_to_department', note: '住建局已立案' })).body).toMatchObject({ status: 'settled', outcome: 'handed_to_department' });

    const detail = (await worker.get(`/cases/${id}`)).body;
    expect(detail.counterparty).toEqual({ kind: 'property_company', name: '华城物业' });
    expect(detail.contacts).toEqual([expect.objectContaining({ party: '泰和花园业主老王', channel: 'phone', actorId: workerId })]);
    expect(detail.commitments).toEqual([expect.objectContaining({ text: '周五前请物业公示电梯费收费依据', fulfilledAt: null })]);
    expect(detail.responses).toEqual([expect.objectContaining({ kind: 'pacifying', templateKey: '物业纠纷/pacifying', channel: 'forum_reply' })]);
    expect(detail.responses[0].text).toContain('划船社区');
    expect(detail.responses[0].text).toContain('华城物业');
    expect(detail.timeline.map((e: { type: string; actorId: number | null }) => [e.type, e.actorId])).toEqual([
      ['created', null],
      ['assigned', null],
      ['acknowledged', workerId],
      ['contact_logged', workerId],
      ['response_published', workerId],
      ['commitment_recorded', workerId],
      ['comment', workerId],
      ['escalated', workerId],
      ['handed_over', supervisorId],
      ['handover_acknowledged', workerId],
      ['settled', workerId],
    ]);
    const byType = (type: string) => detail.timeline.find((e: { type: string }) => e.type === type);
    expect(byType('contact_logged').data).toMatchObject({ from: 'acknowledged', to: 'in_contact', before: { firstContactAt: null }, after: { firstContactAt: expect.any(String) } });
    expect(byType('handed_over').data).toMatchObject({ from: 'escalated', to: 'handed_over', before: { handoverDepartment: null }, after: { handoverDepartment: '区住建局物业科' } });
    expect(byType('escalated').data.notified).toEqual([supervisorId]);

    // Closed: reopen (with a reason), then dismiss as a false alarm (with a reason).
    expect((await worker.post(`/cases/${id}/comments`, { text: '结案后补充：业主表示满意' })).status).toBe(200);
    expect((await worker.post(`/cases/${id}/reopen`, { reason: '业主反映物业仍未公示' })).body).toMatchObject({ status: 'assigned', closedAt: null, outcome: null });
    expect((await worker.post(`/cases/${id}/dismiss`, {})).status).toBe(400);
    expect((await worker.post(`/cases/${id}/dismiss`, { reason: '经核实为重复发帖，并非新纠纷' })).body).toMatchObject({ status: 'dismissed', dismissReason: '经核实为重复发帖，并非新纠纷' });
    const refused = await worker.post(`/cases/${id}/responses`, { kind: 'pacifying', text: '好的好的' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toMatchObject({ status: 'dismissed', allowedActions: ['reopen'] });
  });

  it('merges a case into another: posts move, both timelines say so, the merged case is closed', async () => {
    const a = await assignedCase('noise');
    const b = await assignedCase('garbage');
    expect((await worker.post(`/cases/${a}/merge`, { intoCaseId: a })).status).toBe(400);
    expect((await otherWorker.post(`/cases/${a}/merge`, { intoCaseId: b })).status).toBe(403);
    const merged = await worker.post(`/cases/${a}/merge`, { intoCaseId: b, reason: '同一栋楼的同一件事' });
    expect(merged.body).toMatchObject({ status: 'merged', mergedIntoId: b });
    const target = (await worker.get(`/cases/${b}`)).body;
    expect(target.postCount).toBe(2);
    expect(target.posts).toHaveLength(2);
    expect(target.timeline.at(-1)).toMatchObject({ type: 'merged_in', actorId: workerId, data: { fromCaseId: a } });
    const again = await worker.post(`/cases/${a}/reopen`, { reason: '想撤销合并' });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toMatchObject({ status: 'merged', allowedActions: [] });
  });

  it('lets a supervisor reassign with a reason, not a worker; the new assignee must acknowledge', async () => {
    const id = await assignedCase('parking');
    await worker.post(`/cases/${id}/acknowledge`);
    const zhenan = await fx.userId('sg-zhenan');
    expect((await worker.post(`/cases/${id}/reassign`, { assigneeId: zhenan, reason: '我休假' })).status).toBe(403);
    expect((await supervisor.post(`/cases/${id}/reassign`, { assigneeId: zhenan })).status).toBe(400);
    const moved = await supervisor.post(`/cases/${id}/reassign`, { assigneeId: zhenan, reason: '王丽娟休假一周，由陈晓燕代办' });
    expect(moved.body).toMatchObject({ status: 'assigned', assigneeId: zhenan, acknowledgedAt: null });
    expect(new Date(moved.body.dueAcknowledgeAt).getTime()).toBeGreaterThan(Date.now()); // a fresh acknowledge clock
    expect((await otherWorker.post(`/cases/${id}/acknowledge`)).body.status).toBe('acknowledged');
    const events = await fx.events(id);
    expect(events.find((e) => e.type === 'reassigned')).toMatchObject({
      actor_id: supervisorId,
      data: { reason: '王丽娟休假一周，由陈晓燕代办', before: { assigneeId: workerId }, after: { assigneeId: zhenan } },
    });
  });

  it('serialises truly concurrent actions: one acknowledgement wins, the other sees who did it', async () => {
    const id = await assignedCase('illegal-building');
    const [a, b] = await Promise.all([worker.post(`/cases/${id}/acknowledge`), supervisor.post(`/cases/${id}/acknowledge`)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winnerId = a.status === 200 ? workerId : supervisorId;
    expect(loser.body.error.details).toMatchObject({ status: 'acknowledged', allowedActions: expect.arrayContaining(['log_contact', 'respond']) });
    expect(loser.body.error.details.recentEvents[0]).toMatchObject({ type: 'acknowledged', actorId: winnerId });

    // Settle and dismiss at once: exactly one closes the case, the timeline shows exactly that one.
    await worker.post(`/cases/${id}/responses`, { kind: 'explanatory', text: '社区已联系城管核实违建情况。' });
    const [s, d] = await Promise.all([worker.post(`/cases/${id}/settle`, { outcome: 'settled' }), supervisor.post(`/cases/${id}/dismiss`, { reason: '误报' })]);
    expect([s.status, d.status].sort()).toEqual([200, 409]);
    const closing = (await fx.events(id)).filter((e) => e.type === 'settled' || e.type === 'dismissed');
    expect(closing).toHaveLength(1);

    // Ten comments at once from two people: all ten recorded, the version counts every one.
    const before = (await worker.get(`/cases/${id}`)).body.version;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? worker : supervisor).post(`/cases/${id}/comments`, { text: `并发备注 ${i}` })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = (await worker.get(`/cases/${id}`)).body;
    expect(after.version).toBe(before + 10);
    expect(after.timeline.filter((e: { type: string }) => e.type === 'comment')).toHaveLength(10);
  });

  it('shows overdue cases as such in every list and filters by it', async () => {
    const late = await assignedCase('demolition');
    const onTime = await assignedCase('unpaid-wages');
    await fx.db.query(`UPDATE cases SET due_acknowledge_at = now() - interval '1 minute' WHERE id = $1`, [late]);
    const all = (await supervisor.get('/cases?pageSize=200')).body.items;
    expect(all.find((c: { id: number }) => c.id === late)).toMatchObject({ overdue: true, overdueClocks: ['acknowledge'] });
    expect(all.find((c: { id: number }) => c.id === onTime)).toMatchObject({ overdue: false, overdueClocks: [] });
    const overdue = (await worker.get('/cases?overdue=true&mine=true')).body.items.map((c: { id: number }) => c.id);
    expect(overdue).toContain(late);
    expect(overdue).not.toContain(onTime);
    const notOverdue = (await supervisor.get('/cases?overdue=false&pageSize=200')).body.items.map((c: { id: number }) => c.id);
    expect(notOverdue).toContain(onTime);
    expect(notOverdue).not.toContain(late);
    await worker.post(`/cases/${late}/acknowledge`);
    expect((await worker.get(`/cases/${late}`)).body).toMatchObject({ overdue: false });
  });

  it('sorts the inbox by urgency on the server, page after page, and counts it without listing it', async () => {
    const red = await fx.openCase('danfeng', 'illegal-building');
    const yellowLate = await fx.openCase('danfeng', 'parking');
    const yellowSoon = await fx.openCase('danfeng', 'garbage');
    const yellowNoClock = await fx.openCase('zhenan', 'parking');
    const blue = await fx.openCase('zhenan', 'illegal-building');
    await fx.db.query(`UPDATE cases SET level = 'red' WHERE id = $1`, [red]);
    await fx.db.query(`UPDATE cases SET level = 'yellow', due_acknowledge_at = now() - interval '5 minutes' WHERE id = $1`, [yellowLate]);
    await fx.db.query(`UPDATE cases SET level = 'yellow', due_acknowledge_at = now() + interval '5 minutes' WHERE id = $1`, [yellowSoon]);
    // No clock: due "when opened" (an hour ago), after the overdue one, before the one due in five minutes.
    await fx.db.query(`UPDATE cases SET level = 'yellow', opened_at = now() - interval '1 hour', due_acknowledge_at = NULL, due_contact_at = NULL, due_response_at = NULL, due_settle_at = NULL WHERE id = $1`, [yellowNoClock]);
    await fx.db.query(`UPDATE cases SET level = 'blue' WHERE id = $1`, [blue]);
    const open = 'new,assigned,acknowledged,in_contact,responded,escalated,handed_over';
    const all: CaseItem[] = (await supervisor.get(`/cases?sort=urgency&status=${open}&pageSize=200`)).body.items;
    // The console's order (inbox.js before the server sorted): level, overdue first, earliest open clock (else opened), id.
    const rank: Record<string, number> = { red: 0, orange: 1, yellow: 2, blue: 3 };
    const nextDue = (c: CaseItem) => {
      const clocks: [string | null, string | null][] = [
        [c.dueAcknowledgeAt, c.acknowledgedAt],
        [c.dueContactAt, c.firstContactAt || c.firstResponseAt],
        [c.dueResponseAt, c.firstResponseAt],
        [c.dueSettleAt, c.closedAt],
      ];
      const due = clocks.filter(([d, met]) => d && !met).map(([d]) => new Date(d!).getTime());
      return due.length ? Math.min(...due) : new Date(c.openedAt).getTime();
    };
    const expected = [...all].sort((a, b) => rank[a.level] - rank[b.level] || Number(b.overdue) - Number(a.overdue) || nextDue(a) - nextDue(b) || a.id - b.id);
    expect(all.map((c) => c.id)).toEqual(expected.map((c) => c.id));
    const at = (id: number) => all.findIndex((c) => c.id === id);
    expect(at(red)).toBeLessThan(at(yellowLate));
    expect(at(yellowLate)).toBeLessThan(at(yellowNoClock));
    expect(at(yellowNoClock)).toBeLessThan(at(yellowSoon));
    expect(at(yellowSoon)).toBeLessThan(at(blue));
    // Pages of 3 put together are the same list: nothing twice, nothing left out.
    const paged: number[] = [];
    for (let page = 1; paged.length < all.length; page++) paged.push(...(await supervisor.get(`/cases?sort=urgency&status=${open}&pageSize=3&page=${page}`)).body.items.map((c: CaseItem) => c.id));
    expect(paged).toEqual(all.map((c) => c.id));

    const summary = (await supervisor.get(`/cases/summary?status=${open}`)).body;
    expect(Math.abs(new Date(summary.asOf).getTime() - Date.now())).toBeLessThan(60_000);
    expect(summary).toEqual({
      asOf: summary.asOf,
      total: all.length,
      open: all.length,
      unacknowledged: all.filter((c) => c.status === 'new' || c.status === 'assigned').length,
      overdue: all.filter((c) => c.overdue).length,
      high: all.filter((c) => c.level === 'red' || c.level === 'orange').length,
    });
    expect(summary.overdue).toBeGreaterThanOrEqual(1);
    expect(summary.high).toBeGreaterThanOrEqual(1);
    // The worker's own cases only; another street's worker sees none of these; a bad sort is refused by name.
    const mine = (await worker.get('/cases/summary?mine=true')).body;
    expect(mine.total).toBe((await worker.get('/cases?mine=true&pageSize=200')).body.total);
    expect((await otherWorker.get(`/cases?sort=urgency&mine=true&pageSize=200`)).body.items.map((c: CaseItem) => c.id)).not.toContain(red);
    const bad = await supervisor.get('/cases?sort=oldest');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('sort');
  });

  it('lists and counts the cases opened in a period (the dashboard drill-down), and refuses a bad date by name', async () => {
    const [before, inside, edge] = [await fx.openCase('zhenan', 'garbage'), await fx.openCase('zhenan', 'noise'), await fx.openCase('danfeng', 'noise')];
    await fx.db.query(`UPDATE cases SET opened_at = '2025-03-31T23:59:59.999Z' WHERE id = $1`, [before]);
    await fx.db.query(`UPDATE cases SET opened_at = '2025-04-15T08:00:00Z' WHERE id = $1`, [inside]);
    await fx.db.query(`UPDATE cases SET opened_at = '2025-05-01T00:00:00Z' WHERE id = $1`, [edge]);
    const april = 'openedFrom=2025-04-01T00:00:00.000Z&openedTo=2025-05-01T00:00:00.000Z';
    const listed = (await supervisor.get(`/cases?${april}&pageSize=200`)).body;
    expect(listed.items.map((c: CaseItem) => c.id)).toEqual([inside]);
    expect(listed.total).toBe(1);
    expect((await supervisor.get(`/cases/summary?${april}`)).body).toMatchObject({ total: 1, open: 1 });
    // Either end alone; the upper end is exclusive, the lower inclusive.
    const fromMay = (await supervisor.get('/cases?openedFrom=2025-05-01T00:00:00.000Z&openedTo=2025-06-01T00:00:00.000Z')).body.items.map((c: CaseItem) => c.id);
    expect(fromMay).toEqual([edge]);
    const untilApril = (await supervisor.get('/cases?openedTo=2025-04-01T00:00:00.000Z&pageSize=200')).body.items.map((c: CaseItem) => c.id);
    expect(untilApril).toEqual([before]);
    // A worker of another street sees none of them.
    const elsewhere = await fx.login('sg-qianlong');
    expect((await elsewhere.get(`/cases?${april}`)).body.total).toBe(0);
    expect((await elsewhere.get(`/cases/summary?${april}`)).body.total).toBe(0);
    const bad = await supervisor.get('/cases?openedFrom=yesterday');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('openedFrom');
  });
});


interface CaseItem {
  id: number;
  level: string;
  status: string;
  overdue: boolean;
  openedAt: string;
  acknowledgedAt: string | null;
  firstContactAt: string | null;
  firstResponseAt: string | null;
  closedAt: string | null;
  dueAcknowledgeAt: string | null;
  dueContactAt: string | null;
  dueResponseAt: string | null;
  dueSettleAt: string | null;
}
