import { Client } from 'pg';

/** The server tests use; CI and developers have Postgres on localhost with trust auth. */
export const PG_SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The migrated template of this test run (global-setup.ts names it after its process). */
export const templateDb = (): string => process.env.TINGFENG_TEST_TEMPLATE_DB ?? 'tingfeng_test_template';

export const dbUrl = (name: string) => `${PG_SERVER_URL}/${name}`;

export async function adminQuery<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const client = new Client({ connectionString: dbUrl('postgres') });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
