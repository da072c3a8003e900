import { runMigrations } from '../../src/database/migrate';
import { adminQuery, dbUrl } from './postgres';
import { alive } from './process-alive';

/**
 * Once per test run: a template database with every migration applied, named after this process so
 * that two runs on one machine do not rebuild each other's template. Each test file clones its own
 * database from it (see test-env.ts), so files run in parallel and in any order. Databases left by
 * runs that were killed (their process is gone) are dropped here.
 */
export default async function globalSetup(): Promise<void> {
  const leftovers = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tingfeng\\_test\\_%'`);
  for (const { datname } of leftovers) {
    const pid = Number(/^tingfeng_test_(?:template_)?(\d+)/.exec(datname)?.[1]);
    if (pid && !alive(pid)) await adminQuery(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
  const template = `tingfeng_test_template_${process.pid}`;
  process.env.TINGFENG_TEST_TEMPLATE_DB = template;
  await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${template}`);
  await runMigrations(dbUrl(template));
}
