import { runMigrations } from '../../src/database/migrate';
import { adminQuery, dbUrl, TEMPLATE_DB } from './postgres';

/**
 * Once per test run: a template database with every migration applied. Each test file clones its
 * own database from it (see test-env.ts), so files run in parallel and in any order.
 */
export default async function globalSetup(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${TEMPLATE_DB}`);
  await runMigrations(dbUrl(TEMPLATE_DB));
}
