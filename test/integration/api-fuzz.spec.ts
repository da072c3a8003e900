import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * Request bodies under fuzzing: whatever JSON arrives, the API answers with a status below 500 and,
 * for a refusal, the one error shape with a code and a message.
 */
describe('API request bodies under fuzzing', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  const as: Record<string, Api> = {};

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'api', auth: { loginMaxAttempts: 1000 } });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    const api = new Api(service.url!);
    as.anonymous = api;
    for (const user of ['admin', 'operator', 'sg-huachuan']) as[user] = await api.login(user, DEMO_PASSWORD);
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  // Bodies shaped like the real ones (right keys, wrong or odd values) and anything at all.
  const odd = fc.oneof(fc.jsonValue(), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('', ' ', '\u0000', '物业', -1, 0, 1e308, null, [], {}));
  const shaped = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, odd])), { requiredKeys: [] });
  const targets: [string, string, string, fc.Arbitrary<unknown>][] = [
    ['anonymous', 'POST', '/auth/login', shaped(['username', 'password'])],
    ['anonymous', 'POST', '/auth/refresh', shaped(['refreshToken'])],
    ['admin', 'POST', '/users', shaped(['username', 'displayName', 'role', 'scope'])],
    ['admin', 'PATCH', '/users/1', shaped(['displayName', 'role', 'scope', 'active', 'onDuty'])],
    ['operator', 'POST', '/sources', shaped(['code', 'name', 'kind', 'url', 'config', 'schedule', 'intervalSeconds', 'defaultAreaCode'])],
    ['operator', 'POST', '/rules/validate', shaped(['kind', 'definition', 'expression'])],
    ['operator', 'POST', '/rules', shaped(['code', 'name', 'kind', 'level', 'category', 'definition', 'role'])],
    ['operator', 'POST', '/areas/1/aliases', shaped(['alias'])],
    ['operator', 'POST', '/dictionary', shaped(['term', 'note'])],
    ['sg-huachuan', 'POST', '/cases/1/responses', shaped(['kind', 'text', 'variables', 'publishedUrl', 'channel'])],
    ['sg-huachuan', 'POST', '/cases/1/contacts', shaped(['party', 'channel', 'summary'])],
  ];

  it.each(targets)('%s %s %s answers every body below 500 with the error shape', async (who, method, path, shapedBody) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(shapedBody, fc.jsonValue()), async (body) => {
        const res = await as[who].request(method, path, body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(typeof res.body?.error?.code).toBe('string');
          expect(typeof res.body?.error?.message).toBe('string');
        }
      }),
      { numRuns: 40, seed: 2026 },
    );
  });

  it('audits every fuzzed write, even bodies Postgres cannot store as they are (NUL characters)', async () => {
    const res = await as.operator.request('POST', '/dictionary', { term: '\u0000物业\u0000', note: { '\u0000key': '\u0000' } });
    expect(res.status).toBeLessThan(500);
    const db = service.app.get(DataSource);
    await eventuallyTrue(async () => (await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'POST /dictionary' AND details::text LIKE '%物业%'`))[0].n > 0);
  });

  it('refuses a body that is not JSON with the error shape', async () => {
    const res = await fetch(`${service.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username": 物业' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });
});

async function eventuallyTrue(probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the audit entry never appeared');
}
