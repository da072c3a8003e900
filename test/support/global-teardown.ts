import { adminQuery, templateDb } from './postgres';

export default async function globalTeardown(): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${templateDb()} WITH (FORCE)`);
}
