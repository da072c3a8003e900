import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { UsersService } from '../../src/auth/users.service';
import { ESCAPE, ZERO_WIDTH_CHARS } from '../../src/rules/dry-run-prefilter';
import { RuleDryRunService } from '../../src/rules/rule-dry-run.service';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * The dry-run at scale: Postgres checks a necessary condition derived from the rule and only candidates are
 * evaluated. The answer must be exactly the one of evaluating every post (checked on stored posts in disguise:
 * traditional characters, full width, upper case, zero-width characters, entities, markup) for fixed and random rules.
 */
describe('rule dry-run with the SQL prefilter', () => {
  let env: TestEnv;
  let service: RunningService;
  let db: DataSource;
  let operator: Api;
  let dryRuns: RuleDryRunService;
  const from = '2025-03-01T00:00:00Z';
  const to = '2025-04-01T00:00:00Z';

  /** Raw titles and bodies as sources deliver them; the normaliser undoes the disguises. */
  const POSTS: [string, string][] = [
    ['泰和花园电梯又坏了', '3号楼电梯坏了一周，物业不作为。'],
    ['泰和花園電梯故障', '電梯困人，物業一直不修，不作為！'],
    ['ＡＰＰ缴费', '物业的APP乱收费，业委会不管'],
    ['杉杉苑门口', '新开的面包店挺好吃。'],
    ['噪音', '楼上凌晨两点还在装修，噪\u200B音扰民'],
    ['实体', '&#x7269;&#19994;乱收费'],
    ['标记', '<b>电梯</b>坏了，<br>物业<i>不作为</i>'],
    ['招聘', '物业公司招聘保安，电梯维修工'],
    ['兼容字', '\uF9B5如电梯坏了'],
    ['晚上', '晚上 噪音 很大，住户 凌晨 才 睡'],
    ['Wi-Fi', '小区wifi信号差，KTV噪音'],
    ['期间外', '电梯坏了，物业不作为'],
  ];

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'api' });
    db = service.app.get(DataSource);
    dryRuns = service.app.get(RuleDryRunService);
    const [area] = await db.query(`INSERT INTO areas (code, name, level, path) VALUES ('dry', '试运行社区', 'community', '/') RETURNING id`);
    await db.query(`UPDATE areas SET path = '/' || id || '/' WHERE id = $1`, [area.id]);
    const [source] = await db.query(`INSERT INTO sources (code, name, kind, url, interval_seconds, enabled) VALUES ('dry', '论坛', 'rss', 'http://forum.invalid/rss', 3600, false) RETURNING id`);
    const [rule] = await db.query(`INSERT INTO rules (code, name, kind, definition, level) VALUES ('dry', '规则', 'keyword', '{"all":[["物业"]]}', 'yellow') RETURNING id`);
    for (const [i, [title, body]] of POSTS.entries()) {
      const at = i === POSTS.length - 1 ? '2025-05-02T00:00:00Z' : `2025-03-${String(i + 2).padStart(2, '0')}T08:00:00Z`;
      const [p] = await db.query(
        `INSERT INTO posts (source_id, external_id, url, title, body, published_at, content_hash) VALUES ($1, $2, 'http://forum.invalid/' || $2, $3, $4, $5, md5($2)) RETURNING id, content_hash`,
        [source.id, `d${i}`, title, body, at],
      );
      await db.query(
        `INSERT INTO analyses (post_id, content_hash, pipeline_version, area_id, domain, dispute_type, heat_score) VALUES ($1, $2, 1, $3, $4, $5, $6)`,
        [p.id, p.content_hash, i % 4 === 3 ? null : area.id, i % 2 ? '物业管理' : '邻里关系', i % 3 ? '物业纠纷' : '噪音扰民', i * 9.1],
      );
      if (i < 3) {
        const [c] = await db.query(
          `INSERT INTO cases (number, area_id, rule_id, level, status, version, closed_at) VALUES ($1, $2, $3, 'yellow', $4, 1, now()) RETURNING id`,
          [`TF-DRY-${i}`, area.id, rule.id, i === 1 ? 'dismissed' : 'settled'],
        );
        await db.query(`INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2)`, [c.id, p.id]);
      }
    }
    await service.app.get(UsersService).upsert({ username: 'dry-operator', displayName: '操作员', role: 'operator', scope: [], password: 'dry-run-password-1' });
    operator = await new Api(service.url!).login('dry-operator', 'dry-run-password-1');
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /** The result without what differs by design (timing, how many candidates were loaded). */
  const comparable = ({ ms: _ms, candidates: _c, evaluated: _e, decidedInSql: _d, fullScan: _f, note: _n, ...rest }: Awaited<ReturnType<RuleDryRunService['run']>>) => rest;

  it.each([
    ['expression', { expression: '(物业|业委会) & (乱收费|不作为) & !招聘' }],
    ['expression', { expression: '电梯 & 坏' }],
    ['expression', { expression: 'NEAR(噪音, (晚上|凌晨), 3)' }],
    ['expression', { expression: 'title:(ａｐｐ|wifi) | body:"ktv"' }],
    ['expression', { expression: 'category:物业纠纷 & heat>=27.3' }],
    ['expression', { expression: 'heat>72.8 | 面包' }],
    ['expression', { expression: '!招聘' }],
    ['expression', { expression: '(物业 | 电梯) & !招聘' }],
    ['keyword', { all: [['电梯'], ['坏了', '故障']], none: ['招聘'] }],
    ['expression', { expression: 'area:dry & heat<50 & !category:噪音扰民' }],
    ['expression', { expression: 'area:nowhere | heat=18.2' }],
    ['expression', { expression: '/\\d号楼/ & !招聘' }],
    ['expression', { expression: 'body:/(物业|電梯)(坏|不作为)/ | title:/ａｐｐ|wifi/i' }],
    ['expression', { expression: '/凌晨\\d+点|两点/' }],
  ])('gives exactly the unfiltered answer: %s %j', async (kind, definition) => {
    const body = { kind, definition, from, to, sampleSize: 2 };
    // Small batches: posts that surely match are then counted without their text once the sample is complete.
    const fast = await dryRuns.run(body, { batchSize: 2 });
    const slow = await dryRuns.run(body, { prefilter: false });
    expect(comparable(fast)).toEqual(comparable(slow));
    expect(slow.scanned).toBe(POSTS.length - 1);
    expect(fast.candidates).toBeLessThanOrEqual(slow.candidates);
  });

  it('flags posts the prefilter cannot see through by a trigger, exactly as ESCAPE does (insert and update)', async () => {
    const rows: { title: string; body: string; text_escape: boolean }[] = await db.query(`SELECT title, body, text_escape FROM posts`);
    expect(rows.filter((r) => r.text_escape).length).toBeGreaterThanOrEqual(3);
    for (const r of rows) expect(r.text_escape).toBe(ESCAPE.test(r.title) || ESCAPE.test(r.body));
    const probes = [...ZERO_WIDTH_CHARS, '\uF900', '\uFAFF', '\u{2F800}', '\u{2FA1F}', '&#', '&', '\u4E00', 'a'];
    const [source] = await db.query(`SELECT id FROM sources LIMIT 1`);
    const ids: number[] = [];
    try {
      for (const [i, ch] of probes.entries()) {
        const [p] = await db.query(
          `INSERT INTO posts (source_id, external_id, url, title, body, content_hash) VALUES ($1, $2, 'http://forum.invalid/e', '', $3, 'x') RETURNING id, text_escape`,
          [source.id, `escape-${i}`, `物${ch}业`],
        );
        ids.push(p.id);
        expect(p.text_escape).toBe(ESCAPE.test(ch));
        const [[u]] = await db.query(`UPDATE posts SET body = '物业', title = $2 WHERE id = $1 RETURNING text_escape`, [p.id, `标题${ch}`]);
        expect(u.text_escape).toBe(ESCAPE.test(ch));
      }
    } finally {
      await db.query(`DELETE FROM posts WHERE id = ANY($1::int[])`, [ids]);
    }
  });

  it('finds terms behind traditional characters, full width, zero-width characters, entities and markup', async () => {
    const res = await dryRuns.run({ kind: 'expression', definition: { expression: '物业 & (乱收费|不作为)' }, from, to, sampleSize: 20 });
    expect(res.matched).toBe(5);
    expect(res.fullScan).toBe(false);
    const noise = await dryRuns.run({ kind: 'expression', definition: { expression: '噪音 & 扰民' }, from, to });
    expect(noise.matched).toBe(1);
  });

  it('gives the unfiltered answer for random rules (the SQL condition is what the property test checks)', async () => {
    const terms = ['物业', '電梯', '坏了', '不作为', '噪音', 'app', 'wifi', '凌晨', '面包', '招聘', '业委会', '如'];
    const term = fc.record({ t: fc.constantFrom(...terms), scope: fc.constantFrom('', '', 'title:', 'body:') }).map(({ t, scope }) => `${scope}${t}`);
    const { expr } = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small' },
        term,
        term,
        fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a} & ${b})`),
        fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a} | ${b})`),
        tie('expr').map((a) => `!${a}`),
        fc.tuple(fc.constantFrom(...terms), fc.constantFrom(...terms), fc.integer({ min: 0, max: 6 })).map(([a, b, d]) => `NEAR(${a}, ${b}, ${d})`),
        fc.constantFrom('category:物业纠纷', 'heat>=45.5', 'heat<20', 'heat=27.3', '/\\d号楼/', '/物.|電梯/', '/[0-9]楼|凌晨/', 'area:dry', '!area:dry'),
      ),
    }));
    await fc.assert(
      fc.asyncProperty(expr, async (expression) => {
        const body = { kind: 'expression', definition: { expression }, from, to, sampleSize: 2 };
        expect(comparable(await dryRuns.run(body, { batchSize: 2 }))).toEqual(comparable(await dryRuns.run(body, { prefilter: false })));
      }),
      { numRuns: 60 },
    );
  });

  it('answers over HTTP with candidates, and says when a rule makes it read every post', async () => {
    const res = await operator.post('/rules/dry-run', { kind: 'expression', definition: { expression: '电梯 & 不作为' }, from, to });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scanned: POSTS.length - 1, fullScan: false, verdicts: { confirmed: 1, dismissed: 1 }, precision: 0.5 });
    expect(res.body.candidates).toBeLessThan(res.body.scanned);
    expect(res.body.note).toBeUndefined();
    const regex = await operator.post('/rules/dry-run', { kind: 'expression', definition: { expression: '!招聘 & /\\d号楼/' }, from, to });
    expect(regex.status).toBe(200);
    expect(regex.body).toMatchObject({ fullScan: false, matched: 1 });
    expect(regex.body.candidates).toBeLessThan(regex.body.scanned);
    // Category, heat and area alone are decided in SQL: nothing is loaded but the sample.
    const meta = await operator.post('/rules/dry-run', { kind: 'expression', definition: { expression: 'area:dry & heat>=9' }, from, to, sampleSize: 0 });
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ fullScan: false, evaluated: 0 });
    expect(meta.body.decidedInSql).toBe(meta.body.matched);
    expect(meta.body.matched).toBeGreaterThan(0);
    const all = await operator.post('/rules/dry-run', { kind: 'expression', definition: { expression: '/./' }, from, to });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ fullScan: true, candidates: POSTS.length - 1 });
    expect(all.body.note).toContain('全部帖子');
  });
});
