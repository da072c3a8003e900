import { createDataSource } from '../../src/database/data-source';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('schema', () => {
  let env: TestEnv;
  beforeAll(async () => (env = await createTestEnv()));
  afterAll(() => env.teardown());

  it('is exactly what the entities describe once every migration has run', async () => {
    const db = createDataSource(env.databaseUrl);
    await db.initialize();
    try {
      const pending = await db.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(await db.showMigrations()).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  it('keeps the case timeline append-only', async () => {
    const db = createDataSource(env.databaseUrl);
    await db.initialize();
    try {
      await db.query(`INSERT INTO areas (code, name, level, path) VALUES ('d', '区', 'district', '/1/')`);
      await db.query(`INSERT INTO rules (code, name, kind, definition, level) VALUES ('r', '规则', 'keyword', '{"all":[["物业"]]}', 'yellow')`);
      const [c] = await db.query(`INSERT INTO cases (number, area_id, rule_id, level, status, version) VALUES ('TF-1', 1, 1, 'yellow', 'new', 1) RETURNING id`);
      const [e] = await db.query(`INSERT INTO case_events (case_id, type) VALUES ($1, 'created') RETURNING id`, [c.id]);
      await expect(db.query(`UPDATE case_events SET type = 'settled' WHERE id = $1`, [e.id])).rejects.toThrow(/append-only/);
      await expect(db.query(`DELETE FROM case_events WHERE id = $1`, [e.id])).rejects.toThrow(/append-only/);
    } finally {
      await db.destroy();
    }
  });
});
