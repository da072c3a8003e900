import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('user management and the gazetteer through the API', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;
  let anonymous: Api;
  let admin: Api;

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'api' });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
    anonymous = new Api(service.url!);
    admin = await anonymous.login('admin', DEMO_PASSWORD);
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('lets admins create, change, reset and deactivate users; tokens do not outlive a change of role', async () => {
    const created = await admin.post('/users', { username: 'sg-temp', displayName: '临时社工', role: 'worker', scope: ['yanwu'] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ username: 'sg-temp', password: expect.stringMatching(/^\S{16}$/) });
    const temp = await anonymous.login('sg-temp', created.body.password);
    const me = (await temp.get('/auth/me')).body;
    expect(me).toMatchObject({ role: 'worker' });

    expect((await admin.post('/users', { username: 'sg-temp', displayName: '重名', role: 'worker', scope: ['yanwu'] })).status).toBe(409);
    const invalid = await admin.post('/users', { username: 'X Y', displayName: '', role: 'mayor', scope: [], isAdmin: true });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body.error.details.fields).sort()).toEqual(['displayName', 'isAdmin', 'role', 'scope', 'username']);
    expect((await admin.patch(`/users/${me.id}`, { scope: ['atlantis'] })).body.error.message).toMatch(/unknown area codes in scope: atlantis/);

    const promoted = await admin.patch(`/users/${me.id}`, { role: 'supervisor', scope: ['baizhang'] });
    expect(promoted.body).toMatchObject({ role: 'supervisor' });
    // The audit entry keeps the user as it was before and after, without the password hash.
    // The audit entry is written after the answer: wait for the successful change's (the refused one above is there too).
    const audited = await eventuallyItems(admin, `/audit?action=${encodeURIComponent('PATCH /users/:id')}`, (e) => e.status === 200);
    const change = audited.find((e: { status: number }) => e.status === 200);
    expect(change.details).toMatchObject({ subject: 'users', before: { role: 'worker', password_hash: '[redacted]' }, after: { role: 'supervisor' }, body: { role: 'supervisor' } });
    expect((await temp.get('/auth/me')).status).toBe(401);

    const reset = await admin.post(`/users/${me.id}/reset-password`);
    expect(reset.body.username).toBe('sg-temp');
    await expect(anonymous.login('sg-temp', created.body.password)).rejects.toThrow(/401/);
    const again = await anonymous.login('sg-temp', reset.body.password);
    expect((await again.get('/auth/me')).body.role).toBe('supervisor');

    await admin.patch(`/users/${me.id}`, { active: false });
    await expect(anonymous.login('sg-temp', reset.body.password)).rejects.toThrow(/401/);

    const worker = await anonymous.login('sg-huachuan', DEMO_PASSWORD);
    expect((await worker.post('/users', { username: 'sg-evil', displayName: '坏人', role: 'admin', scope: ['jiangdong'] })).status).toBe(403);
    expect((await worker.patch(`/users/${me.id}`, { active: true })).status).toBe(403);
  });

  it('lets operators keep aliases and everyone read the tree', async () => {
    const worker = await anonymous.login('sg-huachuan', DEMO_PASSWORD);
    const tree = (await worker.get('/areas')).body as { id: number; code: string; parentId: number | null; aliases: string[] }[];
    const huachuan = tree.find((a) => a.code === 'huachuan')!;
    expect(huachuan.aliases).toEqual(expect.arrayContaining(['泰和花园', '划船新村']));
    expect(tree.find((a) => a.code === 'jiangdong')!.parentId).toBeNull();

    const operator = await anonymous.login('operator', DEMO_PASSWORD);
    expect((await worker.post(`/areas/${huachuan.id}/aliases`, { alias: '划船菜场' })).status).toBe(403);
    expect((await operator.post(`/areas/${huachuan.id}/aliases`, { alias: '划船菜场' })).body).toEqual({ areaId: huachuan.id, alias: '划船菜场' });
    const taken = await operator.post(`/areas/${tree.find((a) => a.code === 'rongjia')!.id}/aliases`, { alias: '划船菜场' });
    expect(taken.status).toBe(409);
    expect((await worker.get('/areas')).body.find((a: { code: string }) => a.code === 'huachuan').aliases).toContain('划船菜场');
    expect((await operator.request('DELETE', `/areas/${huachuan.id}/aliases/${encodeURIComponent('划船菜场')}`)).status).toBe(204);
    expect((await operator.request('DELETE', `/areas/${huachuan.id}/aliases/${encodeURIComponent('划船菜场')}`)).status).toBe(404);
  });
});

/** The items at `path` once one of them satisfies `wanted` (any item by default). */
async function eventuallyItems(api: Api, path: string, wanted: (item: { status: number }) => boolean = () => true) {
  for (let i = 0; i < 40; i++) {
    const items = (await api.get(path)).body.items;
    if (items?.some(wanted)) return items;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing at ${path}`);
}
