import { DataSource } from 'typeorm';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

type Who = 'anonymous' | 'worker' | 'supervisor' | 'official' | 'operator' | 'admin';
const EVERYONE: Who[] = ['anonymous', 'worker', 'supervisor', 'official', 'operator', 'admin'];
const LOGGED_IN: Who[] = ['worker', 'supervisor', 'official', 'operator', 'admin'];
const CASE_ACTORS: Who[] = ['worker', 'supervisor', 'official', 'admin'];
const OPERATORS: Who[] = ['operator', 'admin'];
const USERNAMES: Record<Exclude<Who, 'anonymous'>, string> = {
  worker: 'sg-huachuan',
  supervisor: 'sup-baihe',
  official: 'official',
  operator: 'operator',
  admin: 'admin',
};

/**
 * Who may call what, for every route the API serves. `allow`: roles that get past authorisation
 * (their answer is anything but 401/403); everyone else gets 401 or 403. `scoped`: the route names a
 * case; the worker and the supervisor must also be refused (403/404) on a case outside their area.
 * `body`: sent as is (valid where the scope check sits behind validation). A route that is served
 * but missing here, or listed here but not served, fails the test.
 */
interface Entry {
  allow: Who[];
  scoped?: boolean;
  body?: unknown;
}
const MATRIX: Record<string, Entry> = {
  'GET /': { allow: EVERYONE },
  'GET /console': { allow: EVERYONE },
  'GET /console/{path}': { allow: EVERYONE },
  'GET /health': { allow: EVERYONE },
  'GET /health/live': { allow: EVERYONE },
  'GET /health/ready': { allow: EVERYONE },
  'POST /auth/login': { allow: EVERYONE },
  'POST /auth/refresh': { allow: EVERYONE },
  'POST /auth/logout': { allow: LOGGED_IN },
  'GET /auth/me': { allow: LOGGED_IN },
  'GET /users': { allow: ['admin'] },
  'POST /users': { allow: ['admin'] },
  'PATCH /users/{id}': { allow: ['admin'] },
  'POST /users/{id}/reset-password': { allow: ['admin'] },
  'POST /users/{id}/revoke-sessions': { allow: ['admin'] },
  'GET /audit': { allow: ['admin', 'official'] },
  'GET /metrics': { allow: ['admin'] },
  'POST /ops/queues/session': { allow: ['admin'] },
  'GET /areas': { allow: LOGGED_IN },
  'POST /areas/{id}/aliases': { allow: OPERATORS },
  'DELETE /areas/{id}/aliases/{alias}': { allow: OPERATORS },
  'GET /rules': { allow: OPERATORS },
  'POST /rules': { allow: OPERATORS },
  'POST /rules/validate': { allow: OPERATORS },
  'POST /rules/dry-run': { allow: OPERATORS },
  'GET /rules/{id}': { allow: OPERATORS },
  'PUT /rules/{id}': { allow: OPERATORS },
  'DELETE /rules/{id}': { allow: OPERATORS },
  'GET /rules/{id}/versions': { allow: OPERATORS },
  'GET /analysis/place-suggestions': { allow: OPERATORS },
  'GET /dictionary': { allow: OPERATORS },
  'POST /dictionary': { allow: OPERATORS },
  'DELETE /dictionary/{term}': { allow: OPERATORS },
  'GET /sources': { allow: ['operator', 'admin', 'official'] },
  'POST /sources': { allow: OPERATORS },
  'GET /sources/{id}': { allow: ['operator', 'admin', 'official'] },
  'PATCH /sources/{id}': { allow: OPERATORS },
  'DELETE /sources/{id}': { allow: OPERATORS },
  'GET /sources/{id}/runs': { allow: ['operator', 'admin', 'official'] },
  'POST /sources/{id}/crawl': { allow: OPERATORS },
  'POST /sources/{id}/push-token': { allow: OPERATORS },
  'POST /sources/preview': { allow: OPERATORS },
  // Partner systems authenticate with a per-source push token, not a login: without one, nobody.
  'POST /ingest/{code}': { allow: [] },
  'GET /cases': { allow: LOGGED_IN },
  'GET /cases/summary': { allow: LOGGED_IN },
  'GET /cases/{id}': { allow: LOGGED_IN, scoped: true },
  'GET /cases/{id}/response-templates': { allow: LOGGED_IN, scoped: true },
  'GET /cases/{id}/notifications': { allow: LOGGED_IN, scoped: true },
  'POST /cases/{id}/acknowledge': { allow: CASE_ACTORS, scoped: true },
  'POST /cases/{id}/contacts': { allow: CASE_ACTORS, scoped: true, body: { party: '楼主', channel: 'phone', summary: '电话沟通' } },
  'POST /cases/{id}/responses': { allow: CASE_ACTORS, scoped: true, body: { kind: 'pacifying', text: '您好，社区正在核实。' } },
  'POST /cases/{id}/commitments': { allow: CASE_ACTORS, scoped: true, body: { text: '三日内给业主回复', dueAt: '2030-01-01T00:00:00Z' } },
  'POST /cases/{id}/commitments/{commitmentId}/fulfil': { allow: CASE_ACTORS },
  'POST /cases/{id}/settle': { allow: CASE_ACTORS, scoped: true, body: { outcome: 'settled' } },
  'POST /cases/{id}/dismiss': { allow: CASE_ACTORS, scoped: true, body: { reason: '误报' } },
  'POST /cases/{id}/merge': { allow: CASE_ACTORS, scoped: true, body: { intoCaseId: 999999, reason: '重复' } },
  'POST /cases/{id}/reopen': { allow: CASE_ACTORS, scoped: true, body: { reason: '问题复发' } },
  'POST /cases/{id}/comments': { allow: CASE_ACTORS, scoped: true, body: { text: '已转交物业核实' } },
  'POST /cases/{id}/escalate': { allow: CASE_ACTORS, scoped: true, body: { reason: '需要街道协调' } },
  'POST /cases/{id}/hand-over': { allow: CASE_ACTORS, scoped: true, body: { department: '区住建局' } },
  'POST /cases/{id}/hand-over/acknowledge': { allow: CASE_ACTORS, scoped: true, body: { receivedBy: '区住建局办公室' } },
  'POST /cases/{id}/posts/{postId}/reveal': { allow: ['worker', 'supervisor'], scoped: true, body: { reason: '需要电话联系发帖人' } },
  'POST /cases/{id}/reassign': { allow: ['supervisor', 'official', 'admin'], scoped: true, body: { assigneeId: 1, reason: '调整分工' } },
  'PATCH /cases/{id}/classification': { allow: CASE_ACTORS, scoped: true, body: { category: '物业纠纷', reason: '复核后更正' } },
  'GET /routing/matrix': { allow: ['admin', 'official', 'supervisor', 'operator'] },
  'POST /routing/teams': { allow: ['admin'] },
  'POST /routing/teams/{id}/members': { allow: ['admin'] },
  'POST /routing/responsibilities': { allow: ['admin'] },
  'DELETE /routing/responsibilities/{id}': { allow: ['admin'] },
  'GET /reports/settlement': { allow: ['supervisor', 'official', 'admin'] },
  'GET /reports/settlement/export': { allow: ['supervisor', 'official', 'admin'] },
  'GET /notifications': { allow: LOGGED_IN },
  'GET /notifications/stream': { allow: LOGGED_IN },
  'GET /notifications/dead-letters': { allow: ['admin'] },
  'POST /notifications/{id}/retry': { allow: ['admin'] },
};

describe('authorisation matrix: every endpoint × role × inside/outside scope', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  const tokens = new Map<Who, string>();
  let inScope: number;
  let outOfScope: number;
  let userId: number;
  let sourceId: number;
  let routes: string[];

  const login = async (who: Exclude<Who, 'anonymous'>): Promise<string> => {
    const res = await fetch(`${service.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USERNAMES[who], password: DEMO_PASSWORD }),
    });
    return ((await res.json()) as { accessToken: string }).accessToken;
  };

  /** One request as `who`; the status, reading no more than the headers of a stream. */
  const call = async (who: Who, route: string, caseId: number): Promise<number> => {
    const [method, template] = route.split(' ');
    const path = template
      .replace('/cases/{id}', `/cases/${caseId}`)
      .replace('/users/{id}', `/users/${userId}`)
      .replace('/sources/{id}', `/sources/${sourceId}`)
      .replace('{alias}', encodeURIComponent('不存在的别名'))
      .replace('{path}', 'index.html')
      .replace('{code}', 'demo-forum-hotline')
      .replace(/\{[a-zA-Z]+\}/g, '999999');
    const entry = MATRIX[route];
    const abort = new AbortController();
    const res = await fetch(`${service.url}${path}${route.startsWith('GET /reports/settlement') ? '?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z' : ''}`, {
      method,
      signal: abort.signal,
      headers: { 'content-type': 'application/json', ...(tokens.has(who) ? { authorization: `Bearer ${tokens.get(who)}` } : {}) },
      body: method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(entry.body ?? {}),
    });
    abort.abort();
    // Some actions end the caller's session (logout) or change its user: log in again afterwards.
    if (who !== 'anonymous' && (route === 'POST /auth/logout' || res.status === 401)) tokens.set(who, await login(who));
    return res.status;
  };

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600 } });
    const { sources } = await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    sourceId = sources[1].id;
    forum.publish({ title: '泰和花园物业乱收费', body: '泰和花园物业公司乱收费，物业费涨了一倍还不公示收费依据。', author: '住户甲', board: 'neighbourhood', topic: 'property-fee' });
    forum.publish({ title: '银杏苑烧烤店半夜太吵', body: '银杏苑楼下烧烤店半夜噪音扰民，整栋楼睡不着。', author: '住户乙', board: 'neighbourhood', topic: 'noise' });
    const db = service.app.get(DataSource);
    await fetch(`${service.url}/sources/${sources[0].id}/crawl`, { method: 'POST', headers: { authorization: `Bearer ${await login('operator')}` } });
    const cases = await eventually(async () => {
      const rows: { id: number; code: string }[] = await db.query(`SELECT c.id, a.code FROM cases c JOIN areas a ON a.id = c.area_id WHERE c.status = 'assigned'`);
      return rows.length === 2 && rows;
    }, 30_000, 'two assigned cases');
    inScope = cases.find((c) => c.code === 'huachuan')!.id;
    outOfScope = cases.find((c) => c.code === 'rongjia')!.id;
    userId = (await db.query(`SELECT id FROM users WHERE username = 'sg-qita'`))[0].id;
    for (const who of LOGGED_IN) tokens.set(who, await login(who as Exclude<Who, 'anonymous'>));
    const doc = (await (await fetch(`${service.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('has a decision for every route the API serves, and no stale ones', () => {
    expect(routes.filter((r) => !MATRIX[r])).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('refuses out-of-scope cases to workers and supervisors', async () => {
    const leaks: string[] = [];
    for (const route of Object.keys(MATRIX).filter((r) => MATRIX[r].scoped)) {
      for (const who of ['worker', 'supervisor'] as const) {
        const status = await call(who, route, outOfScope);
        if (![403, 404].includes(status)) leaks.push(`${who} ${route} → ${status}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('lets exactly the listed roles past authorisation on every route', async () => {
    const wrong: string[] = [];
    // Mutating routes last, so reads see the case before actions move it on.
    const order = Object.keys(MATRIX).sort((a, b) => Number(!a.startsWith('GET')) - Number(!b.startsWith('GET')));
    for (const route of order) {
      for (const who of EVERYONE) {
        const status = await call(who, route, inScope);
        const passed = status !== 401 && status !== 403;
        if (passed !== MATRIX[route].allow.includes(who)) wrong.push(`${who} ${route} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  // The queue dashboard (Bull Board) is raw Express under /admin/queues, so it is not in the OpenAPI
  // document: its page and API admit only the cookie POST /ops/queues/session gives an admin.
  it('lets only admins into the queue dashboard (page and API), with or without a bearer token', async () => {
    const wrong: string[] = [];
    for (const who of EVERYONE) {
      const bearer: Record<string, string> = tokens.has(who) ? { authorization: `Bearer ${tokens.get(who)}` } : {};
      const session = await fetch(`${service.url}/ops/queues/session`, { method: 'POST', headers: bearer });
      const cookie = session.headers.get('set-cookie')?.split(';')[0];
      for (const path of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/api/queues/crawl/workers']) {
        const res = await fetch(`${service.url}${path}`, { headers: { ...bearer, ...(cookie ? { cookie } : {}) } });
        const passed = res.status !== 401 && res.status !== 403;
        if (passed !== (who === 'admin')) wrong.push(`${who} GET ${path} → ${res.status}`);
        // The bearer token alone never opens it.
        const bearerOnly = await fetch(`${service.url}${path}`, { headers: bearer });
        if (bearerOnly.status !== 401) wrong.push(`${who} GET ${path} with a bearer token only → ${bearerOnly.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
