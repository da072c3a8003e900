/**
 * `npm run bench:api`: the API under load. A database holding 100,000 posts (the evaluation texts,
 * read at run time) and 5,000 cases over the bench district; one API process (`main.js --role=api`;
 * `--processes=N`: N copies under a supervisor); 200 connections, each with its own user's token,
 * for each scenario:
 *   inbox      GET /cases?mine=true           workers (their own cases)
 *   cases      GET /cases                     supervisors (their district's cases)
 *   settlement GET /reports/settlement        officials (the district dashboard)
 *   mixed      all three at once (worker, supervisor and official connections)
 * Each scenario runs three ways:
 *   users      (the target) 200 users clicking independently: each its own connection, requests at
 *              random moments averaging --user-rate a second (a Poisson process per user, see
 *              test/support/open-loop-load.ts), latency measured from when the request was due;
 *   burst      the same rate with every user in step: autocannon's connectionRate fires all 200
 *              connections in the same millisecond each second, so the last request waits for the
 *              199 before it (a worst case no group of people produces, reported beside);
 *   saturated  every connection sends back to back: the throughput ceiling, where latency is queueing.
 * Prints p50/p95/p99 latency, requests per second, errors (non-2xx and socket errors), and the CPU
 * time the API processes and their Postgres backends spent per request (less sensitive than latency
 * to other load on the machine) per scenario, and the machine. Target: p95 < 100 ms (users).
 *
 * Options: --posts=100000 --cases=5000 --connections=200 --seconds=15 --user-rate=1 --processes=1
 *          --scenarios=inbox,cases,settlement,mixed --modes=users,burst,saturated (subsets, while developing)
 *          --keep-db (leave the database for EXPLAIN; drop it by hand); BENCH_NODE_ARGS (e.g. --cpu-prof) for the API
 */
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { ChildProcess } from 'node:child_process';
import type { Client } from 'pg';
import { childPids, cpuSeconds, createBenchEnv, databaseCpuSeconds, describeMachine, evalTexts, option, percentile, rssMiB, seedBenchDistrict } from '../support/bench-env';
import { seedHistory } from '../support/bench-seed';
import { openLoopLoad } from '../support/open-loop-load';

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
  // API processes: 1 serves alone; more run under one supervisor (the `processes` setting).
  const processes = option('processes', 1);
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

    const api = await env.spawnApi({ TINGFENG_PROCESSES: String(processes) });
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
    console.log(`api: ${connections} connections per scenario, ${seconds} s each, ${distinctTokens} distinct users' tokens, ${processes === 1 ? 'one API process' : `${processes} API processes (processes: ${processes})`} at ${api.url}`);
    const modes = (process.argv.find((a) => a.startsWith('--modes='))?.split('=')[1] ?? 'users,burst,saturated').split(',');
    let met = true;
    const print = (label: string, result: Awaited<ReturnType<typeof measure>>) =>
      console.log(
        `  ${label}: ${result.requests} requests, ${(result.requests / seconds).toFixed(0)} req/s, ` +
          `p50 ${result.p50.toFixed(0)} ms, p95 ${result.p95.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, errors ${result.errors} ` +
          `(statuses ${result.statuses || 'none'}, socket errors/timeouts ${result.socketErrors}); API CPU ${result.cpuMsPerRequest.toFixed(2)} ms/request, Postgres CPU ${result.dbCpuMsPerRequest.toFixed(2)} ms/request, API rss ${[api.process.pid!, ...childPids(api.process.pid!)].reduce((sum, p) => sum + rssMiB(p), 0).toFixed(0)} MiB`,
      );
    const measureAll = async (mode: Mode) => {
      for (const scenario of scenarios) {
        // Warm up (sessions checked once, plans cached), then measure.
        await measure(api, env.db, env.database, scenario, mode, 2, userRate);
        const result = await measure(api, env.db, env.database, scenario, mode, seconds, userRate);
        if (mode === 'users') met &&= result.p95 < 100 && result.errors === 0;
        print(scenario.name, result);
      }
    };
    if (modes.includes('users')) {
      console.log(`users: ${connections} users clicking independently, each about ${userRate} request/s at random moments (offered ${connections * userRate} req/s)`);
      await measureAll('users');
      console.log(`  target p95 < 100 ms without errors (users): ${met ? 'met' : 'NOT met'}`);
    }
    if (modes.includes('burst')) {
      console.log(`burst: the same ${connections} users in step, all ${connections} requests in the same millisecond each second (a worst case, not the target)`);
      await measureAll('burst');
    }
    if (modes.includes('saturated')) {
      console.log(`saturated: ${connections} connections sending back to back (no think time): the throughput ceiling`);
      for (const scenario of scenarios) print(scenario.name, await measure(api, env.db, env.database, scenario, 'saturated', seconds, userRate));
    }
  } finally {
    await env.cleanup();
  }
  process.exit(0);
}

type Mode = 'users' | 'burst' | 'saturated';

/** The CPU seconds the API processes (a primary and its forked children, if any) have used. */
function apiCpuSeconds(pid: number): number {
  return [pid, ...childPids(pid)].reduce((sum, p) => sum + cpuSeconds(p), 0);
}

async function measure(api: { url: string; process: ChildProcess }, db: Client, database: string, scenario: Scenario, mode: Mode, seconds: number, rate: number) {
  const pid = api.process.pid!;
  const cpuBefore = apiCpuSeconds(pid);
  const dbBefore = await databaseCpuSeconds(db, database);
  let latencies: number[];
  let statuses: Map<number, number>;
  let socketErrors: number;
  if (mode === 'users') {
    ({ latencies, statuses, socketErrors } = await openLoopLoad(api.url, scenario.clients, seconds, rate));
  } else {
    ({ latencies, statuses, socketErrors } = await cannon(api.url, scenario, scenario.clients.length, seconds, mode === 'burst' ? rate : undefined));
  }
  const cpu = apiCpuSeconds(pid) - cpuBefore;
  // The backends serving the API's connections (one opened during the run counts whole).
  const dbAfter = await databaseCpuSeconds(db, database);
  const dbCpu = [...dbAfter].reduce((sum, [backend, after]) => sum + after - (dbBefore.get(backend) ?? 0), 0);
  const requests = latencies.length + socketErrors;
  const non2xx = [...statuses].reduce((sum, [status, n]) => sum + (status >= 200 && status < 300 ? 0 : n), 0);
  return {
    requests,
    /** CPU (user + system) the API spent per request: less sensitive to a loaded machine than latency. */
    cpuMsPerRequest: (cpu * 1000) / Math.max(1, requests),
    dbCpuMsPerRequest: (dbCpu * 1000) / Math.max(1, requests),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    socketErrors,
    errors: non2xx + socketErrors,
    statuses: [...statuses].map(([status, n]) => `${status}×${n}`).join(' '),
  };
}

/** autocannon: back to back (no rate) or every connection firing `connectionRate` a second, all in step. */
async function cannon(url: string, scenario: Scenario, connections: number, seconds: number, connectionRate?: number) {
  const latencies: number[] = [];
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
  latencies.sort((a, b) => a - b);
  return { latencies, statuses, socketErrors: result.errors + result.timeouts };
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
