/**
 * `npm run bench:dry-run`: the rule dry-run (POST /rules/dry-run, what operators use while typing a rule) over
 * 1,000,000 stored posts spread over a year, timed over HTTP against the started API.
 *
 * Generates its own database (tingfeng_bench_dryrun, migrated with the project's migrations): posts whose titles and
 * bodies are stitched at random from clauses of the unlabeled evaluation messages (read at run time from
 * ../shared/eval/messages.unlabeled.jsonl beside the clone or --messages=…, never copied into the repository), one analysis per post
 * (area, category, heat), and cases with workers' verdicts (settled = confirmed, dismissed). Generation takes a few
 * minutes; --keep keeps the database and a later run reuses it when it holds the requested number of posts.
 *
 * Prints, per rule: posts scanned, candidates that passed the SQL prefilter, matches, would-open cases, precision and
 * the response time (best and median of --runs), and a NOT MET line for each rule whose median is 10 s or
 * more (the exit code stays 0 then, so `npm run bench` goes on to the other benchmarks; 1 only when the run itself fails).
 * Options: --posts=1000000 --runs=3 --keep --generate-only --only=1,3 (rules by number) --db=tingfeng_bench_dryrun
 * --messages=path
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { UsersService } from '../../src/auth/users.service';
import { loadConfig, projectRoot } from '../../src/config/config.loader';
import { runMigrations } from '../../src/database/migrate';
import { RunningService, startService } from '../../src/service';
import { Api } from '../support/http';
import { adminQuery, dbUrl, REDIS_URL } from '../support/postgres';
import { deleteRedisKeys } from '../support/test-env';

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const POSTS = Number(option('posts') ?? 1_000_000);
const RUNS = Number(option('runs') ?? 3);
const KEEP = flag('keep') || flag('generate-only');
const DATABASE = option('db') ?? 'tingfeng_bench_dryrun';
const MESSAGES = option('messages') ?? join(projectRoot(), '..', 'shared', 'eval', 'messages.unlabeled.jsonl');
const YEAR_START = '2025-01-01T00:00:00Z';
const YEAR_END = '2026-01-01T00:00:00Z';
const PASSWORD = 'bench-password-123';

const DOMAINS = ['物业管理', '邻里关系', '市政设施', '环境卫生', '治安消防', '劳动就业'];
const DISPUTES = ['物业纠纷', '噪音扰民', '停车纠纷', '违章搭建', '拖欠工资', '垃圾清运'];

/** The rules timed (a rule that gives the dry-run no condition at all makes it load every post: timed once). */
const ONLY = option('only');
const RULES_ALL: { name: string; kind: 'keyword' | 'expression'; definition: unknown }[] = [
  { name: 'expression, two synonym groups and an exclusion', kind: 'expression', definition: { expression: '(物业|业委会) & (乱收费|不作为) & !招聘' } },
  { name: 'keyword rule', kind: 'keyword', definition: { all: [['电梯'], ['故障', '坏了', '困人']], none: ['广告'] } },
  { name: 'NEAR (segmenter on candidates)', kind: 'expression', definition: { expression: 'NEAR(噪音, (晚上|凌晨), 8)' } },
  { name: 'title scope and a Latin term', kind: 'expression', definition: { expression: 'title:(停车|车位) & (收费|"APP")' } },
  { name: 'frequent term (物业)', kind: 'expression', definition: { expression: '物业' } },
  { name: 'no term: category and heat (decided in SQL)', kind: 'expression', definition: { expression: 'category:物业纠纷 & heat>=60' } },
  { name: 'no term: negation and heat', kind: 'expression', definition: { expression: '!招聘 & heat>=95' } },
  { name: 'no term: area subtree, heat (decided in SQL)', kind: 'expression', definition: { expression: 'area:bench-s1 & heat>=20' } },
  { name: 'no term: heat alone, 80% of posts (SQL)', kind: 'expression', definition: { expression: 'heat>=20' } },
  { name: 'regex: \\d{4}年 (half the posts) and a negation', kind: 'expression', definition: { expression: '!招聘 & /\\d{4}年/' } },
  { name: 'regex: \\d+号楼', kind: 'expression', definition: { expression: '/\\d+号楼/' } },
  { name: 'regex with an unstable literal (坏)', kind: 'expression', definition: { expression: '/电梯.{0,4}坏/' } },
  { name: 'regex: [0-9]{3} (76% of posts) and a negation', kind: 'expression', definition: { expression: '/[0-9]{3}/ & !招聘' } },
  { name: 'regex of classes only: [a-z]{3}[0-9]', kind: 'expression', definition: { expression: '/[a-z]{3}[0-9]/' } },
];
const RULES = ONLY ? RULES_ALL.filter((_, i) => ONLY.split(',').includes(String(i + 1))) : RULES_ALL;

/** Clauses of the messages, cut at sentence and clause punctuation (kept with the clause). */
function fragments(): string[] {
  const out = new Set<string>();
  for (const line of readFileSync(MESSAGES, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const m = JSON.parse(line) as { title?: string; body?: string };
    for (const part of `${m.title ?? ''}。${m.body ?? ''}`.split(/(?<=[。！？!?；;，,\n])/)) {
      const t = part.trim();
      if (t.length >= 4 && t.length <= 80) out.add(t);
    }
  }
  return [...out];
}

async function generate(db: Client): Promise<void> {
  const t0 = performance.now();
  const clauses = fragments();
  const messagesBody = readFileSync(MESSAGES, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => ((JSON.parse(l) as { body?: string }).body ?? '').length);
  const meanBody = messagesBody.reduce((s, n) => s + n, 0) / messagesBody.length;
  const meanClause = clauses.reduce((s, c) => s + c.length, 0) / clauses.length;
  // As many clauses per body as make the mean body as long as a real message's.
  const perBody = Math.max(2, Math.round(meanBody / meanClause));
  console.log(`generating ${POSTS.toLocaleString('en')} posts from ${clauses.length} clauses (${perBody} ± ${Math.ceil(perBody / 2)} clauses per body, messages' mean body ${meanBody.toFixed(0)} chars)`);
  await db.query(`SELECT setseed(0.42)`);
  await db.query(`CREATE UNLOGGED TABLE bench_clauses (i serial PRIMARY KEY, t text NOT NULL)`);
  await db.query(`INSERT INTO bench_clauses (t) SELECT unnest($1::text[])`, [clauses]);
  await db.query(`ANALYZE bench_clauses`);

  // A district, 6 streets, 8 communities each.
  const [district] = (await db.query(`INSERT INTO areas (code, name, level, path) VALUES ('bench', '基准区', 'district', '/') RETURNING id`)).rows;
  await db.query(`UPDATE areas SET path = '/' || id || '/' WHERE id = $1`, [district.id]);
  for (let s = 1; s <= 6; s++) {
    const [street] = (await db.query(`INSERT INTO areas (code, name, level, parent_id, path) VALUES ($1, $2, 'street', $3, '/') RETURNING id`, [`bench-s${s}`, `基准街道${s}`, district.id])).rows;
    await db.query(`UPDATE areas SET path = '/' || $2::int || '/' || id || '/' WHERE id = $1`, [street.id, district.id]);
    for (let c = 1; c <= 8; c++) {
      await db.query(`INSERT INTO areas (code, name, level, parent_id, path) VALUES ($1, $2, 'community', $3, $4)`, [`bench-s${s}c${c}`, `基准社区${s}-${c}`, street.id, `/${district.id}/${street.id}/`]);
      await db.query(`UPDATE areas SET path = path || id || '/' WHERE code = $1`, [`bench-s${s}c${c}`]);
    }
  }
  const [source] = (await db.query(`INSERT INTO sources (code, name, kind, url, interval_seconds, enabled) VALUES ('bench', '基准论坛', 'rss', 'http://forum.invalid/rss', 3600, false) RETURNING id`)).rows;

  // Posts in chunks, two connections at a time (generation is CPU-bound in Postgres).
  const chunk = 100_000;
  const insertChunk = async (client: Client, from: number, to: number) => {
    // Random numbers are drawn in the select lists (a LATERAL subquery without outer reference runs only once).
    await client.query(
      `INSERT INTO posts (source_id, external_id, url, title, body, author, published_at, fetched_at, content_hash)
       SELECT $1, 'b' || g, 'http://forum.invalid/t/' || g,
              rtrim((SELECT t FROM bench_clauses WHERE i = s.ti), '。，,；;！!？? '),
              array_to_string(ARRAY(SELECT t FROM bench_clauses WHERE i = ANY (ARRAY(
                SELECT 1 + (random() * ($8::int - 1))::int FROM generate_series(1, greatest(2, $4::int - $5::int + (random() * 2 * $5::int)::int + g * 0))))), ''),
              '网友' || (g % 50000), at, at + interval '5 minutes', md5(g::text)
         FROM (SELECT g, $6::timestamptz + random() * ($7::timestamptz - $6::timestamptz) AS at, 1 + (random() * ($8::int - 1))::int AS ti FROM generate_series($2::int, $3::int) g) s`,
      [source.id, from, to, perBody, Math.ceil(perBody / 2), YEAR_START, YEAR_END, clauses.length],
    );
  };
  const second = new Client({ connectionString: dbUrl(DATABASE) });
  await second.connect();
  try {
    await second.query(`SELECT setseed(0.24)`);
    const ranges: [number, number][] = [];
    for (let from = 1; from <= POSTS; from += chunk) ranges.push([from, Math.min(POSTS, from + chunk - 1)]);
    const clients = [db, second];
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (next < ranges.length) {
          const [from, to] = ranges[next++];
          await insertChunk(client, from, to);
          process.stdout.write(`  posts ${to.toLocaleString('en')}\r`);
        }
      }),
    );
  } finally {
    await second.end();
  }
  console.log(`  posts stored in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  // One analysis per post: a community, a domain and dispute type, a heat score.
  await db.query(
    `WITH a AS (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM areas WHERE level = 'community')
     INSERT INTO analyses (post_id, content_hash, pipeline_version, area_id, area_confidence, category, domain, dispute_type, heat_score, warning_level)
     SELECT id, content_hash, 1, area_id, 0.8, dispute, domain, dispute, heat,
            CASE WHEN heat >= 80 THEN 'red' WHEN heat >= 60 THEN 'orange' WHEN heat >= 40 THEN 'yellow' ELSE 'blue' END
       FROM (SELECT p.id, p.content_hash, a.ids[1 + (random() * (a.n - 1))::int] AS area_id,
                    ($1::text[])[1 + (random() * 5)::int] AS domain, ($2::text[])[1 + (random() * 5)::int] AS dispute,
                    round((random() * 100)::numeric, 1)::real AS heat
               FROM posts p, a) x`,
    [DOMAINS, DISPUTES],
  );
  // Cases with verdicts: 3,000 closed cases of one to three posts each, two thirds settled (confirmed).
  const [rule] = (await db.query(`INSERT INTO rules (code, name, kind, definition, level) VALUES ('bench', '基准规则', 'expression', '{"expression":"物业"}', 'yellow') RETURNING id`)).rows;
  await db.query(
    `INSERT INTO cases (number, area_id, rule_id, level, status, version, opened_at, closed_at)
     SELECT 'TF-BENCH-' || lpad(g::text, 6, '0'), (SELECT id FROM areas WHERE level = 'community' ORDER BY id OFFSET g % 48 LIMIT 1), $1, 'yellow',
            CASE WHEN g % 3 = 0 THEN 'dismissed' ELSE 'settled' END, 1, $2::timestamptz + (g % 365) * interval '1 day', $2::timestamptz + (g % 365 + 3) * interval '1 day'
       FROM generate_series(1, 3000) g`,
    [rule.id, YEAR_START],
  );
  await db.query(
    `INSERT INTO case_posts (case_id, post_id)
     SELECT DISTINCT c.id, 1 + ((c.id * 7919 + k * 104729) % $1)
       FROM cases c, generate_series(0, 2) k WHERE k <= c.id % 3`,
    [POSTS],
  );
  await db.query(`DROP TABLE bench_clauses`);
  await db.query(`VACUUM ANALYZE posts, analyses, cases, case_posts, areas`);
  const [size] = (await db.query(`SELECT pg_size_pretty(pg_total_relation_size('posts')) AS posts, pg_size_pretty(pg_total_relation_size('analyses')) AS analyses`)).rows;
  console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(0)} s: posts ${size.posts}, analyses ${size.analyses}`);
}

async function main(): Promise<void> {
  const exists = (await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_database WHERE datname = '${DATABASE}'`))[0].n > 0;
  let reuse = false;
  if (exists) {
    const probe = new Client({ connectionString: dbUrl(DATABASE) });
    await probe.connect();
    try {
      const rows = (await probe.query(`SELECT count(*)::int AS n FROM posts`).catch(() => ({ rows: [{ n: -1 }] }))).rows;
      reuse = rows[0].n === POSTS;
    } finally {
      await probe.end();
    }
    if (!reuse) await adminQuery(`DROP DATABASE ${DATABASE} WITH (FORCE)`);
  }
  if (!reuse) {
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    await runMigrations(dbUrl(DATABASE));
    const db = new Client({ connectionString: dbUrl(DATABASE) });
    await db.connect();
    try {
      await generate(db);
    } finally {
      await db.end();
    }
  } else {
    await runMigrations(dbUrl(DATABASE));
    console.log(`reusing ${DATABASE} (${POSTS.toLocaleString('en')} posts)`);
  }

  if (flag('generate-only')) return;
  const prefix = `tfbench-dryrun-${randomBytes(4).toString('hex')}`;
  let service: RunningService | undefined;
  const slow: string[] = [];
  try {
    const config = loadConfig(
      { port: 0, role: 'api', logLevel: 'error', databaseUrl: dbUrl(DATABASE), redisUrl: REDIS_URL, queue: { prefix } },
      { AUTH_SECRET: randomBytes(32).toString('hex') },
      [],
    );
    service = await startService(config, { host: '127.0.0.1' });
    await service.app.get(UsersService).upsert({ username: 'bench-operator', displayName: '基准操作员', role: 'operator', scope: [], password: PASSWORD });
    const api = await new Api(service.url!).login('bench-operator', PASSWORD);
    const cpu = cpus();
    console.log(`machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}`);
    console.log(`dry-run over ${POSTS.toLocaleString('en')} stored posts (${YEAR_START.slice(0, 10)} .. ${YEAR_END.slice(0, 10)}), POST /rules/dry-run, ${RUNS} runs each:`);
    for (const rule of RULES) {
      const times: number[] = [];
      let body: Record<string, unknown> = {};
      for (let r = 0; r < (times.length && body.fullScan ? 1 : RUNS); r++) {
        const t0 = performance.now();
        const res = await api.post('/rules/dry-run', { kind: rule.kind, definition: rule.definition, from: YEAR_START, to: YEAR_END, sampleSize: 100 });
        times.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`dry-run ${rule.name}: ${res.status} ${JSON.stringify(res.body)}`);
        body = res.body;
      }
      times.sort((a, b) => a - b);
      const best = times[0] / 1000;
      const median = times[Math.floor(times.length / 2)] / 1000;
      const scan = body.fullScan ? 'full scan' : 'prefiltered';
      const share = `${((100 * Number(body.candidates)) / Number(body.scanned)).toFixed(1)}%`;
      const split = `evaluated ${String(body.evaluated).padStart(7)}  in SQL ${String(body.decidedInSql).padStart(7)}`;
      console.log(
        `  ${rule.name.padEnd(50)} ${scan.padEnd(11)} scanned ${String(body.scanned).padStart(9)}  candidates ${String(body.candidates).padStart(8)} (${share.padStart(6)})  ${split}  matched ${String(body.matched).padStart(7)}  ` +
          `cases ${String((body.wouldOpenCases as unknown[]).length).padStart(3)}  precision ${String(body.precision).padEnd(5)}  best ${best.toFixed(2)} s  median ${median.toFixed(2)} s`,
      );
      if (median >= 10) slow.push(`${rule.name} (${median.toFixed(2)} s)`);
    }
  } finally {
    await service?.close();
    await deleteRedisKeys(`${prefix}:*`);
    if (!KEEP) await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    else console.log(`kept database ${DATABASE} (--keep); run again to reuse it`);
  }
  console.log(slow.length ? `target < 10 s per rule: NOT met for ${slow.join(', ')}` : 'target < 10 s per rule: met');
  process.exit(0);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
