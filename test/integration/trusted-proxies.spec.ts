import { DataSource } from 'typeorm';
import type { RunningService } from '../../src/service';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * X-Forwarded-For is believed only from the proxies `trustedProxies` names: behind one, the audit log
 * and login throttling see the client's address; without the setting, a client cannot pose as another
 * address by sending the header itself.
 */
describe('trusted reverse proxies', () => {
  let env: TestEnv;
  let behindProxy: RunningService;
  let direct: RunningService;

  beforeAll(async () => {
    env = await createTestEnv();
    behindProxy = await env.start({ role: 'api', trustedProxies: ['127.0.0.1', '::1'] });
    direct = await env.start({ role: 'api' });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  async function failedLoginAddress(service: RunningService, username: string): Promise<string | null> {
    const res = await fetch(`${service.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ username, password: 'not-the-password' }),
    });
    expect(res.status).toBe(401);
    const db = service.app.get(DataSource);
    let rows: { ip: string | null }[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      rows = await db.query(`SELECT ip FROM audit_log WHERE action = 'POST /auth/login' AND details::text LIKE $1`, [`%${username}%`]);
      if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toHaveLength(1);
    return rows[0].ip;
  }

  it('takes the client address from X-Forwarded-For when the request comes through a trusted proxy', async () => {
    expect(await failedLoginAddress(behindProxy, 'via-proxy')).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For when no proxy is trusted (the default)', async () => {
    const ip = await failedLoginAddress(direct, 'no-proxy');
    expect(ip).not.toBe('203.0.113.7');
    expect(ip).toMatch(/127\.0\.0\.1|::1/);
  });
});
