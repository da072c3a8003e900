import { DataSource } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service';
import { SlaTimers } from '../../src/cases/sla-timers.service';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { NotifyOutbox } from '../../src/notify/notify-outbox.service';
import { JobDurationRecorder } from '../../src/ops/job-duration.recorder';
import { QueueDashboardTokens } from '../../src/ops/queue-dashboard-tokens';
import { QueueName } from '../../src/queues/queue-names';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/** The value of one sample in Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * Operating it with an API process and a separate worker process (as deployed): the metrics the API
 * reports change when work fails in the worker, and the queue dashboard is for admins only.
 */
describe('operating it: metrics from the pipeline and the queue dashboard', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let api: RunningService;
  let worker: RunningService;
  let db: DataSource;
  let admin: Api;
  let cookie: string;
  let sourceId: number;

  const metrics = async () => {
    const res = await admin.raw('/metrics');
    expect(res.status).toBe(200);
    return res.text();
  };
  const board = (path: string, init: RequestInit & { cookie?: string } = {}) =>
    fetch(`${api.url}/admin/queues${path}`, { ...init, redirect: 'manual', headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...init.headers } });
  const openSession = async (who: Api) => {
    const res = await who.raw('/ops/queues/session', { method: 'POST' });
    const set = res.headers.get('set-cookie');
    return { res, set, cookie: set ? set.split(';')[0] : undefined };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    api = await env.start({ role: 'api' });
    worker = await env.start({ role: 'worker', notify: { attempts: 2, backoffMs: 100 }, reconcile: { intervalSeconds: 3600 } });
    const { sources } = await seedDemo(api.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    sourceId = sources[0].id;
    db = api.app.get(DataSource);
    admin = await new Api(api.url!).login('admin', DEMO_PASSWORD);
    const opened = await openSession(admin);
    expect(opened.res.status).toBe(200);
    cookie = opened.cookie!;
  }, 60_000);

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('records job durations of every queue worker, and reports them from the API process', async () => {
    expect(worker.app.get(JobDurationRecorder).queues.sort()).toEqual(Object.values(QueueName).sort());
    expect(api.app.get(JobDurationRecorder).queues).toEqual([]);
    const text = await metrics();
    for (const queue of Object.values(QueueName)) {
      expect(text).toMatch(new RegExp(`^tingfeng_queue_jobs\\{queue="${queue}",state="failed"\\} \\d+$`, 'm'));
      expect(text).toMatch(new RegExp(`^tingfeng_queue_paused\\{queue="${queue}"\\} 0$`, 'm'));
    }
  });

  it('counts a failed notification and its failed jobs, with their durations', async () => {
    const before = await metrics();
    expect(sample(before, 'tingfeng_notification_failures_total{channel="webhook"}')).toBe(0);
    expect(sample(before, 'tingfeng_notifications{channel="webhook",status="dead"}')).toBe(0);
    const failedBefore = sample(before, 'tingfeng_job_duration_seconds_count{queue="notify",outcome="failed"}') ?? 0;
    // A webhook whose configuration is gone: every try fails, the second one dead-letters it.
    const [{ id }] = await db.query(`INSERT INTO notifications (event, channel, target, title, body) VALUES ('assigned', 'webhook', 'gone', '测试', '测试') RETURNING id`);
    await worker.app.get(NotifyOutbox).dispatch([id]);
    await eventually(async () => (await db.query(`SELECT status FROM notifications WHERE id = $1`, [id]))[0].status === 'dead', 20_000, 'a dead letter');
    const after = await eventually(async () => {
      const text = await metrics();
      return sample(text, 'tingfeng_job_duration_seconds_count{queue="notify",outcome="failed"}') === failedBefore + 2 && text;
    }, 10_000, 'two failed notify attempts in the histogram');
    expect(sample(after, 'tingfeng_notification_failures_total{channel="webhook"}')).toBe(2);
    expect(sample(after, 'tingfeng_notifications{channel="webhook",status="dead"}')).toBe(1);
    expect(sample(after, 'tingfeng_queue_jobs{queue="notify",state="failed"}')).toBe(1);
    expect(sample(after, 'tingfeng_job_duration_seconds_bucket{queue="notify",outcome="failed",le="+Inf"}')).toBe(failedBefore + 2);
    expect(after).toMatch(/^# TYPE tingfeng_job_duration_seconds histogram$/m);
  });

  it('counts crawl errors by source and kind', async () => {
    const code = 'broken-feed';
    const operator = await new Api(api.url!).login('operator', DEMO_PASSWORD);
    const created = await operator.post('/sources', { code, name: '失效的订阅', kind: 'rss', url: `${forum.baseUrl}/no-such-feed.xml`, intervalSeconds: 3600, enabled: false });
    expect(created.status).toBe(201);
    const before = await metrics();
    expect(sample(before, `tingfeng_crawl_request_retries_total{source="${code}"}`)).toBe(0);
    expect(before).not.toMatch(new RegExp(`^tingfeng_crawl_errors_total\\{source="${code}"`, 'm'));
    expect((await operator.post(`/sources/${created.body.id}/crawl`)).status).toBeLessThan(300);
    const after = await eventually(async () => {
      const text = await metrics();
      return /tingfeng_crawl_errors_total\{source="broken-feed",kind="[^"]+"\} 1/.test(text) && text;
    }, 20_000, 'a crawl error');
    expect(after).toMatch(/^tingfeng_crawl_errors_total\{source="broken-feed",kind="http_404"\} 1$/m);
    expect(after).toMatch(/^tingfeng_crawl_runs_total\{source="broken-feed",status="failed"\} 1$/m);
    expect(sample(after, `tingfeng_source_consecutive_failures{source="${code}"}`)).toBe(1);
    expect(sample(after, 'tingfeng_job_duration_seconds_count{queue="crawl",outcome="completed"}')).toBeGreaterThanOrEqual(1);
  });

  it('reports overdue cases per clock and counts SLA breaches when the timer fires', async () => {
    const before = await metrics();
    expect(sample(before, 'tingfeng_cases_overdue{clock="acknowledge"}')).toBe(0);
    expect(sample(before, 'tingfeng_sla_breaches_total{clock="acknowledge"}')).toBe(0);
    const [area] = await db.query(`SELECT id FROM areas WHERE code = 'huachuan'`);
    const [rule] = await db.query(`SELECT id FROM rules ORDER BY id LIMIT 1`);
    const [{ id }] = await db.query(
      `INSERT INTO cases (number, area_id, rule_id, level, status, due_acknowledge_at, due_contact_at, due_response_at, due_settle_at, version)
       VALUES ('TF-20261126-999001', $1, $2, 'red', 'assigned', now() - interval '1 minute', now() + interval '1 hour', now() + interval '2 hours', now() + interval '3 days', 1) RETURNING id`,
      [area.id, rule.id],
    );
    const overdue = await metrics();
    expect(sample(overdue, 'tingfeng_cases_overdue{clock="acknowledge"}')).toBe(1);
    expect(sample(overdue, 'tingfeng_cases_overdue{clock="contact"}')).toBe(0);
    // The reminder timer fires (what the sla job does): one breach of the acknowledge clock.
    expect((await worker.app.get(SlaTimers).fire(id, 'acknowledge', 'remind')).outcome).toBe('fired');
    expect(sample(await metrics(), 'tingfeng_sla_breaches_total{clock="acknowledge"}')).toBe(1);
    await db.query(`UPDATE cases SET acknowledged_at = now(), status = 'acknowledged' WHERE id = $1`, [id]);
    const met = await metrics();
    expect(sample(met, 'tingfeng_cases_overdue{clock="acknowledge"}')).toBe(0);
    expect(sample(met, 'tingfeng_sla_breaches_total{clock="acknowledge"}')).toBe(1);
  });

  it('opens the queue dashboard for an admin with the cookie: page, assets and API', async () => {
    const opened = await openSession(admin);
    expect(opened.set).toMatch(/^tingfeng_queues=[^;]+; Max-Age=\d+; Path=\/admin\/queues; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(opened.set).not.toMatch(/Secure/); // plain HTTP here; Secure when the request came over TLS
    expect(await opened.res.json()).toMatchObject({ url: '/admin/queues/' });

    const page = await board('/', { cookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    expect(page.headers.get('content-security-policy')).toContain("base-uri 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-powered-by')).toBeNull();
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)![1];
    expect((await board(`/${script}`, { cookie })).status).toBe(200);
    expect((await board('/queue/notify', { cookie })).status).toBe(200);

    const queues = await board('/api/queues?activeQueue=notify&status=failed', { cookie });
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(Object.values(QueueName).sort());
  });

  it('refuses anonymous, non-admin, forged, expired and ended sessions on every dashboard path', async () => {
    const paths = ['', '/', '/queue/crawl', '/static/favicon.ico', '/api/queues', '/api/redis/stats', '/api/queues/crawl/workers'];
    const operatorApi = await new Api(api.url!).login('operator', DEMO_PASSWORD);
    const workerApi = await new Api(api.url!).login('sg-huachuan', DEMO_PASSWORD);
    // Only admins get the cookie.
    expect((await openSession(operatorApi)).res.status).toBe(403);
    expect((await openSession(workerApi)).res.status).toBe(403);
    expect((await fetch(`${api.url}/ops/queues/session`, { method: 'POST' })).status).toBe(401);

    const tokens = api.app.get(QueueDashboardTokens);
    const sessionOf = async (username: string) => (await db.query(`SELECT s.id, u.id AS user_id FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1 AND s.revoked_at IS NULL ORDER BY s.created_at DESC LIMIT 1`, [username]))[0];
    const op = await sessionOf('operator');
    const forgedRole = `tingfeng_queues=${await tokens.issue({ id: op.user_id, username: 'operator', role: 'operator', scopeAreaIds: [], sessionId: op.id })}`;
    const ad = await sessionOf('admin');
    const expired = `tingfeng_queues=${await tokens.issue({ id: ad.user_id, username: 'admin', role: 'admin', scopeAreaIds: [], sessionId: ad.id }, -10)}`;
    const accessTokenAsCookie = `tingfeng_queues=${(await new Api(api.url!).post('/auth/login', { username: 'admin', password: DEMO_PASSWORD })).body.accessToken}`;

    const cases: Array<[string, RequestInit & { cookie?: string }, number]> = [
      ['anonymous', {}, 401],
      ['a bearer token instead of the cookie', { headers: { authorization: `Bearer ${(await new Api(api.url!).post('/auth/login', { username: 'admin', password: DEMO_PASSWORD })).body.accessToken}` } }, 401],
      ['an access token as the cookie', { cookie: accessTokenAsCookie }, 401],
      ['a garbage cookie', { cookie: 'tingfeng_queues=abc.def.ghi' }, 401],
      ['an expired cookie', { cookie: expired }, 401],
      ['a non-admin cookie', { cookie: forgedRole }, 403],
    ];
    const wrong: string[] = [];
    for (const [what, init, status] of cases) {
      for (const path of paths) {
        const res = await board(path, init);
        if (res.status !== status) wrong.push(`${what} GET ${path} → ${res.status}`);
      }
      const write = await board('/api/queues/crawl/pause', { ...init, method: 'PUT' });
      if (write.status !== status) wrong.push(`${what} PUT pause → ${write.status}`);
    }
    expect(wrong).toEqual([]);
    const refused = await board('/api/queues');
    expect(await refused.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    const refusedPage = await board('/', { headers: { accept: 'text/html' } });
    expect(refusedPage.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await refusedPage.text()).toContain('队列面板仅限管理员');

    // Logging out ends the dashboard session too.
    const other = await new Api(api.url!).login('admin', DEMO_PASSWORD);
    const { cookie: otherCookie } = await openSession(other);
    expect((await board('/api/queues', { cookie: otherCookie })).status).toBe(200);
    expect((await other.post('/auth/logout')).status).toBeLessThan(300);
    api.app.get(AuthService).forgetLiveSessions();
    expect((await board('/api/queues', { cookie: otherCookie })).status).toBe(401);
  });

  it('lets admins retry failed jobs, pause and resume queues, refuses destructive writes and cross-site ones, and audits every write', async () => {
    const [dead] = await db.query(`SELECT id FROM notifications WHERE status = 'dead' ORDER BY id LIMIT 1`);
    const jobId = `notify-${dead.id}`;
    const put = (path: string, extra: Record<string, string> = {}) => board(path, { cookie, method: 'PUT', headers: { 'content-type': 'application/json', ...extra }, body: '{}' });

    expect((await put('/api/queues/notify/clean/failed')).status).toBe(403);
    expect((await put('/api/queues/notify/empty')).status).toBe(403);
    expect((await put(`/api/queues/notify/${jobId}/clean`)).status).toBe(403);
    expect((await put('/api/queues/notify/obliterate')).status).toBe(403);
    expect((await board('/api/queues/notify/add', { cookie, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x","data":{}}' })).status).toBe(403);
    expect((await put('/api/queues/notify/pause', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await put('/api/queues/notify/pause', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(sample(await metrics(), 'tingfeng_queue_jobs{queue="notify",state="failed"}')).toBe(1);

    expect((await put('/api/queues/crawl/pause')).status).toBe(200);
    expect(sample(await metrics(), 'tingfeng_queue_paused{queue="crawl"}')).toBe(1);
    expect((await put('/api/queues/crawl/resume')).status).toBe(200);
    expect((await put(`/api/queues/notify/${jobId}/retry`)).status).toBe(204);
    // The retried job finds its notification dead-lettered and completes without sending anything.
    await eventually(async () => sample(await metrics(), 'tingfeng_queue_jobs{queue="notify",state="failed"}') === 0, 10_000, 'the retried job done');

    const audit: Array<{ action: string; status: number; actor_role: string }> = await db.query(
      `SELECT action, status, actor_role FROM audit_log WHERE path LIKE '/admin/queues/%' ORDER BY id`,
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'PUT /admin/queues/api/queues/:queueName/clean/:queueStatus', status: 403, actor_role: 'admin' },
        { action: 'PUT /admin/queues/api/queues/:queueName/empty', status: 403, actor_role: 'admin' },
        { action: 'PUT /admin/queues/api/queues/:queueName/pause', status: 200, actor_role: 'admin' },
        { action: 'PUT /admin/queues/api/queues/:queueName/:jobId/retry', status: 204, actor_role: 'admin' },
      ]),
    );
    // The cross-site attempts were refused before any route: audited with their concrete path.
    expect(audit.filter((a) => a.action === 'PUT /admin/queues/api/queues/notify/pause').map((a) => a.status)).toEqual([403, 403]);
    // Reads are not audited; the session endpoint is (a POST through the API).
    expect(audit.some((a) => a.action.startsWith('GET'))).toBe(false);
    expect((await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'POST /ops/queues/session' AND status = 200`))[0].n).toBeGreaterThanOrEqual(2);
  });
});
