import { DataSource } from 'typeorm';
import { AnalysisService } from '../../src/analysis/analysis.service';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { PostsService } from '../../src/posts/posts.service';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

/** Rules for operators: CRUD with validation, versions, suppressions with hit counts, evidence, dry-run. */
describe('rules API and the analysis it drives', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let db: DataSource;
  let operator: Api;
  let sourceId: number;
  let n = 0;

  const store = async (title: string, body: string) => {
    const [p] = await service.app.get(PostsService).upsertMany(sourceId, [{ externalId: `r-${++n}`, url: `http://forum.invalid/r/${n}`, title, body, author: `作者${n}` }]);
    const outcome = await service.app.get(AnalysisService).analyze(p.id, p.contentHash);
    if (outcome.status !== 'analysed') throw new Error(outcome.status);
    return outcome.analysis;
  };

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 3600 } });
    const seeded = await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    sourceId = seeded.sources[0].id;
    db = service.app.get(DataSource);
    operator = await new Api(service.url!).login('operator', DEMO_PASSWORD);
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('lets operators in and keeps workers out', async () => {
    expect((await operator.get('/rules')).status).toBe(200);
    const worker = await new Api(service.url!).login('sg-huachuan', DEMO_PASSWORD);
    expect((await worker.get('/rules')).status).toBe(403);
  });

  it('reports syntax errors with the position and what was expected', async () => {
    const checked = await operator.post('/rules/validate', { kind: 'expression', definition: { expression: '(物业 | 业委会 & 乱收费' } });
    expect(checked.body).toMatchObject({ valid: false, error: { field: 'definition.expression', position: 15, expected: '")"' } });
    const refused = await operator.post('/rules', { code: 'bad', name: '坏规则', level: 'yellow', kind: 'expression', definition: { expression: '物业 &' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toMatchObject({ field: 'definition.expression', position: 4 });
    expect((await operator.post('/rules', { code: 'x', name: 'x', level: 'yellow', definition: { all: [['a']] }, colour: 'red' })).status).toBe(400);
  });

  it('creates an expression rule, versions each change, and records the version and spans as evidence', async () => {
    const created = await operator.post('/rules', {
      code: 'parking-fight',
      name: '停车纠纷',
      level: 'orange',
      category: '停车',
      kind: 'expression',
      definition: { expression: '(停车|车位) & (占用|抢占|地锁) & !出租' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 1, kind: 'expression', role: 'warning' });
    const id = created.body.id;
    const updated = await db.query(`SELECT 1`).then(() =>
      operator.request('PUT', `/rules/${id}`, { name: '停车纠纷', level: 'orange', category: '停车', kind: 'expression', definition: { expression: '(停车|车位) & (占用|抢占|地锁|霸占) & !出租' } }),
    );
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    const versions = await operator.get(`/rules/${id}/versions`);
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions.body[0].definition.expression).not.toContain('霸占');

    const analysis = await store('泰和花园车位被霸占', '泰和花园有人在公共车位上装地锁霸占车位，大家都停不了车。');
    const fired = analysis.firedRules.find((f) => f.code === 'parking-fight');
    expect(fired).toMatchObject({ version: 2, level: 'orange' });
    const text = `泰和花园车位被霸占\n泰和花园有人在公共车位上装地锁霸占车位，大家都停不了车。`;
    for (const hit of fired!.hits) expect(text.slice(hit.start, hit.end)).toBe(hit.term);
    expect(fired!.hits.map((h) => h.term)).toEqual(expect.arrayContaining(['车位', '地锁', '霸占']));
    const [rule] = await db.query(`SELECT hit_count FROM rules WHERE id = $1`, [id]);
    expect(rule.hit_count).toBe(1);
  });

  it('stores the category, heat, warning level, place candidates and SimHash on the analysis', async () => {
    const a = await store('泰和花园物业乱收费，维修基金不公开', '泰和花园物业公司今年又涨物业费，小区电梯维修基金也不公开，业主非常不满，大家说要集体拉横幅。隔壁阳光水岸小区也一样。');
    expect(a.categoryModel).toBe('v1');
    expect(['城乡建设', '环境保护', '交通运输', '教育文体', '劳动和社会保障', '商贸旅游', '卫生计生']).toContain(a.domain);
    expect(a.categoryConfidence).toBeGreaterThan(0);
    expect(a.heatScore).toBeGreaterThan(40);
    expect(['orange', 'red']).toContain(a.warningLevel);
    expect(a.placeCandidates).toContain('阳光水岸小区');
    expect(a.placeCandidates).not.toContain('泰和花园');
    expect(a.simhash).toMatch(/^[0-9a-f]{16}$/);
    expect(a.topics[0]).toBe('物业纠纷');

    const suggestions = await operator.get('/analysis/place-suggestions');
    expect(suggestions.status).toBe(200);
    expect(suggestions.body.items.map((i: { name: string }) => i.name)).toContain('阳光水岸小区');
  });

  it('suppressions silence the warning rules of a post and count their own hits', async () => {
    const sup = await operator.post('/rules', { code: 'ads', name: '广告与招聘', level: 'blue', role: 'suppression', kind: 'expression', definition: { expression: '招聘 | 转让 | 加微信' } });
    expect(sup.status).toBe(201);
    const a = await store('泰和花园物业乱收费？', '泰和花园物业乱收费的事大家别急，加微信了解维权课程。');
    expect(a.firedRules).toEqual([]);
    expect(a.suppressedBy.map((s) => s.code)).toEqual(['ads']);
    const [rule] = await db.query(`SELECT hit_count FROM rules WHERE code = 'ads'`);
    expect(rule.hit_count).toBe(1);
  });

  it('dry-runs a draft rule over stored posts: hits, cases it would open, precision against verdicts', async () => {
    const first = await store('泰和花园电梯又坏了', '泰和花园3号楼电梯坏了一周，物业不作为。');
    const second = await store('杉杉苑电梯故障', '杉杉苑电梯故障困人，物业一直不修，不作为。');
    await store('杉杉苑门口新开了面包店', '杉杉苑门口新开的面包店挺好吃。');
    // Workers' verdicts: one case settled, another dismissed.
    const caseOf = async (postId: number) => {
      const [c] = await db.query(
        `INSERT INTO cases (number, area_id, rule_id, level, status, version, closed_at) SELECT 'TF-DRY-' || $1, $2, id, 'yellow', $3, 1, now() FROM rules WHERE code = 'property-fee' RETURNING id`,
        [postId, (await db.query(`SELECT area_id FROM analyses WHERE post_id = $1`, [postId]))[0].area_id, postId === first.postId ? 'settled' : 'dismissed'],
      );
      await db.query(`INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2)`, [c.id, postId]);
    };
    await caseOf(first.postId);
    await caseOf(second.postId);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const res = await operator.post('/rules/dry-run', { kind: 'expression', definition: { expression: '电梯 & 不作为' }, from, to });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 2, verdicts: { confirmed: 1, dismissed: 1 }, precision: 0.5 });
    expect(res.body.hits.map((h: { postId: number }) => h.postId).sort()).toEqual([first.postId, second.postId].sort());
    expect(res.body.wouldOpenCases).toHaveLength(2);
    expect(res.body.scanned).toBeGreaterThanOrEqual(3);
    const bad = await operator.post('/rules/dry-run', { kind: 'expression', definition: { expression: 'NEAR(电梯' }, from, to });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toMatchObject({ position: 7 });
  });
});
