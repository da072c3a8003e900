/**
 * Fills a bench database directly (SQL, no pipeline) with a history: posts from the evaluation texts
 * with their analyses, and cases over the bench district, open and closed, assigned to the district's
 * workers, each holding some of the posts, with their timeline entries. For the API benchmark, which
 * needs a realistic volume behind its queries, not the minutes the pipeline would take to make it.
 */
import type { Client } from 'pg';
import { PIPELINE_VERSION } from '../../src/analysis/analysis.service';
import { contentHash } from '../../src/posts/content-hash';
import type { BenchDistrict, EvalText } from './bench-env';
import { seededRandom } from '../../src/analysis/classifier/linear-classifier';

const DAY = 86_400_000;


export async function seedHistory(db: Client, district: BenchDistrict, texts: readonly EvalText[], opts: { posts: number; cases: number; days: number }): Promise<void> {
  const rnd = seededRandom(42);
  const now = Date.now();
  const [{ id: sourceId }] = (
    await db.query(
      `INSERT INTO sources (code, name, kind, url, enabled, interval_seconds, default_area_id)
       VALUES ('bench-history', 'bench history', 'json', 'http://127.0.0.1:9/history.json', false, 600, $1) RETURNING id`,
      [district.rootId],
    )
  ).rows as { id: number }[];
  const rules = (await db.query(`SELECT id, category, level FROM rules WHERE role = 'warning' ORDER BY id`)).rows as { id: number; category: string; level: string }[];
  const areaIds = district.communities.map((c) => c.id);
  const workerOf = new Map(district.users.filter((u) => u.role === 'worker').map((u) => [u.areaId, u.id]));

  // Posts, 10,000 a statement, spread over the period.
  const postIds: number[] = [];
  const postTimes: number[] = [];
  for (let start = 0; start < opts.posts; start += 10_000) {
    const rows = [];
    for (let i = start; i < Math.min(opts.posts, start + 10_000); i++) {
      const text = texts[i % texts.length];
      const at = now - opts.days * DAY * (1 - i / opts.posts);
      rows.push({ e: `h${i}`, t: text.title, b: text.body, h: contentHash(text.title, text.body), at: new Date(at).toISOString() });
      postTimes.push(at);
    }
    const ids = (
      await db.query(
        `INSERT INTO posts (source_id, external_id, url, title, body, content_hash, published_at, fetched_at)
         SELECT $1, e, 'http://127.0.0.1:9/t/' || e, t, b, h, at, at FROM jsonb_to_recordset($2::jsonb) AS r(e text, t text, b text, h text, at timestamptz)
         RETURNING id`,
        [sourceId, JSON.stringify(rows)],
      )
    ).rows as { id: number }[];
    postIds.push(...ids.map((r) => r.id));
  }
  await db.query(
    `INSERT INTO analyses (post_id, content_hash, pipeline_version, area_id, area_confidence, category, domain, warning_level, analyzed_at)
     SELECT p.id, p.content_hash, $1, ($2::int[])[1 + (p.id % array_length($2::int[], 1))], 0.8, '物业纠纷', '城乡建设', 'blue', p.fetched_at FROM posts p`,
    [PIPELINE_VERSION, areaIds],
  );

  // Cases: at most one open case per area and rule (the partial unique index), the rest closed.
  const pairs = areaIds.flatMap((areaId) => rules.map((rule) => ({ areaId, rule })));
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  const openStatuses = ['new', 'assigned', 'assigned', 'acknowledged', 'in_contact', 'responded', 'escalated'];
  const openCount = Math.min(Math.floor(opts.cases * 0.3), pairs.length);
  const cases = [];
  for (let i = 0; i < opts.cases; i++) {
    const open = i < openCount;
    const { areaId, rule } = open ? pairs[i] : pairs[Math.floor(rnd() * pairs.length)];
    const openedAt = now - rnd() * opts.days * DAY;
    const status = open ? openStatuses[Math.floor(rnd() * openStatuses.length)] : rnd() < 0.85 ? 'settled' : 'dismissed';
    const assignee = status === 'new' ? null : (workerOf.get(areaId) ?? null);
    const closedAt = open ? null : Math.min(now, openedAt + rnd() * 20 * DAY);
    cases.push({
      number: `TF-BENCH-${String(i + 1).padStart(6, '0')}`,
      area_id: areaId,
      rule_id: rule.id,
      category: rule.category,
      level: rule.level,
      status: assignee === null && status !== 'new' && open ? 'new' : status,
      assignee_id: assignee,
      opened_at: new Date(openedAt).toISOString(),
      assigned_at: assignee === null ? null : new Date(openedAt + 60_000).toISOString(),
      closed_at: closedAt === null ? null : new Date(closedAt).toISOString(),
      outcome: status === 'settled' ? (rnd() < 0.8 ? 'settled' : 'partly_settled') : null,
      due_settle_at: new Date(openedAt + 15 * DAY).toISOString(),
    });
  }
  const caseIds = (
    await db.query(
      `INSERT INTO cases (number, area_id, rule_id, category, level, status, assignee_id, opened_at, assigned_at, closed_at, outcome, due_settle_at, version)
       SELECT number, area_id, rule_id, category, level, status, assignee_id, opened_at, assigned_at, closed_at, outcome, due_settle_at, 1
         FROM jsonb_to_recordset($1::jsonb) AS r(number text, area_id int, rule_id int, category text, level text, status text, assignee_id int,
              opened_at timestamptz, assigned_at timestamptz, closed_at timestamptz, outcome text, due_settle_at timestamptz)
       RETURNING id`,
      [JSON.stringify(cases)],
    )
  ).rows.map((r: { id: number }) => r.id);
  // Every post belongs to one case (post i to case i mod cases); timeline: created, then assigned.
  await db.query(
    `INSERT INTO case_posts (case_id, post_id, attached_at)
     SELECT c[1 + ((row_number() OVER (ORDER BY p.id))::int % array_length(c, 1))], p.id, p.fetched_at FROM posts p, (SELECT $1::int[] AS c) x`,
    [caseIds],
  );
  await db.query(`UPDATE cases c SET post_count = n FROM (SELECT case_id, count(*)::int AS n FROM case_posts GROUP BY case_id) x WHERE x.case_id = c.id`);
  await db.query(
    `INSERT INTO case_events (case_id, type, data, at) SELECT id, 'created', jsonb_build_object('ruleId', rule_id, 'areaId', area_id), opened_at FROM cases
     UNION ALL SELECT id, 'assigned', jsonb_build_object('assigneeId', assignee_id), assigned_at FROM cases WHERE assigned_at IS NOT NULL`,
  );
  await db.query(`ANALYZE`);
  void postTimes;
}
