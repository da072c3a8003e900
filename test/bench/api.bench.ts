/**
 * `npm run bench:api`: the API under load. A database holding 100,000 posts (the evaluation texts,
 * read at run time) and 5,000 cases over the bench district; one API process (`main.js --role=api`);
 * autocannon with 200 connections, each with its own user's token, for each scenario:
 *   inbox      GET /cases?mine=true           workers (their own cases)
 *   cases      GET /cases                     supervisors (their district's cases)
 *   settlement GET /reports/settlement        officials (the district dashboard)
 *   mixed      all three at once (worker, supervisor and official connections)
 * Each scenario runs twice: paced (every user sends --user-rate requests a second, as people click) and
 * saturated (every connection sends back to back: the throughput ceiling, where latency is queueing).
 * Prints p50/p95/p99 latency, requests per second, errors (non-2xx and socket errors), and the CPU
 * time the API process and its Postgres backends spent per request (less sensitive than latency to
 * other load on the machine) per scenario, and the machine. Target: p95 < 100 ms (paced).
 *
 * Options: --posts=100000 --cases=5000 --connections=200 --seconds=15 --user-rate=1
 *          --scenarios=inbox,cases,settlement,mixed (a subset, while developing)
 */
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { Client } from 'pg';
import { cpuSeconds, createBenchEnv, databaseCpuSeconds, describeMachine, evalTexts, option, percentile, rssMiB, seedBenchDistrict } from '../support/bench-env';
import { seedHistory } from '../support/bench-seed';

/** The part of autocannon (no type definitions shipped) this benchmark uses. */
interface CannonClient {
  setRequests(requests: { method: string; path: string; headers: Record<string, string> }[]): void;
  on(event: 'response', listener: (status: number, bytes: number, ms: number) => void): void;
}
interface CannonResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = require('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  connectionRate?: number;
  setupClient(client: CannonClient): void;
}) => Promise<CannonResult>;

interface Scenario {
  name: string;
  /** One entry per connection: its path and token. */
  clients: { path: string; token: string }[];
}

async function main(): Promise<void> {
  const posts = option('posts', 100_000);
  const casesWanted = option('cases', 5_000);
  const connections = option('connections', 200);
  const seconds = option('seconds', 15);
  // Requests per second per user in the paced run (a person clicking, not a load generator's loop).
  const userRate = option('user-rate', 1);
  console.log(`machine: ${await describeMachine()}`);
  const env = await createBenchEnv();
  try {
    const texts = evalTexts();
    const seeder = await env.startApi();
    const district = await seedBenchDistrict(seeder.app, env, texts);
    // Dashboards have few users in real life; for 200 distinct tokens there are extra officials and supervisors.
    const hash = (await env.db.query(`SELECT password_hash FROM users LIMIT 1`)).rows[0].password_hash as string;
    const extra = (
      await env.db.query(
        `INSERT INTO users (username, display_name, role, password_hash, scope_area_ids)
         SELECT 'bench-' || r || '-x' || i, 'bench', r, $1, CASE WHEN r = 'official' THEN ARRAY[$2::int] ELSE ARRAY[($3::int[])[1 + i % array_length($3::int[], 1)]] END
           FROM generate_series(1, $4::int) i, unnest(ARRAY['official', 'supervisor']) r
         RETURNING id, role, scope_area_ids`,
        [hash, district.rootId, district.districts.map((d) => d.id), connections],
      )
    ).rows as { id: number; role: string; scope_area_ids: number[] }[];
    const t0 = Date.now();
    await seedHistory(env.db, district, texts, { posts, cases: casesWanted, days: 180 });
    const [counts] = (await env.db.query(`SELECT (SELECT count(*)::int FROM posts) AS posts, (SELECT count(*)::int FROM cases) AS cases`)).rows;
    console.log(`seeded ${counts.posts} posts and ${counts.cases} cases over ${district.communities.length} compounds in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

    // A session per user and an access token signed like a login's (a login per user would spend minutes in argon2).
    const jwt = seeder.app.get(JwtService);
    const users = [
      ...district.users.map((u) => ({ id: u.id, role: u.role as string, scope: [u.areaId] })),
      ...extra.map((u) => ({ id: u.id, role: u.role, scope: u.scope_area_ids })),
    ];
    const tokens = new Map<number, string>();
    const sessions = users.map((u) => ({ id: randomUUID(), user_id: u.id }));
    await env.db.query(
      `INSERT INTO auth_sessions (id, user_id, refresh_hash, expires_at)
       SELECT id, user_id, md5(id::text), now() + interval '1 day' FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, user_id int)`,
      [JSON.stringify(sessions)],
    );
    for (const [i, u] of users.entries()) {
      tokens.set(u.id, await jwt.signAsync({ sub: u.id, sid: sessions[i].id, username: `u${u.id}`, role: u.role, scope: u.scope }));
    }
    await seeder.close();

    const api = await env.spawnApi();
    const byRole = (role: string) => users.filter((u) => u.role === role);
    const pick = <T>(list: T[], i: number) => list[i % list.length];
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const inbox = (i: number) => ({ path: '/cases?mine=true', token: tokens.get(pick(byRole('worker'), i).id)! });
    const cases = (i: number) => ({ path: '/cases', token: tokens.get(pick(byRole('supervisor'), i).id)! });
    const settlement = (i: number) => ({ path: `/reports/settlement?from=${day(90)}&to=${day(-1)}&level=street`, token: tokens.get(pick(byRole('official'), i).id)! });
    const scenarios: Scenario[] = [
      { name: 'inbox (workers, GET /cases?mine=true)', clients: Array.from({ length: connections }, (_, i) => inbox(i)) },
      { name: 'cases (supervisors, GET /cases)', clients: Array.from({ length: connections }, (_, i) => cases(i)) },
      { name: 'settlement (officials, GET /reports/settlement)', clients: Array.from({ length: connections }, (_, i) => settlement(i)) },
      { name: 'mixed (60 % inbox, 25 % cases, 15 % settlement)', clients: Array.from({ length: connections }, (_, i) => (i % 20 < 12 ? inbox(i) : i % 20 < 17 ? cases(i) : settlement(i))) },
    ];
    const only = process.argv.find((a) => a.startsWith('--scenarios='))?.split('=')[1]?.split(',');
    if (only) scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => only.includes(s.name.split(' ')[0])));
    const distinctTokens = new Set(scenarios.flatMap((s) => s.clients.map((c) => c.token))).size;
    console.log(`api: ${connections} connections per scenario, ${seconds} s each, ${distinctTokens} distinct users' tokens, one API process at ${api.url}`);
    let met = true;
    const print = (label: string, result: Awaited<ReturnType<typeof run>>) =>
      console.log(
        `  ${label}: ${result.requests} requests, ${(result.requests / seconds).toFixed(0)} req/s, ` +
          `p50 ${result.p50.toFixed(0)} ms, p95 ${result.p95.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, errors ${result.errors} ` +
          `(statuses ${result.statuses || 'none'}, socket errors/timeouts ${result.socketErrors}); API CPU ${result.cpuMsPerRequest.toFixed(2)} ms/request, Postgres CPU ${result.dbCpuMsPerRequest.toFixed(2)} ms/request, API rss ${rssMiB(api.process.pid!).toFixed(0)} MiB`,
      );
    console.log(`paced: ${connections} users, each sending ${userRate} request/s (offered ${connections * userRate} req/s)`);
    for (const scenario of scenarios) {
      // Warm up (sessions checked once, plans cached), then measure.
      await run(api.url, api.process.pid!, env.db, env.database, scenario, connections, 2, userRate);
      const result = await run(api.url, api.process.pid!, env.db, env.database, scenario, connections, seconds, userRate);
      met &&= result.p95 < 100 && result.errors === 0;
      print(scenario.name, result);
    }
    console.log(`  target p95 < 100 ms without errors (paced): ${met ? 'met' : 'NOT met'}`);
    console.log(`saturation: ${connections} connections sending back to back (no think time): the throughput ceiling`);
    for (const scenario of scenarios) print(scenario.name, await run(api.url, api.process.pid!, env.db, env.database, scenario, connections, seconds));
  } finally {
    await env.cleanup();
  }
  process.exit(0);
}

async function run(url: string, pid: number, db: Client, database: string, scenario: Scenario, connections: number, seconds: number, connectionRate?: number) {
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(pid);
  const dbBefore = await databaseCpuSeconds(db, database);
  const statuses = new Map<number, number>();
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    connectionRate,
    // Each connection sends its own user's request.
    setupClient: (client) => {
      const own = scenario.clients[next++ % scenario.clients.length];
      client.setRequests([{ method: 'GET', path: own.path, headers: { authorization: `Bearer ${own.token}`, accept: 'application/json' } }]);
      client.on('response', (status: number, _bytes: number, ms: number) => {
        latencies.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
    },
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  // The backends serving the API's connections (one opened during the run counts whole).
  const dbAfter = await databaseCpuSeconds(db, database);
  const dbCpu = [...dbAfter].reduce((sum, [backend, after]) => sum + after - (dbBefore.get(backend) ?? 0), 0);
  latencies.sort((a, b) => a - b);
  return {
    requests: result.requests.total,
    /** CPU (user + system) the API process spent per request: less sensitive to a loaded machine than latency. */
    cpuMsPerRequest: (cpu * 1000) / Math.max(1, result.requests.total),
    dbCpuMsPerRequest: (dbCpu * 1000) / Math.max(1, result.requests.total),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    non2xx: result.non2xx,
    socketErrors: result.errors + result.timeouts,
    errors: result.non2xx + result.errors + result.timeouts,
    statuses: [...statuses].map(([status, n]) => `${status}×${n}`).join(' '),
  };
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
