/**
 * One ingest run for the ingest, latency and memory benchmarks: the bench forum publishes the
 * evaluation texts at a steady rate over several boards; JSON sources crawl them on their schedule;
 * separate worker processes analyse, group and route; the run ends when every published post has
 * its analysis and the analyze and route queues are empty.
 */
import { performance } from 'node:perf_hooks';
import { SourcesService } from '../../src/sources/sources.service';
import { BenchForum } from './bench-forum';
import { BenchDistrict, BenchEnv, cpuSeconds, createBenchEnv, databaseCpuSeconds, evalTexts, percentile, rssMiB, seedBenchDistrict, serverCpuSeconds, sleep } from './bench-env';

export interface IngestOptions {
  posts: number;
  /** Posts published per second. */
  rate: number;
  boards: number;
  intervalSeconds: number;
  workers: number;
  /** Analyze jobs in flight per worker process. */
  analyzeConcurrency: number;
  /** Give up waiting this long after the last post was published. */
  drainTimeoutSeconds: number;
  /** Print progress every this many seconds (0: never). */
  progressSeconds: number;
}

export interface IngestResult {
  opts: IngestOptions;
  published: number;
  analysed: number;
  /** Seconds from the first post published to the last post analysed and routed. */
  seconds: number;
  /** Posts analysed per second over the middle 80 % of the run (10th to 90th percentile of analysis times). */
  steadyRate: number;
  cases: number;
  assigned: number;
  postsInCases: number;
  /** Per post that joined a case: ms from publication to the case being assigned (and the post attached). */
  caseLatencies: number[];
  /** Per post: ms from publication to its analysis being stored. */
  analysisLatencies: number[];
  /** RSS (MiB) per worker process: after start-up, peak, at the end. */
  workerRss: { start: number; peak: number; end: number }[];
  workerCpuSeconds: number[];
  /** CPU seconds during the run: the Postgres backends of the bench database, the Redis server (shared), this process (forum, API). */
  otherCpuSeconds: { database: number; redis: number; bench: number };
  /** RSS (MiB) of this process (bench forum + API). */
  benchRss: number;
  district: BenchDistrict;
  timedOut: boolean;
}

export const defaultIngestOptions: IngestOptions = {
  posts: 30_000,
  rate: 1000,
  boards: 8,
  intervalSeconds: 10,
  workers: 2,
  analyzeConcurrency: 16,
  drainTimeoutSeconds: 240,
  progressSeconds: 5,
};

export async function runIngest(opts: IngestOptions, log: (line: string) => void = console.log): Promise<IngestResult> {
  const texts = evalTexts();
  // Each board lists three crawl intervals of posts, so a crawl up to two intervals late still misses nothing.
  const window = Math.max(200, Math.ceil(((opts.rate * opts.intervalSeconds) / opts.boards) * 3));
  const forum = new BenchForum(opts.boards, window);
  await forum.start();
  const env: BenchEnv = await createBenchEnv({
    queue: { concurrency: { crawl: 4, analyze: opts.analyzeConcurrency, route: 8 } },
    // Every board is on one host: requests to it are spaced (politeness stays on) but closer than the default second.
    crawl: { politeness: { enabled: true, hostIntervalMs: 100, hostConcurrency: 4, robotsCacheSeconds: 3600 }, maxBodyBytes: 64 * 2 ** 20 },
  });
  try {
    const api = await env.startApi();
    const district = await seedBenchDistrict(api.app, env, texts);
    log(`bench district: ${district.districts.length} districts, ${district.communities.length} compounds, ${district.users.length} accounts; ${texts.length} texts`);
    const workers = await env.spawnWorkers(opts.workers);
    await sleep(1000);
    const rss = workers.map((w) => ({ start: rssMiB(w.pid!), peak: rssMiB(w.pid!), end: 0 }));
    const cpuAtStart = workers.map((w) => cpuSeconds(w.pid!));
    const redisAtStart = serverCpuSeconds().redis;
    const databaseAtStart = await databaseCpuSeconds(env.db, env.database);
    const benchAtStart = process.cpuUsage();
    const sources = api.app.get(SourcesService);
    for (let b = 0; b < opts.boards; b++) {
      await sources.upsert({
        code: `bench-board-${b}`,
        name: `bench board ${b}`,
        kind: 'json',
        url: forum.boardUrl(b),
        config: BenchForum.SOURCE_CONFIG,
        intervalSeconds: opts.intervalSeconds,
        defaultAreaId: district.rootId,
      });
    }

    const t0 = performance.now();
    const startedAt = Date.now();
    let nextProgress = opts.progressSeconds;
    const sampleRss = () => workers.forEach((w, i) => (rss[i].peak = Math.max(rss[i].peak, rssMiB(w.pid!) || 0)));
    const analysedCount = async () => Number((await env.db.query(`SELECT count(*)::int AS n FROM analyses`)).rows[0].n);
    const progress = async (elapsed: number) => {
      if (!opts.progressSeconds || elapsed < nextProgress) return;
      nextProgress += opts.progressSeconds;
      const analysed = await analysedCount();
      const stored = Number((await env.db.query(`SELECT count(*)::int AS n FROM posts`)).rows[0].n);
      log(`  t=${elapsed.toFixed(0)}s published ${forum.threads.length}, stored ${stored}, analysed ${analysed}, backlog ${await env.pipelineBacklog()}, worker rss ${workers.map((w) => rssMiB(w.pid!).toFixed(0)).join('/')} MiB`);
    };

    // Publish at the rate, in ticks of 100 ms, catching up when a tick ran late.
    let i = 0;
    while (i < opts.posts) {
      const elapsed = (performance.now() - t0) / 1000;
      const due = Math.min(opts.posts, Math.floor(elapsed * opts.rate) + 1);
      for (; i < due; i++) forum.publish(texts[i % texts.length]);
      sampleRss();
      await progress(elapsed);
      await sleep(100);
    }
    const publishedAt = performance.now();

    // Drain: every post analysed, analyze and route queues empty (the finish is known to within a second).
    let timedOut = false;
    for (;;) {
      sampleRss();
      const elapsed = (performance.now() - t0) / 1000;
      await progress(elapsed);
      if ((await analysedCount()) >= opts.posts && (await env.pipelineBacklog()) === 0) break;
      if (performance.now() - publishedAt > opts.drainTimeoutSeconds * 1000) {
        timedOut = true;
        break;
      }
      workers.forEach((w) => {
        if (w.exitCode !== null) throw new Error(`worker ${w.pid} exited with code ${w.exitCode}`);
      });
      // Counting analyses costs the database too: once a second keeps that out of the figures.
      await sleep(1000);
    }
    const finishedAt = Date.now();
    workers.forEach((w, i) => (rss[i].end = rssMiB(w.pid!)));
    const workerCpuSeconds = workers.map((w, i) => cpuSeconds(w.pid!) - cpuAtStart[i]);
    const redisCpu = serverCpuSeconds().redis;
    let database = 0;
    for (const [pid, cpu] of await databaseCpuSeconds(env.db, env.database)) database += cpu - (databaseAtStart.get(pid) ?? 0);
    const bench = process.cpuUsage(benchAtStart);
    const otherCpuSeconds = {
      redis: redisCpu - redisAtStart,
      database,
      bench: (bench.user + bench.system) / 1e6,
    };

    const published = new Map(forum.threads.map((t) => [String(t.id), t.publishedAt]));
    const analyses = (
      await env.db.query(
        `SELECT p.external_id, extract(epoch FROM min(a.analyzed_at)) * 1000 AS at FROM analyses a JOIN posts p ON p.id = a.post_id GROUP BY p.external_id`,
      )
    ).rows as { external_id: string; at: number }[];
    const analysisTimes = analyses.map((a) => Number(a.at)).sort((a, b) => a - b);
    const p10 = percentile(analysisTimes, 10);
    const p90 = percentile(analysisTimes, 90);
    const steadyRate = analysisTimes.length > 10 && p90 > p10 ? (0.8 * analysisTimes.length) / ((p90 - p10) / 1000) : NaN;
    const ready = (
      await env.db.query(
        `SELECT p.external_id, extract(epoch FROM min(greatest(cp.attached_at, c.assigned_at))) * 1000 AS at
           FROM case_posts cp JOIN cases c ON c.id = cp.case_id JOIN posts p ON p.id = cp.post_id
          WHERE c.assigned_at IS NOT NULL GROUP BY p.external_id`,
      )
    ).rows as { external_id: string; at: number }[];
    const [counts] = (
      await env.db.query(
        `SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM cases WHERE assignee_id IS NOT NULL) AS assigned,
                (SELECT count(DISTINCT post_id)::int FROM case_posts) AS posts_in_cases`,
      )
    ).rows as { cases: number; assigned: number; posts_in_cases: number }[];
    const latency = (rows: { external_id: string; at: number }[]) =>
      rows
        .map((r) => Number(r.at) - (published.get(r.external_id) ?? NaN))
        .filter((ms) => Number.isFinite(ms))
        .sort((a, b) => a - b);
    return {
      opts,
      published: forum.threads.length,
      analysed: analyses.length,
      seconds: ((timedOut ? finishedAt : Math.max(analysisTimes[analysisTimes.length - 1] ?? finishedAt, finishedAt - 1000)) - startedAt) / 1000,
      steadyRate,
      cases: counts.cases,
      assigned: counts.assigned,
      postsInCases: counts.posts_in_cases,
      caseLatencies: latency(ready),
      analysisLatencies: latency(analyses),
      workerRss: rss,
      workerCpuSeconds,
      otherCpuSeconds,
      benchRss: rssMiB(),
      district,
      timedOut,
    };
  } finally {
    await env.cleanup();
    await forum.stop();
  }
}

export function ingestOptionsFromArgs(defaults: IngestOptions, option: (name: string, fallback: number) => number): IngestOptions {
  return {
    posts: option('posts', defaults.posts),
    rate: option('rate', defaults.rate),
    boards: option('boards', defaults.boards),
    intervalSeconds: option('interval', defaults.intervalSeconds),
    workers: option('workers', defaults.workers),
    analyzeConcurrency: option('concurrency', defaults.analyzeConcurrency),
    drainTimeoutSeconds: option('drain-timeout', defaults.drainTimeoutSeconds),
    progressSeconds: option('progress', defaults.progressSeconds),
  };
}
