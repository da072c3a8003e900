/**
 * `npm run bench:ingest`: sustained ingest. The bench forum publishes the real evaluation texts
 * (messages.unlabeled.jsonl and hot.jsonl, read at run time) at a steady rate on several boards; JSON
 * sources crawl them on their schedule; worker processes (`main.js --role=worker`) analyse, group
 * into cases and route them, all into Postgres. Prints posts per second end to end and in the steady
 * middle of the run, and the machine it ran on. Target: ≥ 1,000 posts/s on 2 cores.
 *
 * Needs Postgres and Redis like the tests (TEST_POSTGRES_URL, TEST_REDIS_URL); uses a scratch database
 * and queue prefix that it removes afterwards. Options: --posts=30000 --rate=1000 --boards=8
 * --interval=10 --workers=2 --concurrency=16 --drain-timeout=240
 */
import { describeMachine, option } from '../support/bench-env';
import { defaultIngestOptions, ingestOptionsFromArgs, runIngest } from '../support/bench-ingest';

async function main(): Promise<void> {
  const opts = ingestOptionsFromArgs(defaultIngestOptions, option);
  console.log(`machine: ${await describeMachine()}`);
  console.log(
    `ingest: ${opts.posts} posts offered at ${opts.rate}/s on ${opts.boards} boards (JSON sources, crawl every ${opts.intervalSeconds} s), ` +
      `${opts.workers} worker processes × analyze concurrency ${opts.analyzeConcurrency}`,
  );
  const r = await runIngest(opts);
  const cpu = r.workerCpuSeconds.reduce((s, c) => s + c, 0);
  console.log(
    `ingest result: ${r.analysed}/${r.published} posts crawled, analysed, grouped and routed in ${r.seconds.toFixed(1)} s = ${(r.analysed / r.seconds).toFixed(0)} posts/s end to end ` +
      `(includes up to one crawl interval of waiting); steady ${r.steadyRate.toFixed(0)} posts/s (middle 80 % of analyses)`,
  );
  console.log(
    `  cases ${r.cases} (${r.assigned} assigned), posts in cases ${r.postsInCases}; worker CPU ${cpu.toFixed(0)} s = ${(cpu / r.seconds).toFixed(2)} cores busy, ` +
      `${(r.analysed / Math.max(cpu, 0.001)).toFixed(0)} posts per worker CPU second; worker rss peak ${r.workerRss.map((w) => w.peak.toFixed(0)).join('/')} MiB`,
  );
  const o = r.otherCpuSeconds;
  const perPost = (sec: number) => `${((sec * 1000) / Math.max(1, r.analysed)).toFixed(2)} ms`;
  console.log(
    `  CPU per post: workers ${perPost(cpu)}, postgres backends of the bench database ${perPost(o.database)}, ` +
      `redis ${perPost(o.redis)} (the server is shared: other users included), bench process (forum, API) ${perPost(o.bench)}; ` +
      `all of it on 2 cores gives a ceiling of ${((2 * r.analysed) / Math.max(0.001, cpu + o.database + o.redis + o.bench)).toFixed(0)} posts/s on an idle machine`,
  );
  const met = !r.timedOut && r.steadyRate >= 1000;
  console.log(`  target ≥ 1000 posts/s: ${met ? 'met' : 'NOT met'}${r.timedOut ? ' (timed out before every post was processed)' : ''}`);
  process.exit(0);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
