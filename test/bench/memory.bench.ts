/**
 * `npm run bench:memory`: resident set size of the worker processes while they ingest 100,000 posts
 * (the real evaluation texts, read at run time, crawled from the bench forum, analysed, grouped and
 * routed): after start-up, the peak during the run, and at the end. Also the posts per second reached.
 *
 * Options: --posts=100000 --rate=1000 --boards=8 --interval=10 --workers=2 --concurrency=16 --drain-timeout=600
 */
import { describeMachine, option } from '../support/bench-env';
import { defaultIngestOptions, ingestOptionsFromArgs, runIngest } from '../support/bench-ingest';

async function main(): Promise<void> {
  const opts = ingestOptionsFromArgs({ ...defaultIngestOptions, posts: 100_000, drainTimeoutSeconds: 600, progressSeconds: 15 }, option);
  console.log(`machine: ${await describeMachine()}`);
  console.log(`memory: ${opts.posts} posts offered at ${opts.rate}/s, ${opts.workers} worker processes × analyze concurrency ${opts.analyzeConcurrency}`);
  const r = await runIngest(opts);
  const mib = (n: number) => `${n.toFixed(0)} MiB`;
  r.workerRss.forEach((w, i) => console.log(`memory result: worker ${i + 1} rss after start-up ${mib(w.start)}, peak ${mib(w.peak)}, after ${r.analysed} posts ${mib(w.end)}`));
  console.log(
    `  ${r.analysed}/${r.published} posts in ${r.seconds.toFixed(0)} s (${(r.analysed / r.seconds).toFixed(0)} posts/s, steady ${r.steadyRate.toFixed(0)}), ` +
      `${r.cases} cases; bench process (forum + seeding API) rss ${mib(r.benchRss)}${r.timedOut ? '; TIMED OUT before every post was processed' : ''}`,
  );
  process.exit(0);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
