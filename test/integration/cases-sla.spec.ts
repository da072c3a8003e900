import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { SlaSweeper } from '../../src/cases/sla-sweeper.service';
import { loadConfig } from '../../src/config/config.loader';
import { jobIds, QueueName } from '../../src/queues/queue-names';
import { RunningService, startService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';
import { CaseFixtures } from './cases-fixtures';

// Short clocks for red cases: 2 s to acknowledge, then the supervisor 2 s and the official 4 s after that.
const SLA = {
  sla: { levels: { red: { acknowledge: '2s', contact: '1h', response: '1h', settle: '3d', workingHours: false, supervisorAfter: '2s', officialAfter: '4s' } } },
  reconcile: { intervalSeconds: 3600, graceSeconds: 3600 },
};

/** SLA timers as delayed BullMQ jobs: the escalation chain, cancelling, and firing after a worker restart. */
describe('SLA clocks and escalation', () => {
  let env: TestEnv;
  let api: RunningService;
  let worker: RunningService | undefined;
  let fx: CaseFixtures;
  let sg: Api;

  const startWorker = () => startService(env.config({ role: 'worker', ...SLA }), { host: '127.0.0.1' });
  const slaQueue = () => api.app.get<Queue>(getQueueToken(QueueName.Sla));

  beforeAll(async () => {
    env = await createTestEnv();
    api = await env.start({ role: 'api', ...SLA });
    worker = await startWorker();
    fx = await new CaseFixtures(api.app, api.url!).seed();
    sg = await fx.login('sg-huachuan');
  });

  afterAll(async () => {
    await worker?.close();
    await env?.teardown();
  });

  it('rejects a bad clock in the configuration and names the setting', () => {
    expect(() => loadConfig({ sla: { levels: { red: { acknowledge: 'soon' } } } }, { AUTH_SECRET: 'x'.repeat(32) }, [])).toThrow(
      'Invalid configuration: sla.levels.red.acknowledge must be a duration like 15m, 2h or 3d (got "soon")',
    );
  });

  it('stores due times, then reminds the assignee, escalates to the street supervisor, then to the district official', async () => {
    const id = await fx.openCase('huachuan', 'mass-incident');
    expect(await fx.route(id)).toBe('assigned');
    const [c] = await fx.db.query(`SELECT opened_at, due_acknowledge_at, due_contact_at, due_settle_at FROM cases WHERE id = $1`, [id]);
    expect(c.due_acknowledge_at.getTime() - c.opened_at.getTime()).toBe(2000);
    expect(c.due_contact_at.getTime() - c.opened_at.getTime()).toBe(3_600_000);
    expect(c.due_settle_at.getTime() - c.opened_at.getTime()).toBe(3 * 86_400_000);

    const chain = await eventually(
      async () => {
        const events = (await fx.events(id)).filter((e) => e.type.startsWith('sla_'));
        return events.length >= 3 && events;
      },
      20_000,
      'the whole escalation chain',
    );
    expect(chain.map((e) => [e.type, e.data.clock, e.data.stage])).toEqual([
      ['sla_reminder', 'acknowledge', 'remind'],
      ['sla_escalated', 'acknowledge', 'supervisor'],
      ['sla_escalated', 'acknowledge', 'official'],
    ]);
    const [sgId, supId, officialId] = await Promise.all(['sg-huachuan', 'sup-baihe', 'official'].map((u) => fx.userId(u)));
    expect(chain.map((e) => e.data.notified)).toEqual([[sgId], [supId], [officialId]]);
    const inbox = await fx.db.query(`SELECT event, recipient_user_id, body FROM notifications WHERE case_id = $1 AND channel = 'inapp' ORDER BY id`, [id]);
    expect(inbox.map((n: { event: string; recipient_user_id: number }) => [n.event, n.recipient_user_id])).toEqual([
      ['assigned', sgId],
      ['sla_reminder', sgId],
      ['sla_escalated', supId],
      ['sla_escalated', officialId],
    ]);
    expect(inbox[3].body).toContain('升级至区级督办');
    const detail = (await sg.get(`/cases/${id}`)).body;
    expect(detail).toMatchObject({ escalationLevel: 3, overdue: true, overdueClocks: ['acknowledge'] });

    // Acknowledging late stops the acknowledge clock; the contact clock's timers stay.
    await sg.post(`/cases/${id}/acknowledge`);
    const queue = slaQueue();
    expect(await queue.getJob(jobIds.slaTimer(id, 'contact', 'remind'))).toBeTruthy();
    expect((await sg.get(`/cases/${id}`)).body.overdue).toBe(false);
  });

  it('cancels the timers of a clock that was met in time, and moves none it does not need', async () => {
    const id = await fx.openCase('huachuan', 'demolition', { level: 'red' });
    await fx.route(id);
    const queue = slaQueue();
    expect(await (await queue.getJob(jobIds.slaTimer(id, 'acknowledge', 'remind')))?.getState()).toBe('delayed');
    await sg.post(`/cases/${id}/acknowledge`);
    for (const stage of ['remind', 'supervisor', 'official']) expect(await queue.getJob(jobIds.slaTimer(id, 'acknowledge', stage))).toBeUndefined();
    await sg.post(`/cases/${id}/responses`, { kind: 'pacifying', text: '社区已经关注，正在核实。' });
    for (const clock of ['contact', 'response']) expect(await queue.getJob(jobIds.slaTimer(id, clock, 'remind'))).toBeUndefined();
    expect(await queue.getJob(jobIds.slaTimer(id, 'settle', 'remind'))).toBeTruthy();
    await sg.post(`/cases/${id}/settle`, { outcome: 'settled' });
    expect(await queue.getJob(jobIds.slaTimer(id, 'settle', 'remind'))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 2500));
    expect((await fx.events(id)).filter((e) => e.type.startsWith('sla_'))).toEqual([]);
  });

  it('reminds of a commitment when it falls due', async () => {
    const id = await fx.openCase('huachuan', 'noise', { level: 'red' });
    await fx.route(id);
    await sg.post(`/cases/${id}/acknowledge`);
    const due = new Date(Date.now() + 1500).toISOString();
    expect((await sg.post(`/cases/${id}/commitments`, { text: '今晚十点前联系施工方停工', dueAt: due })).status).toBe(200);
    const event = await eventually(async () => (await fx.events(id)).find((e) => e.type === 'commitment_due'), 15_000, 'the commitment reminder');
    expect(event.data).toMatchObject({ text: '今晚十点前联系施工方停工', dueAt: due, notified: [await fx.userId('sg-huachuan')] });
  });

  it('fires a timer that fell due while no worker process was running, once a worker is back', async () => {
    await worker!.close();
    worker = undefined;
    const id = await fx.openCase('huachuan', 'parking', { level: 'red' });
    expect(await fx.route(id)).toBe('assigned'); // in the API process: the timers go to Redis
    await new Promise((r) => setTimeout(r, 3000));
    expect((await fx.events(id)).filter((e) => e.type.startsWith('sla_'))).toEqual([]);
    worker = await startWorker();
    const reminder = await eventually(async () => (await fx.events(id)).find((e) => e.type === 'sla_reminder'), 15_000, 'the reminder after the restart');
    expect(reminder.data).toMatchObject({ clock: 'acknowledge', stage: 'remind' });
  });

  it('puts back a timer that was lost (the sweep), so an overdue case is never forgotten', async () => {
    const id = await fx.openCase('huachuan', 'unpaid-wages', { level: 'red' });
    await fx.route(id);
    const queue = slaQueue();
    for (const stage of ['remind', 'supervisor', 'official']) await (await queue.getJob(jobIds.slaTimer(id, 'acknowledge', stage)))?.remove();
    await fx.db.query(`UPDATE cases SET due_acknowledge_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    expect(await worker!.app.get(SlaSweeper).sweep()).toBeGreaterThanOrEqual(1);
    const reminder = await eventually(async () => (await fx.events(id)).find((e) => e.type === 'sla_reminder'), 15_000, 'the swept reminder');
    expect(reminder.data).toMatchObject({ clock: 'acknowledge', stage: 'remind' });
  });
});
