import { DataSource } from 'typeorm';
import { SessionCache } from '../../src/auth/session-cache';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';
import { CaseFixtures } from './cases-fixtures';

/** The session id (`sid` claim) inside an access token. */
const sessionOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;

/**
 * What the API remembers to stay fast under load, and why it is still right: sessions found live are
 * trusted without a database round trip, yet a logout, a revocation or a change of role reaches every
 * API process at once; the case list reads one page in one statement; a report is computed once per
 * scope and period for a few seconds and says when.
 */
describe('API caches: sessions, case list, reports', () => {
  let env: TestEnv;
  let a: RunningService;
  let b: RunningService;
  let fx: CaseFixtures;

  beforeAll(async () => {
    env = await createTestEnv();
    // Two API processes of one deployment; sessions may be trusted for five minutes, so only the
    // published revocation can explain a token refused at once.
    a = await env.start({ role: 'api', auth: { sessionCacheSeconds: 300 }, reports: { cacheSeconds: 2 } });
    b = await env.start({ role: 'api', auth: { sessionCacheSeconds: 300 }, reports: { cacheSeconds: 2 } });
    fx = await new CaseFixtures(a.app, a.url!).seed();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /** Logs in through A and waits until B trusts the session (it answered from memory). */
  async function trustedOnB(username: string): Promise<{ onA: Api; onB: Api; sid: string }> {
    const res = await new Api(a.url!).post('/auth/login', { username, password: 'tingfeng-demo' });
    expect(res.status).toBe(200);
    const token: string = res.body.accessToken;
    const onB = new Api(b.url!, token);
    const sid = sessionOf(token);
    await eventually(async () => (await onB.get('/auth/me')).status === 200 && b.app.get(SessionCache).isTrusted(sid), 10_000, 'B to trust the session');
    return { onA: new Api(a.url!, token), onB, sid };
  }

  it('refuses a session on every process as soon as it is logged out on one', async () => {
    const { onA, onB } = await trustedOnB('sg-huachuan');
    expect((await onA.post('/auth/logout')).status).toBe(204);
    const refused = await onB.get('/auth/me');
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/session has ended/);
  });

  it('refuses them everywhere at once after an admin revoked them, changed the role or deactivated the user', async () => {
    const admin = await fx.login('admin');
    const { onB } = await trustedOnB('sg-zhenan');
    const id = (await onB.get('/auth/me')).body.id;
    expect((await admin.post(`/users/${id}/revoke-sessions`)).body).toEqual({ revoked: 1 });
    expect((await onB.get('/auth/me')).status).toBe(401);

    const again = await trustedOnB('sg-zhenan');
    expect((await admin.patch(`/users/${id}`, { role: 'supervisor' })).status).toBe(200);
    expect((await again.onB.get('/cases')).status).toBe(401);

    const third = await trustedOnB('sg-danfeng');
    const danfeng = (await third.onB.get('/auth/me')).body.id;
    expect((await admin.patch(`/users/${danfeng}`, { active: false })).status).toBe(200);
    expect((await third.onB.get('/cases?mine=true')).status).toBe(401);
  });

  it('does not trust a session that was revoked while its check was under way', async () => {
    const { onB, sid } = await trustedOnB('sg-qingfeng');
    const cache = b.app.get(SessionCache);
    cache.forgetAll();
    const since = cache.generation();
    await a.app.get(DataSource).query(`UPDATE auth_sessions SET revoked_at = now() WHERE id = $1`, [sid]);
    // The revocation arrives between the database's answer and remembering it.
    await cache.revoked({ sessionIds: [sid] });
    cache.remember(sid, 1, new Date(Date.now() + 3_600_000), since);
    expect(cache.isTrusted(sid)).toBe(false);
    expect((await onB.get('/auth/me')).status).toBe(401);
  });

  it('lists one page of cases, most urgent first, with ISO timestamps, overdue clocks and the total', async () => {
    const worker = await fx.login('sg-rongjia');
    const me = (await worker.get('/auth/me')).body.id;
    const ids: number[] = [];
    const levels = { 'property-fee': 'blue', noise: 'red', 'illegal-building': 'yellow', parking: 'red', garbage: 'orange' };
    for (const [rule, level] of Object.entries(levels)) ids.push(await fx.openCase('rongjia', rule, { level }));
    await fx.db.query(
      `UPDATE cases SET assignee_id = $1, status = 'assigned', assigned_at = now(), due_acknowledge_at = now() - interval '1 hour', due_settle_at = now() + interval '1 day' WHERE id = ANY($2)`,
      [me, ids],
    );
    // The same level and opening time: the id decides, so pages never overlap.
    await fx.db.query(`UPDATE cases SET opened_at = '2026-11-20T08:00:00Z' WHERE id = ANY($1)`, [ids]);
    const first = (await worker.get('/cases?mine=true&pageSize=2')).body;
    const second = (await worker.get('/cases?mine=true&pageSize=2&page=2')).body;
    const third = (await worker.get('/cases?mine=true&pageSize=2&page=3')).body;
    expect(first.total).toBe(5);
    expect([...first.items, ...second.items, ...third.items].map((c: { id: number }) => c.id)).toEqual([ids[3], ids[1], ids[4], ids[2], ids[0]]);
    expect(first.items[0]).toMatchObject({
      id: ids[3],
      level: 'red',
      status: 'assigned',
      assigneeId: me,
      openedAt: '2026-11-20T08:00:00.000Z',
      acknowledgedAt: null,
      dueAcknowledgeAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      overdue: true,
      overdueClocks: ['acknowledge'],
      postCount: 1,
    });
    expect(first.items[0]).not.toHaveProperty('dismissReason');
    expect((await worker.get('/cases?mine=true&pageSize=2&page=9')).body).toEqual({ items: [], total: 5, page: 9, pageSize: 2 });
    expect((await worker.get('/cases?mine=true&overdue=false')).body.total).toBe(0);
  });

  it('computes a report once per scope and period for a few seconds and says when', async () => {
    const official = await fx.login('official');
    const range = `from=2026-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`;
    const first = (await official.get(`/reports/settlement?${range}`)).body;
    expect(Date.parse(first.generatedAt)).toBeGreaterThan(Date.now() - 10_000);
    await fx.openCase('baihe', 'property-fee');
    // Within reports.cacheSeconds the same figures come back, marked with when they were computed.
    const again = (await official.get(`/reports/settlement?${range}`)).body;
    expect(again).toEqual(first);
    // A supervisor sees other areas: never another scope's cached figures.
    const supervisor = await fx.login('sup-minglou');
    const theirs = (await supervisor.get(`/reports/settlement?${range}`)).body;
    expect(theirs.rows.map((r: { code: string }) => r.code)).toEqual(['minglou']);
    const fresh = await eventually(async () => {
      const report = (await official.get(`/reports/settlement?${range}`)).body;
      return report.generatedAt !== first.generatedAt && report;
    }, 10_000, 'a fresh report');
    expect(fresh.total.found).toBe(first.total.found + 1);
  });
});
