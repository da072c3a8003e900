/**
 * `npm run bench:crawl`: crawler throughput and politeness, against the fixture forum on loopback.
 *
 * 1. Politeness off: posts stored per second by one crawl of a large board (list pages + every thread page, stored
 *    in Postgres), and by four sources crawled at once.
 * 2. Politeness on: two service instances crawl the same host at once; the spacing between the requests the forum
 *    receives is measured and must never go below crawl.politeness.hostIntervalMs (exit code 1 if it does).
 *
 * Needs Postgres and Redis like the tests (TEST_POSTGRES_URL, TEST_REDIS_URL); uses a scratch database and queue
 * prefix that it removes afterwards. Options: --threads=400 --interval-ms=1000 --polite-requests=12
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/config.loader';
import { CrawlService } from '../../src/crawl/crawl.service';
import { runMigrations } from '../../src/database/migrate';
import { RunningService, startService } from '../../src/service';
import { SourcesService } from '../../src/sources/sources.service';
import { FixtureForum } from '../support/fixture-forum';
import { adminQuery, dbUrl, REDIS_URL } from '../support/postgres';
import { deleteRedisKeys } from '../support/test-env';

function option(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return raw === undefined ? fallback : Number(raw);
}

async function main(): Promise<void> {
  const threads = option('threads', 400);
  const intervalMs = option('interval-ms', 1000);
  const politeRequests = option('polite-requests', 12);
  const id = randomBytes(4).toString('hex');
  const database = `tingfeng_bench_${id}`;
  const prefix = `tfbench-${id}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  await runMigrations(dbUrl(database));
  const forum = new FixtureForum();
  await forum.start();
  forum.pageSize = 50;
  for (let i = 1; i <= threads; i++) {
    forum.addThread({ title: `基准测试帖子 ${i}：小区停车位问题`, body: `第${i}帖。地下车库车位长期被占用，物业说无法处理。\n请社区协调。`.repeat(3), replies: i % 7, views: i * 3 });
  }
  const running: RunningService[] = [];
  const start = async (crawl: Record<string, unknown>) => {
    const config = loadConfig(
      {
        port: 0,
        role: 'api',
        logLevel: 'error',
        databaseUrl: dbUrl(database),
        redisUrl: REDIS_URL,
        queue: { prefix },
        crawl: { allowPrivateHosts: ['127.0.0.1'], maxListPages: 1000, maxDetailPagesPerRun: 10_000, ...crawl },
      },
      { AUTH_SECRET: randomBytes(32).toString('hex') },
      [],
    );
    const service = await startService(config, { host: '127.0.0.1' });
    running.push(service);
    return { crawler: service.app.get(CrawlService), sources: service.app.get(SourcesService) };
  };
  let failed = false;
  try {
    // 1. Throughput with politeness off.
    const fast = await start({ politeness: { enabled: false, hostIntervalMs: 0, hostConcurrency: 64, robotsCacheSeconds: 60 } });
    const one = await fast.sources.upsert({ code: 'bench-1', name: 'bench', kind: 'discuz', url: forum.boardUrl(1), enabled: false });
    let t0 = performance.now();
    const report = await fast.crawler.crawl(one.id);
    let seconds = (performance.now() - t0) / 1000;
    console.log(`politeness off, one source:   ${report.stored} posts (${Math.ceil(threads / 50)} list pages + ${threads} thread pages) in ${seconds.toFixed(2)} s = ${(report.stored / seconds).toFixed(0)} posts/s`);
    const four = [];
    for (let i = 2; i <= 5; i++) four.push(await fast.sources.upsert({ code: `bench-${i}`, name: 'bench', kind: 'discuz', url: forum.boardUrl(1), enabled: false }));
    t0 = performance.now();
    const reports = await Promise.all(four.map((s) => fast.crawler.crawl(s.id)));
    seconds = (performance.now() - t0) / 1000;
    const stored = reports.reduce((n, r) => n + r.stored, 0);
    console.log(`politeness off, four sources: ${stored} posts in ${seconds.toFixed(2)} s = ${(stored / seconds).toFixed(0)} posts/s`);

    // 2. Spacing with politeness on: two instances, same host, at once.
    const politeness = { enabled: true, hostIntervalMs: intervalMs, hostConcurrency: 2, robotsCacheSeconds: 60 };
    const a = await start({ politeness, maxDetailPagesPerRun: Math.ceil(politeRequests / 2) });
    const b = await start({ politeness, maxDetailPagesPerRun: Math.ceil(politeRequests / 2) });
    const pa = await a.sources.upsert({ code: 'polite-a', name: 'polite', kind: 'discuz', url: forum.boardUrl(1), enabled: false, config: { maxPages: 1 } });
    const pb = await a.sources.upsert({ code: 'polite-b', name: 'polite', kind: 'discuz', url: forum.boardUrl(2), enabled: false, config: { maxPages: 1 } });
    const from = forum.requests.length;
    t0 = performance.now();
    await Promise.all([a.crawler.crawl(pa.id), b.crawler.crawl(pb.id)]);
    const times = forum.requests.slice(from).map((r) => r.at).sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const min = Math.min(...gaps);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    console.log(
      `politeness on, two instances: ${times.length} requests to one host in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `spacing min ${min.toFixed(1)} ms, mean ${mean.toFixed(1)} ms, max ${Math.max(...gaps).toFixed(1)} ms (configured ${intervalMs} ms)`,
    );
    if (min < intervalMs) {
      failed = true;
      console.error(`FAIL: two requests to one host were ${min.toFixed(1)} ms apart, below the configured ${intervalMs} ms`);
    }
  } finally {
    for (const service of running.reverse()) await service.close();
    await forum.stop();
    await deleteRedisKeys(`${prefix}:*`);
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
