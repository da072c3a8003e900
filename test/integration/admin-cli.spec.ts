import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AdminService } from '../../src/auth/admin.service';
import { AdminCliModule } from '../../src/auth/cli/admin-cli.module';
import { runAdminCommand } from '../../src/auth/cli/admin.cli';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('admin command line', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let admin: INestApplicationContext;
  let run: (...argv: string[]) => Promise<string>;
  const dir = mkdtempSync(join(tmpdir(), 'tf-admin-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'api' });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    admin = await NestFactory.createApplicationContext(AdminCliModule.forRoot(env.config()), { logger: false, abortOnError: false });
    run = (...argv) => runAdminCommand(admin.get(AdminService), argv);
  });

  afterAll(async () => {
    await admin?.close();
    await env?.teardown();
    await forum?.stop();
  });

  it('creates a user whose printed password logs in, and refuses a second one with that name', async () => {
    const out = await run('user:create', '--username', 'sg-new', '--role', 'worker', '--scope', 'huachuan', '--name', '新社工');
    const password = out.match(/shown once\): (\S+)$/)![1];
    const api = await new Api(service.url!).login('sg-new', password);
    expect((await api.get('/auth/me')).body).toMatchObject({ username: 'sg-new', role: 'worker' });
    await expect(run('user:create', '--username', 'sg-new', '--role', 'worker', '--scope', 'huachuan', '--name', '重复')).rejects.toThrow(/already exists/);
    await expect(run('user:create', '--username', 'sg-x', '--role', 'king', '--scope', 'huachuan', '--name', '某')).rejects.toThrow(/"king" must be one of/);
    await expect(run('user:create', '--username', 'sg-x')).rejects.toThrow(/needs --role/);
  });

  it('resets a password and ends the sessions of that user', async () => {
    const before = await new Api(service.url!).login('sg-qita', 'tingfeng-demo');
    const out = await run('user:reset-password', '--username', 'sg-qita');
    const password = out.match(/ended\): (\S+)$/)![1];
    // The API process may trust a live session for a few seconds.
    await new Promise((r) => setTimeout(r, 5200));
    expect((await before.get('/auth/me')).status).toBe(401);
    await expect(new Api(service.url!).login('sg-qita', 'tingfeng-demo')).rejects.toThrow(/401/);
    await expect(new Api(service.url!).login('sg-qita', password)).resolves.toBeInstanceOf(Api);
  });

  it('imports areas and users from CSV, all or nothing, with row-numbered errors', async () => {
    const db = service.app.get(DataSource);
    const count = async () => (await db.query(`SELECT count(*)::int AS n FROM areas`))[0].n;
    const areasBefore = await count();
    const bad = file('bad-areas.csv', 'code,name,level,parent_code,aliases\nxinming,新明街道,street,jiangdong,新明\nxinhe,新河社区,village,xinming,新河家园\n');
    await expect(run('import:areas', bad)).rejects.toThrow('Nothing was imported; fix these rows:\n  row 3 (level): "village" must be one of district, street, community, grid');
    expect(await count()).toBe(areasBefore);

    const good = file('areas.csv', 'code,name,level,parent_code,aliases\nxinming,新明街道,street,jiangdong,新明\nxinhe,新河社区,community,xinming,新河家园|新河路\n');
    expect(await run('import:areas', good)).toBe('Imported 2 areas.');
    expect(await count()).toBe(areasBefore + 2);
    const [alias] = await db.query(`SELECT a.code FROM area_aliases x JOIN areas a ON a.id = x.area_id WHERE x.alias = '新河路'`);
    expect(alias.code).toBe('xinhe');

    const users = file('users.csv', 'username,display_name,role,scope\nsg-xinhe,赵敏,worker,xinhe\nsup-xinming,钱进,supervisor,xinming\nsg-huachuan,王丽娟,worker,huachuan|xinhe\n');
    const out = await run('import:users', users);
    expect(out.split('\n').slice(0, 2)).toEqual(['Created 2 users, updated 1.', 'username,initial_password']);
    const [, , first] = out.split('\n');
    expect(first).toMatch(/^sg-xinhe,\S{16}$/);
    const [updated] = await db.query(`SELECT array_length(scope_area_ids, 1) AS n FROM users WHERE username = 'sg-huachuan'`);
    expect(updated.n).toBe(2);

    const badUsers = file('bad-users.csv', 'username,display_name,role,scope\nsg-ok,甲,worker,xinhe\nsg-bad,乙,worker,atlantis\n');
    await expect(run('import:users', badUsers)).rejects.toThrow('row 3 (scope): unknown area "atlantis"');
    expect((await db.query(`SELECT count(*)::int AS n FROM users WHERE username = 'sg-ok'`))[0].n).toBe(0);
  });
});
