import { DataSource } from 'typeorm';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('authentication, sessions and the audit log', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let anonymous: Api;

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'api', auth: { loginMaxAttempts: 3, loginWindowSeconds: 60 } });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    anonymous = new Api(service.url!);
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await anonymous.post('/auth/login', { username: 'sg-qita', password: 'not-the-password' });
    const unknown = await anonymous.post('/auth/login', { username: 'nobody-here', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error).toEqual({ code: 'unauthenticated', message: 'Wrong username or password' });
  });

  it('locks a username out after repeated failures, even for the right password, without touching others', async () => {
    for (let i = 0; i < 3; i++) expect((await anonymous.post('/auth/login', { username: 'sg-yanwu', password: 'guess-' + i })).status).toBe(401);
    const res = await fetch(`${service.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sg-yanwu', password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_many_attempts');
    await expect(anonymous.login('sg-qianlong', DEMO_PASSWORD)).resolves.toBeInstanceOf(Api);
  });

  it('rotates refresh tokens and ends sessions on logout and on revocation', async () => {
    const first = await anonymous.post('/auth/login', { username: 'sg-huachuan', password: DEMO_PASSWORD });
    expect(first.body).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number), user: { username: 'sg-huachuan', role: 'worker' } });
    const refreshed = await anonymous.post('/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(first.body.refreshToken);
    expect((await anonymous.post('/auth/refresh', { refreshToken: first.body.refreshToken })).status).toBe(401);

    const session = new Api(service.url!, refreshed.body.accessToken);
    expect((await session.get('/auth/me')).status).toBe(200);
    expect((await session.post('/auth/logout')).status).toBe(204);
    expect((await session.get('/auth/me')).body.error.message).toMatch(/session has ended/);
    expect((await anonymous.post('/auth/refresh', { refreshToken: refreshed.body.refreshToken })).status).toBe(401);

    const worker = await anonymous.login('sg-zhenan', DEMO_PASSWORD);
    const me = (await worker.get('/auth/me')).body;
    expect((await worker.post(`/users/${me.id}/revoke-sessions`)).status).toBe(403);
    const admin = await anonymous.login('admin', DEMO_PASSWORD);
    expect((await admin.post(`/users/${me.id}/revoke-sessions`)).body).toEqual({ revoked: 1 });
    // Other processes may trust a live session for a few seconds; this one forgot it at once.
    expect((await worker.get('/auth/me')).status).toBe(401);
  });

  it('records every write in an append-only audit log that admins and officials can read', async () => {
    await anonymous.post('/auth/login', { username: 'official', password: 'wrong-password-here' });
    const official = await anonymous.login('official', DEMO_PASSWORD);
    await official.post('/cases/999999/acknowledge');
    const log = await eventuallyAudit(official, 'POST /cases/:id/acknowledge');
    expect(log).toMatchObject({ path: '/cases/999999/acknowledge', status: 404, actorRole: 'official', details: { params: { id: '999999' }, error: 'not_found' } });
    const failedLogin = (await official.get('/audit?action=' + encodeURIComponent('POST /auth/login'))).body.items.find((e: { status: number }) => e.status === 401);
    expect(failedLogin.details.body).toEqual({ username: 'official', password: '[redacted]' });
    expect(JSON.stringify((await official.get('/audit')).body)).not.toContain('wrong-password-here');

    const worker = await anonymous.login('sg-danfeng', DEMO_PASSWORD);
    expect((await worker.get('/audit')).status).toBe(403);
    const db = service.app.get(DataSource);
    await expect(db.query(`UPDATE audit_log SET status = 200`)).rejects.toThrow(/append-only/);
  });

  it('sends security headers and no CORS allowance', async () => {
    const res = await fetch(`${service.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

async function eventuallyAudit(api: Api, action: string) {
  for (let i = 0; i < 40; i++) {
    const res = await api.get('/audit?action=' + encodeURIComponent(action));
    if (res.body.items?.length) return res.body.items[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no audit entry for ${action}`);
}
