import { DataSource } from 'typeorm';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/**
 * The whole path on the real stack: a forum on loopback, the scheduled crawlers (HTML and RSS),
 * analysis, case correlation, routing, the worker's actions and the settlement report.
 */
describe('walking skeleton: a forum post becomes a settled case', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let api: Api;
  const startedAt = new Date(Date.now() - 60_000);

  const disputeHtml = {
    title: '泰和花园物业又乱收费了',
    body: '我们泰和花园的物业公司这个月突然把物业费涨了三成，没开业主大会，也没公示收费依据。问物业只说是上面定的，大家一起去社区反映吧。',
    author: '划船老住户',
    board: 'neighbourhood' as const,
    topic: 'property-fee' as const,
  };
  const chatterHtml = {
    title: '惊驾路新开的面馆推荐一下',
    body: '昨天带孩子去惊驾路那家新开的面馆，牛肉面味道很正，汤头浓，价格也实惠，周末可以去试试。',
    author: '吃货小陈',
    board: 'neighbourhood' as const,
    topic: 'chatter' as const,
  };
  const disputeRss = {
    title: '银杏苑楼下烧烤店半夜太吵',
    body: '银杏苑一楼的烧烤店每天营业到凌晨两点，噪音大得整栋楼都睡不着，打过几次电话都没用，老人孩子都受影响。',
    author: '戎家居民',
    board: 'hotline' as const,
    topic: 'noise' as const,
  };
  const chatterRss = {
    title: '周六樱花公园有亲子市集',
    body: '听说这周六樱花公园有亲子市集，有手工、绘本和小吃摊位，天气好的话带娃去逛逛。',
    author: '樱花妈妈',
    board: 'hotline' as const,
    topic: 'chatter' as const,
  };

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    const forumUrl = await forum.start();
    for (const post of [chatterHtml, disputeHtml, chatterRss, disputeRss]) forum.publish(post);
    service = await env.start({ role: 'all' });
    await seedDemo(service.app, forumUrl, { crawlIntervalSeconds: 10 });
    api = new Api(service.url!);
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('opens a case for each dispute post, none for chatter, and routes each to the community worker', async () => {
    const official = await api.login('official', DEMO_PASSWORD);
    const cases = await eventually(async () => {
      const res = await official.get('/cases');
      return res.body.total === 2 && res.body.items.every((c: { status: string }) => c.status === 'assigned') && res.body.items;
    }, 45_000, 'two assigned cases');

    const db = service.app.get(DataSource);
    const byTitle: { title: string; fired: number; cases: number }[] = await db.query(
      `SELECT p.title, jsonb_array_length(a.fired_rules) AS fired, (SELECT count(*)::int FROM case_posts cp WHERE cp.post_id = p.id) AS cases
       FROM posts p JOIN analyses a ON a.post_id = p.id ORDER BY p.id`,
    );
    expect(byTitle).toHaveLength(4);
    expect(byTitle.find((r) => r.title === chatterHtml.title)).toMatchObject({ fired: 0, cases: 0 });
    expect(byTitle.find((r) => r.title === chatterRss.title)).toMatchObject({ fired: 0, cases: 0 });
    expect(byTitle.find((r) => r.title === disputeHtml.title)).toMatchObject({ cases: 1 });
    expect(byTitle.find((r) => r.title === disputeRss.title)).toMatchObject({ cases: 1 });

    const huachuan = await api.login('sg-huachuan', DEMO_PASSWORD);
    const rongjia = await api.login('sg-rongjia', DEMO_PASSWORD);
    const me = (await huachuan.get('/auth/me')).body;
    const mine = (await huachuan.get('/cases?mine=true')).body;
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ assigneeId: me.id, category: '物业纠纷', level: 'yellow', status: 'assigned' });
    const rongjiaCases = (await rongjia.get('/cases?mine=true')).body;
    expect(rongjiaCases.items).toHaveLength(1);
    expect(rongjiaCases.items[0]).toMatchObject({ category: '噪音扰民' });
    expect(cases.map((c: { id: number }) => c.id).sort()).toEqual([mine.items[0].id, rongjiaCases.items[0].id].sort());
  });

  it('lets the worker acknowledge, respond and settle, refusing what is not allowed, and records every step', async () => {
    const worker = await api.login('sg-huachuan', DEMO_PASSWORD);
    const other = await api.login('sg-rongjia', DEMO_PASSWORD);
    const me = (await worker.get('/auth/me')).body;
    const [theCase] = (await worker.get('/cases?mine=true')).body.items;

    expect((await new Api(service.url!).get(`/cases/${theCase.id}`)).status).toBe(401);
    expect((await other.get(`/cases/${theCase.id}`)).status).toBe(404);
    const foreign = await other.post(`/cases/${theCase.id}/acknowledge`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('forbidden');

    const early = await worker.post(`/cases/${theCase.id}/settle`, { outcome: 'settled' });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'invalid_transition', details: { status: 'assigned' } });
    expect(early.body.error.details.allowedActions).toContain('acknowledge');

    expect((await worker.post(`/cases/${theCase.id}/acknowledge`)).body.status).toBe('acknowledged');

    const bad = await worker.post(`/cases/${theCase.id}/responses`, { kind: 'angry', text: '好', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['extra', 'kind', 'text']);

    const text = '您好，社区已联系物业公司核实收费调整的依据，将于本周五在小区会所召开说明会，欢迎业主参加。';
    const responded = await worker.post(`/cases/${theCase.id}/responses`, {
      kind: 'pacifying',
      text,
      publishedUrl: `${forum.baseUrl}/thread/2`,
    });
    expect(responded.status).toBe(200);
    expect(responded.body.status).toBe('responded');

    const settled = await worker.post(`/cases/${theCase.id}/settle`, { outcome: 'settled', note: '物业公示了收费依据，业主接受' });
    expect(settled.body).toMatchObject({ status: 'settled', outcome: 'settled' });

    const detail = (await worker.get(`/cases/${theCase.id}`)).body;
    expect(detail.area).toMatchObject({ code: 'huachuan', name: '划船社区' });
    expect(detail.posts).toHaveLength(1);
    expect(detail.posts[0].title).toBe(disputeHtml.title);
    expect(detail.posts[0].analysis.matchedAlias).toBe('泰和花园');
    const evidence = detail.posts[0].analysis.firedRules[0];
    expect(evidence).toMatchObject({ code: 'property-fee', version: 1 });
    expect(evidence.hits.map((h: { term: string }) => h.term)).toEqual(expect.arrayContaining(['物业', '乱收费']));
    expect(detail.responses).toEqual([expect.objectContaining({ kind: 'pacifying', text, authorId: me.id })]);
    expect(detail.timeline.map((e: { type: string; actorId: number | null }) => [e.type, e.actorId])).toEqual([
      ['created', null],
      ['post_attached', null],
      ['assigned', null],
      ['acknowledged', me.id],
      ['response_published', me.id],
      ['settled', me.id],
    ]);
    expect(detail.timeline.every((e: { at: string }) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });

  it('counts the settled case in the report, by street and by community', async () => {
    const official = await api.login('official', DEMO_PASSWORD);
    const range = `from=${startedAt.toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const streets = (await official.get(`/reports/settlement?${range}`)).body;
    expect(streets.rows.map((r: { code: string }) => r.code)).toEqual(['baihe', 'minglou', 'baizhang', 'dongsheng']);
    expect(streets.rows.find((r: { code: string }) => r.code === 'baihe')).toMatchObject({ found: 1, settled: 1, open: 0, settlementRate: 1 });
    expect(streets.rows.find((r: { code: string }) => r.code === 'dongsheng')).toMatchObject({ found: 1, settled: 0, open: 1, settlementRate: 0 });
    expect(streets.total).toEqual({ found: 2, settled: 1, open: 1, settlementRate: 0.5 });
    // One case is too few to show by category (reports.minCellSize defaults to 3).
    expect(streets.minCellSize).toBe(3);
    expect(streets.rows.find((r: { code: string }) => r.code === 'baihe').categories).toEqual([{ category: '物业纠纷', suppressed: true }]);
    expect(streets.rows.find((r: { code: string }) => r.code === 'minglou').categories).toEqual([]);
    // The dashboard's other figures come with the report, over the same cases as its total.
    type Listed = { status: string; overdue: boolean; openedAt: string; acknowledgedAt: string | null; firstResponseAt: string | null; closedAt: string | null };
    const counted = ((await official.get('/cases?pageSize=200')).body.items as Listed[]).filter((c) => !['dismissed', 'merged'].includes(c.status));
    expect(counted).toHaveLength(2);
    const minutesTo = (c: Listed, at: string | null) => (at ? (Date.parse(at) - Date.parse(c.openedAt)) / 60_000 : NaN);
    const median = (values: number[]) => {
      const v = values.filter(Number.isFinite).sort((a, b) => a - b);
      return v.length === 0 ? null : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    expect(streets.overdue).toBe(counted.filter((c) => c.overdue).length);
    const expected = {
      acknowledge: median(counted.map((c) => minutesTo(c, c.acknowledgedAt))),
      respond: median(counted.map((c) => minutesTo(c, c.firstResponseAt))),
      settle: median(counted.filter((c) => c.status === 'settled').map((c) => minutesTo(c, c.closedAt))),
    };
    expect(expected.settle).not.toBeNull();
    for (const key of ['acknowledge', 'respond', 'settle'] as const) {
      if (expected[key] === null) expect(streets.medianMinutes[key]).toBeNull();
      else expect(streets.medianMinutes[key]).toBeCloseTo(expected[key]!, 1);
    }

    const communities = (await official.get(`/reports/settlement?${range}&level=community`)).body;
    expect(communities.rows.find((r: { code: string }) => r.code === 'huachuan')).toMatchObject({ found: 1, settled: 1 });

    const before = (await official.get(`/reports/settlement?from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z`)).body;
    expect(before.total).toEqual({ found: 0, settled: 0, open: 0, settlementRate: null });
    expect(before.overdue).toBe(0);
    expect(before.medianMinutes).toEqual({ acknowledge: null, respond: null, settle: null });

    const worker = await api.login('sg-huachuan', DEMO_PASSWORD);
    expect((await worker.get(`/reports/settlement?${range}`)).status).toBe(403);
    expect((await official.get('/reports/settlement?from=yesterday')).status).toBe(400);
  });
});
