import { DataSource } from 'typeorm';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { RetentionService } from '../../src/privacy/retention.service';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('privacy: small report cells and retention', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let db: DataSource;
  let sourceId: number;
  let ruleId: number;

  const area = async (code: string) => (await db.query(`SELECT id FROM areas WHERE code = $1`, [code]))[0].id as number;
  let n = 0;
  const post = async (fetchedDaysAgo: number) =>
    (
      await db.query(
        `INSERT INTO posts (source_id, external_id, url, title, body, author, content_hash, fetched_at)
         VALUES ($1, $2, 'http://x.invalid/' || $2, '标题', '正文里有住户的联系方式', '某网友', md5($2), now() - make_interval(days => $3)) RETURNING id`,
        [sourceId, `p${++n}`, fetchedDaysAgo],
      )
    )[0].id as number;
  const kase = async (areaCode: string, category: string, status: string, closedDaysAgo: number | null, postIds: number[] = []) => {
    const [c] = await db.query(
      `INSERT INTO cases (number, area_id, rule_id, category, level, status, outcome, version, closed_at)
       VALUES ($1, $2, $3, $4, 'yellow', $5, $6, 1, CASE WHEN $7::int IS NULL THEN NULL ELSE now() - make_interval(days => $7::int) END) RETURNING id`,
      [`TF-T-${++n}`, await area(areaCode), ruleId, category, status, status === 'settled' ? 'settled' : null, closedDaysAgo],
    );
    for (const p of postIds) await db.query(`INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2)`, [c.id, p]);
    return c.id as number;
  };

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({
      role: 'all',
      reconcile: { intervalSeconds: 3600 },
      reports: { minCellSize: 2 },
      retention: { unlinkedPostDays: 30, closedCasePostTextDays: 365 },
      audit: { retentionYears: 1 },
    });
    const seeded = await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    sourceId = seeded.sources[0].id;
    db = service.app.get(DataSource);
    ruleId = (await db.query(`SELECT id FROM rules WHERE code = 'noise'`))[0].id;
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('suppresses area × category cells with fewer cases than reports.minCellSize', async () => {
    // Different rules would normally separate these; the report only looks at category.
    await db.query(`DROP INDEX cases_one_open_per_area_rule`);
    await kase('huachuan', '噪音扰民', 'settled', 1);
    await kase('zhenan', '噪音扰民', 'assigned', null);
    await kase('danfeng', '物业纠纷', 'assigned', null);
    const official = await new Api(service.url!).login('official', DEMO_PASSWORD);
    const report = (await official.get(`/reports/settlement?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`)).body;
    const baihe = report.rows.find((r: { code: string }) => r.code === 'baihe');
    expect(baihe).toMatchObject({ found: 3, settled: 1, open: 2 });
    expect(baihe.categories).toEqual([
      { category: '噪音扰民', found: 2, settled: 1 },
      { category: '物业纠纷', suppressed: true },
    ]);
    expect(JSON.stringify(report)).not.toContain('某网友');
  });

  it('counts in a dry run, then deletes unlinked old posts, purges text behind long-closed cases and old audit entries', async () => {
    const oldUnlinked = await post(40);
    const newUnlinked = await post(5);
    const behindOldCase = await post(800);
    const behindOpenCase = await post(800);
    const sharedWithOpen = await post(800);
    await db.query(
      `INSERT INTO post_revisions (post_id, revision, title, body, author, content_hash, fetched_at) VALUES ($1, 1, '旧标题', '旧正文', '某网友', 'h', now())`,
      [behindOldCase],
    );
    await kase('qita', '噪音扰民', 'settled', 400, [behindOldCase, sharedWithOpen]);
    await kase('qita', '噪音扰民', 'in_contact', null, [behindOpenCase, sharedWithOpen]);
    await db.query(`INSERT INTO audit_log (at, action, path, status) VALUES (now() - interval '400 days', 'POST /x', '/x', 200), (now(), 'POST /y', '/y', 200)`);

    const retention = service.app.get(RetentionService);
    const dry = await retention.run({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, unlinkedPosts: 1, purgedPostTexts: 1, auditEntries: 1 });
    expect((await db.query(`SELECT count(*)::int AS n FROM posts WHERE id = $1`, [oldUnlinked]))[0].n).toBe(1);

    const applied = await retention.run({ dryRun: false });
    expect(applied).toMatchObject({ dryRun: false, unlinkedPosts: 1, purgedPostTexts: 1, auditEntries: 1 });
    const left = await db.query(`SELECT id, title, body, author, text_purged_at IS NOT NULL AS purged FROM posts WHERE id = ANY($1) ORDER BY id`, [
      [oldUnlinked, newUnlinked, behindOldCase, behindOpenCase, sharedWithOpen],
    ]);
    expect(left.map((p: { id: number }) => p.id)).toEqual([newUnlinked, behindOldCase, behindOpenCase, sharedWithOpen]);
    expect(left.find((p: { id: number }) => p.id === behindOldCase)).toEqual({ id: behindOldCase, title: '', body: '', author: null, purged: true });
    expect(left.filter((p: { purged: boolean }) => !p.purged)).toHaveLength(3);
    expect(await db.query(`SELECT title, body, author FROM post_revisions WHERE post_id = $1`, [behindOldCase])).toEqual([{ title: '', body: '', author: null }]);
    expect((await db.query(`SELECT count(*)::int AS n FROM cases WHERE area_id = $1`, [await area('qita')]))[0].n).toBe(2);
    expect((await retention.run({ dryRun: true })).purgedPostTexts).toBe(0);
  });

  it('deletes old crawl runs and keeps counting them in /metrics', async () => {
    const admin = await new Api(service.url!).login('admin', DEMO_PASSWORD);
    const [{ id: sourceId, code }] = await db.query(`SELECT id, code FROM sources ORDER BY id LIMIT 1`);
    await db.query(`DELETE FROM crawl_runs WHERE source_id = $1`, [sourceId]);
    // 100 days ago (past retention.crawlRunDays = 90): 2 ok, a failed (timeout) and a broken run, and one
    // still marked running; 10 days ago: one ok and one failed run.
    await db.query(
      `INSERT INTO crawl_runs (source_id, started_at, status, retries, error_code) VALUES
         ($1, now() - interval '100 days', 'ok', 1, NULL), ($1, now() - interval '100 days', 'ok', 0, NULL),
         ($1, now() - interval '100 days', 'failed', 3, 'timeout'), ($1, now() - interval '100 days', 'broken', 0, NULL),
         ($1, now() - interval '100 days', 'running', 0, NULL),
         ($1, now() - interval '10 days', 'ok', 2, NULL), ($1, now() - interval '10 days', 'failed', 1, 'timeout')`,
      [sourceId],
    );
    const counters = async () => {
      const text = await (await admin.raw('/metrics')).text();
      const value = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
      return {
        ok: value('tingfeng_crawl_runs_total', `source="${code}",status="ok"`),
        failed: value('tingfeng_crawl_runs_total', `source="${code}",status="failed"`),
        broken: value('tingfeng_crawl_runs_total', `source="${code}",status="broken"`),
        timeouts: value('tingfeng_crawl_errors_total', `source="${code}",kind="timeout"`),
        brokenErrors: value('tingfeng_crawl_errors_total', `source="${code}",kind="broken"`),
        retries: value('tingfeng_crawl_request_retries_total', `source="${code}"`),
      };
    };
    const before = await counters();
    expect(before).toEqual({ ok: 3, failed: 2, broken: 1, timeouts: 2, brokenErrors: 1, retries: 7 });

    const retention = service.app.get(RetentionService);
    expect((await retention.run({ dryRun: true })).crawlRuns).toBe(4);
    expect((await db.query(`SELECT count(*)::int AS n FROM crawl_runs WHERE source_id = $1`, [sourceId]))[0].n).toBe(7);
    expect((await retention.run({ dryRun: false })).crawlRuns).toBe(4);
    const left = await db.query(`SELECT status FROM crawl_runs WHERE source_id = $1 ORDER BY status`, [sourceId]);
    expect(left.map((r: { status: string }) => r.status)).toEqual(['failed', 'ok', 'running']);
    expect(await counters()).toEqual(before);
    // A second pass finds nothing more and counts nothing twice.
    expect((await retention.run({ dryRun: false })).crawlRuns).toBe(0);
    expect(await counters()).toEqual(before);
  });

  it('masks personal data in case details for everyone; the assignee reveals one post with a recorded reason', async () => {
    const [p] = await db.query(
      `INSERT INTO posts (source_id, external_id, url, title, body, author, content_hash)
       VALUES ($1, 'pii-1', 'http://x.invalid/pii-1', '泰和花园物业乱收费 电话13912345678', '联系我：13912345678，身份证330204198806061234，邮箱li.si@example.com', '泰和住户', 'h-pii') RETURNING id`,
      [sourceId],
    );
    const [worker] = await db.query(`SELECT id FROM users WHERE username = 'sg-huachuan'`);
    const caseId = await kase('huachuan', '物业纠纷', 'assigned', null, [p.id]);
    await db.query(`UPDATE cases SET assignee_id = $1 WHERE id = $2`, [worker.id, caseId]);

    const api = new Api(service.url!);
    const assignee = await api.login('sg-huachuan', DEMO_PASSWORD);
    const official = await api.login('official', DEMO_PASSWORD);
    for (const who of [assignee, official]) {
      const detail = (await who.get(`/cases/${caseId}`)).body;
      const text = JSON.stringify(detail.posts);
      expect(text).not.toContain('13912345678');
      expect(text).not.toContain('330204198806061234');
      expect(text).not.toContain('li.si@example.com');
      expect(detail.posts[0].body).toBe('联系我：[电话]，身份证[身份证号]，邮箱[邮箱]');
      expect(detail.posts[0].author).toBe('泰和住户');
    }

    expect((await official.post(`/cases/${caseId}/posts/${p.id}/reveal`, { reason: '需要核实' })).status).toBe(403);
    const other = await api.login('sg-zhenan', DEMO_PASSWORD);
    expect((await other.post(`/cases/${caseId}/posts/${p.id}/reveal`, { reason: '需要核实' })).status).toBe(403);
    expect((await assignee.post(`/cases/${caseId}/posts/${p.id}/reveal`, {})).status).toBe(400);

    const revealed = await assignee.post(`/cases/${caseId}/posts/${p.id}/reveal`, { reason: '需要电话联系发帖人' });
    expect(revealed.status).toBe(200);
    expect(revealed.body.body).toContain('13912345678');
    const supervisor = await api.login('sup-baihe', DEMO_PASSWORD);
    expect((await supervisor.post(`/cases/${caseId}/posts/${p.id}/reveal`, { reason: '街道复核' })).status).toBe(200);

    const timeline = (await official.get(`/cases/${caseId}`)).body.timeline.filter((e: { type: string }) => e.type === 'personal_data_revealed');
    expect(timeline.map((e: { actorId: number; data: { reason: string; postId: number } }) => [e.actorId, e.data.reason, e.data.postId])).toEqual([
      [worker.id, '需要电话联系发帖人', p.id],
      [expect.any(Number), '街道复核', p.id],
    ]);
  });
});
