import { preflight } from '../common/preflight';
import { loadConfig } from '../config/config.loader';
import { runMigrations } from './migrate';

/** `npm run migrate`: creates the database if needed and applies pending migrations. */
async function main(): Promise<void> {
  const config = loadConfig({ auth: { secret: 'migrations-do-not-sign-anything-0000' } });
  await preflight(config.databaseUrl, config.redisUrl, { createDatabase: true });
  const applied = await runMigrations(config.databaseUrl);
  process.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date.\n');
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
