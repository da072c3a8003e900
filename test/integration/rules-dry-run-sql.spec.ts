import { DataSource } from 'typeorm';
import { RuleDryRunService } from '../../src/rules/rule-dry-run.service';
import type { RunningService } from '../../src/service';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * What Postgres decides in the dry-run's scan (regexes over the raw title and body: the necessary condition with every
 * disguise the normaliser undoes, the sufficient one only where raw and normalised text agree) against the exact
 * evaluation of every post in Node, on texts where the two regex engines and the raw and normalised texts differ:
 * full width, traditional characters, upper case, the Kelvin sign, a dotted capital I, the long s, newlines (the
 * title/body separator), emoji (astral characters), markup, entities and zero-width characters.
 */
describe('rule dry-run: conditions decided in SQL', () => {
  let env: TestEnv;
  let service: RunningService;
  let db: DataSource;
  let dryRuns: RuleDryRunService;
  const from = '2025-06-01T00:00:00Z';
  const to = '2025-07-01T00:00:00Z';

  const POSTS: [string, string][] = [
    ['型号abc1', '电梯2024年修过'],
    ['型号ABC1', '２０２４年電梯壞了'],
    ['ａｂｃ１２３', '物業不作為，2023年起'],
    ['2023', '年初物业换了'],
    ['说明', 'abc\n1 与 ab1'],
    ['😀abc1😀', 'abc😀1，招聘保安 1999年'],
    ['标记', '<b>abc</b>1 和 <i>2022</i>年'],
    ['实体', 'abc&#49; 与 &#x32;021年 &amp; xyz9'],
    ['零宽', 'ab\u200Bc1 与 20\u200B20年'],
    ['开尔文', '\u212Aab1 与 \u0130ab2 与 \u017Fab3'],
    ['业委会', '电业局 电梯 物业 電業'],
    ['Wi-Fi', 'KTV噪音 123号楼 4567'],
    ['期间外', 'abc1 2024年'],
  ];

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'api' });
    db = service.app.get(DataSource);
    dryRuns = service.app.get(RuleDryRunService);
    const [area] = await db.query(`INSERT INTO areas (code, name, level, path) VALUES ('sql', '预筛社区', 'community', '/') RETURNING id`);
    await db.query(`UPDATE areas SET path = '/' || id || '/' WHERE id = $1`, [area.id]);
    const [source] = await db.query(`INSERT INTO sources (code, name, kind, url, interval_seconds, enabled) VALUES ('sql', '论坛', 'rss', 'http://forum.invalid/rss', 3600, false) RETURNING id`);
    const [rule] = await db.query(`INSERT INTO rules (code, name, kind, definition, level) VALUES ('sql', '规则', 'keyword', '{"all":[["物业"]]}', 'yellow') RETURNING id`);
    for (const [i, [title, body]] of POSTS.entries()) {
      const at = i === POSTS.length - 1 ? '2025-08-02T00:00:00Z' : `2025-06-${String(i + 2).padStart(2, '0')}T08:00:00Z`;
      const [p] = await db.query(
        `INSERT INTO posts (source_id, external_id, url, title, body, published_at, content_hash) VALUES ($1, $2, 'http://forum.invalid/' || $2, $3, $4, $5, md5($2)) RETURNING id, content_hash`,
        [source.id, `s${i}`, title, body, at],
      );
      // Two analyses for some posts: the latest (highest id) counts.
      if (i % 3 === 0) await db.query(`INSERT INTO analyses (post_id, content_hash, pipeline_version, area_id, heat_score) VALUES ($1, 'old', 1, NULL, 99)`, [p.id]);
      await db.query(`INSERT INTO analyses (post_id, content_hash, pipeline_version, area_id, domain, dispute_type, heat_score) VALUES ($1, $2, 1, $3, '物业管理', '物业纠纷', $4)`, [
        p.id,
        p.content_hash,
        i % 4 === 3 ? null : area.id,
        i * 7.5,
      ]);
      if (i < 4) {
        const [c] = await db.query(`INSERT INTO cases (number, area_id, rule_id, level, status, version, closed_at) VALUES ($1, $2, $3, 'yellow', $4, 1, now()) RETURNING id`, [
          `TF-SQL-${i}`,
          area.id,
          rule.id,
          i === 1 ? 'dismissed' : 'settled',
        ]);
        await db.query(`INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2)`, [c.id, p.id]);
      }
    }
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const comparable = ({ ms: _ms, candidates: _c, evaluated: _e, decidedInSql: _d, fullScan: _f, note: _n, ...rest }: Awaited<ReturnType<RuleDryRunService['run']>>) => rest;

  it.each([
    '/[a-z]{3}[0-9]/',
    '/[a-z]{3}[0-9]/i',
    '/[a-z]{3}[0-9]/iu',
    '/[A-Z]{2}\\d/i',
    '/[k-s]a/iu',
    '/\\d{4}年/ & !招聘',
    '/[0-9]{3}/ & !招聘',
    '/[物电][业梯]/',
    '/[业業]/ & !/[a-z]{3}[0-9]/',
    'body:/[a-c]{2}\\d/ | title:/\\d{4}/',
    '/[a-z]{3}[0-9]/ & heat>=20',
    '/[0-9]{4}年/ | area:sql',
    '/[a-c]\\n\\d/',
  ])('gives exactly the unfiltered answer: %s', async (expression) => {
    for (const sampleSize of [0, 2, 100]) {
      const body = { kind: 'expression', definition: { expression }, from, to, sampleSize };
      const slow = await dryRuns.run(body, { prefilter: false });
      // The areas of sure posts looked up one by one (few of them) and joined with every latest analysis (many).
      const joined = await dryRuns.run(body, { batchSize: 2, sureAreaLookup: 0 });
      expect(comparable(joined)).toEqual(comparable(slow));
      // The sufficient condition checked first (what the scan does when a sample says most posts surely match).
      const sureFirst = await dryRuns.run(body, { batchSize: 2, sureFirst: true });
      expect(comparable(sureFirst)).toEqual(comparable(slow));
      const fast = await dryRuns.run(body, { batchSize: 2 });
      expect(comparable(fast)).toEqual(comparable(slow));
      expect([sureFirst.candidates, sureFirst.decidedInSql]).toEqual([fast.candidates, fast.decidedInSql]);
      expect(slow.scanned).toBe(POSTS.length - 1);
      expect(fast.candidates).toBeLessThanOrEqual(slow.candidates);
    }
  });

  it('prefilters a regex of classes alone in SQL instead of reading every post', async () => {
    const res = await dryRuns.run({ kind: 'expression', definition: { expression: '/[a-z]{3}[0-9]/' }, from, to, sampleSize: 0 });
    expect(res).toMatchObject({ fullScan: false, scanned: POSTS.length - 1 });
    expect(res.note).toBeUndefined();
    expect(res.candidates).toBeLessThan(res.scanned);
    // The lower-case post without markup is decided in SQL; the disguised ones are evaluated.
    expect(res.decidedInSql).toBeGreaterThan(0);
    expect(res.evaluated).toBeGreaterThan(0);
    expect(res.matched).toBeGreaterThan(res.decidedInSql);
  });
});
