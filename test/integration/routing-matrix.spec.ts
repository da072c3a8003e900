import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';
import { CaseFixtures } from './cases-fixtures';

/** Routing with the responsibility matrix, team strategies, the fallback up the area tree, idempotency and the counterparty. */
describe('routing', () => {
  let env: TestEnv;
  let service: RunningService;
  let fx: CaseFixtures;
  let admin: Api;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 3600 } });
    fx = await new CaseFixtures(service.app, service.url!).seed();
    admin = await fx.login('admin');
    for (const u of ['sg-huachuan', 'sg-zhenan', 'sg-danfeng', 'sup-baihe']) ids[u] = await fx.userId(u);
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const assignee = async (caseId: number) => (await fx.db.query(`SELECT assignee_id, team_id FROM cases WHERE id = $1`, [caseId]))[0];

  it('lets only admins edit the matrix, and validates it', async () => {
    const sg = await fx.login('sg-huachuan');
    expect((await sg.post('/routing/teams', { name: '专班', strategy: 'round_robin' })).status).toBe(403);
    expect((await admin.post('/routing/teams', { name: '专班', strategy: 'random' })).status).toBe(400);
    expect((await admin.post('/routing/responsibilities', { areaId: 999999, teamId: 1 })).status).toBe(404);
  });

  it('sends a category to its street team (round robin), and everything else up the area tree', async () => {
    const team = (await admin.post('/routing/teams', { name: '白鹤街道物业专班', strategy: 'round_robin' })).body;
    for (const u of ['sg-huachuan', 'sg-zhenan']) {
      expect((await admin.post(`/routing/teams/${team.id}/members`, { userId: ids[u], capacity: 10, specialties: ['物业纠纷'] })).status).toBe(200);
    }
    const cell = await admin.post('/routing/responsibilities', { areaId: await fx.areaId('baihe'), category: '物业纠纷', teamId: team.id });
    expect(cell.status).toBe(200);

    const got: number[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await fx.openCase('huachuan', 'property-fee');
      expect(await fx.route(id)).toBe('assigned');
      const a = await assignee(id);
      expect(a.team_id).toBe(team.id);
      got.push(a.assignee_id);
      await fx.db.query(`UPDATE cases SET status = 'settled', closed_at = now() WHERE id = $1`, [id]); // free the area × rule slot
    }
    expect(got).toEqual([ids['sg-huachuan'], ids['sg-zhenan'], ids['sg-huachuan'], ids['sg-zhenan']]);

    const noise = await fx.openCase('huachuan', 'noise');
    await fx.route(noise);
    expect(await assignee(noise)).toEqual({ assignee_id: ids['sg-huachuan'], team_id: null });
    expect((await fx.events(noise)).find((e) => e.type === 'assigned')!.data).toMatchObject({ reason: 'responsible_worker' });

    const matrix = (await admin.get('/routing/matrix')).body;
    expect(matrix.teams[0]).toMatchObject({ name: '白鹤街道物业专班', strategy: 'round_robin', members: [expect.objectContaining({ userId: ids['sg-huachuan'] }), expect.anything()] });
  });

  it('prefers the most specific cell, respects capacity and duty, and falls back when the team is full', async () => {
    const team = (await admin.post('/routing/teams', { name: '划船社区值班组', strategy: 'least_loaded' })).body;
    await admin.post(`/routing/teams/${team.id}/members`, { userId: ids['sg-danfeng'], capacity: 1 });
    await admin.post(`/routing/teams/${team.id}/members`, { userId: ids['sup-baihe'], capacity: 5, onDuty: false });
    await admin.post('/routing/responsibilities', { areaId: await fx.areaId('huachuan'), teamId: team.id });

    const first = await fx.openCase('huachuan', 'parking');
    await fx.route(first);
    expect(await assignee(first)).toEqual({ assignee_id: ids['sg-danfeng'], team_id: team.id });
    const events = await fx.events(first);
    expect(events.find((e) => e.type === 'assigned')!.data).toMatchObject({ reason: 'team_least_loaded', teamId: team.id });

    // sg-danfeng is at capacity and the supervisor is off duty: the walk up the tree decides.
    const second = await fx.openCase('huachuan', 'garbage');
    await fx.route(second);
    expect(await assignee(second)).toEqual({ assignee_id: ids['sg-huachuan'], team_id: null });

    // On duty again (a schedule that covers every hour of every day): the supervisor gets the next one.
    await admin.post(`/routing/teams/${team.id}/members`, { userId: ids['sup-baihe'], onDuty: true, dutySchedule: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' } });
    const third = await fx.openCase('huachuan', 'illegal-building');
    await fx.route(third);
    expect(await assignee(third)).toEqual({ assignee_id: ids['sup-baihe'], team_id: team.id });
  });

  it('assigns a case once however often and however concurrently it is routed', async () => {
    const id = await fx.openCase('zhenan', 'noise');
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => fx.route(id)));
    expect(outcomes.filter((o) => o === 'assigned')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already_assigned')).toHaveLength(4);
    expect((await fx.events(id)).filter((e) => e.type === 'assigned')).toHaveLength(1);
    expect((await fx.db.query(`SELECT count(*)::int AS n FROM notifications WHERE case_id = $1 AND event = 'assigned'`, [id]))[0].n).toBe(1);
  });

  it('records the counterparty the post names', async () => {
    const id = await fx.openCase('zhenan', 'parking', { body: '阳光幼儿园门口每天早上接送孩子的车把路堵死了，小区车出不去。' });
    await fx.route(id);
    const [c] = await fx.db.query(`SELECT counterparty FROM cases WHERE id = $1`, [id]);
    expect(c.counterparty).toEqual({ kind: 'school', name: '阳光幼儿园' });
  });
});
