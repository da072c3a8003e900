/**
 * `npm run bench:latency`: end-to-end latency. The bench forum publishes the real evaluation texts
 * (read at run time) at a modest steady rate; JSON sources crawl every --interval seconds; worker
 * processes analyse, group and route. For every post that joined a case: the time from the post
 * appearing on the forum to its case being assigned with the post in it (p50, p95, max), beside the
 * crawl interval; and for every post, the time to its stored analysis. Target: p95 ≤ interval + 2 s.
 *
 * Options: --posts=1200 --rate=20 --boards=4 --interval=10 --workers=2 --concurrency=16
 */
import { describeMachine, option, percentile } from '../support/bench-env';
import { defaultIngestOptions, ingestOptionsFromArgs, runIngest } from '../support/bench-ingest';

async function main(): Promise<void> {
  const opts = ingestOptionsFromArgs({ ...defaultIngestOptions, posts: 1200, rate: 20, boards: 4, drainTimeoutSeconds: 120, progressSeconds: 0 }, option);
  console.log(`machine: ${await describeMachine()}`);
  console.log(`latency: ${opts.posts} posts at ${opts.rate}/s on ${opts.boards} boards, crawl interval ${opts.intervalSeconds} s, ${opts.workers} worker processes`);
  const r = await runIngest(opts);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const c = r.caseLatencies;
  const a = r.analysisLatencies;
  console.log(
    `latency result (crawl interval ${opts.intervalSeconds} s): post on forum → case assigned: p50 ${s(percentile(c, 50))}, p95 ${s(percentile(c, 95))}, max ${s(c[c.length - 1] ?? NaN)} ` +
      `over ${c.length} posts in ${r.cases} cases (${r.assigned} assigned)`,
  );
  console.log(`  post on forum → analysis stored: p50 ${s(percentile(a, 50))}, p95 ${s(percentile(a, 95))}, max ${s(a[a.length - 1] ?? NaN)} over ${a.length} posts`);
  const target = (opts.intervalSeconds + 2) * 1000;
  console.log(`  target p95 ≤ interval + 2 s = ${s(target)}: ${c.length && percentile(c, 95) <= target ? 'met' : 'NOT met'}${r.timedOut ? ' (timed out)' : ''}`);
  process.exit(0);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
