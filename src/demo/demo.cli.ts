import { randomBytes } from 'node:crypto';
import { DependencyUnavailableError, preflight } from '../common/preflight';
import { loadConfig, redactUrl } from '../config/config.loader';
import { runMigrations } from '../database/migrate';
import { startService } from '../service';
import { DemoForum } from './demo-forum.server';
import { DEMO_POSTS } from './demo-posts';
import { DEMO_PASSWORD, seedDemo } from './demo-seed';

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/**
 * `npm run demo`: migrate, start the demo forum on loopback (publishing a new post every few
 * seconds), start the service (API and workers in one process), seed the demo district, print URLs.
 */
async function main(): Promise<void> {
  // The demo signs tokens with a fresh secret unless AUTH_SECRET is set (tokens die with the process).
  // The demo forum runs on loopback, which the crawler refuses unless allowed explicitly (demo only).
  const config = loadConfig({ role: 'all', crawl: { allowPrivateHosts: ['127.0.0.1', '::1'] } }, { ...process.env, AUTH_SECRET: process.env.AUTH_SECRET || randomBytes(32).toString('hex') });
  try {
    await preflight(config.databaseUrl, config.redisUrl, { createDatabase: true });
  } catch (error) {
    if (error instanceof DependencyUnavailableError) {
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(2);
    }
    throw error;
  }
  await runMigrations(config.databaseUrl);

  const forum = new DemoForum({ port: Number(arg('forum-port') ?? 3100), host: arg('forum-host'), firstId: Math.floor(Date.now() / 1000) % 100_000_000 });
  const forumUrl = await forum.start();
  const everyMs = Number(arg('post-every-ms') ?? 8000);
  const initial = DEMO_POSTS.slice(0, 6);
  initial.forEach((post) => forum.publish(post));
  forum.startPublishing(DEMO_POSTS.slice(initial.length), everyMs);

  const service = await startService(config);
  await seedDemo(service.app, forumUrl, { crawlIntervalSeconds: 10 });

  const api = service.url!;
  process.stdout.write(
    [
      '',
      'tingfeng demo is running.',
      `  Console:      ${api}/   (opens the web console; log in with a demo account below)`,
      `  API:          ${api}   (log in: POST ${api}/auth/login)`,
      `  Health:       ${api}/health`,
      `  Demo forum:   ${forumUrl}   (a new post every ${Math.round(everyMs / 1000)} s)`,
      `  Database:     ${redactUrl(config.databaseUrl)}`,
      `  Redis:        ${redactUrl(config.redisUrl)}`,
      `  Accounts:     official, sup-baihe, sg-huachuan, operator, admin … (password: ${DEMO_PASSWORD})`,
      '  Cases appear within a minute: in the console as sg-huachuan (inbox) or official (dashboard), or GET /cases.',
      '  Ctrl+C stops everything.',
      '',
    ].join('\n'),
  );

  // The service closes itself on these signals (queues drained, connections closed); the forum goes with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void forum.stop());
}

main().catch((error: Error) => {
  process.stderr.write(`tingfeng demo could not start: ${error.message}\n`);
  process.exit(1);
});
