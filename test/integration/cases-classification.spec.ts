import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';
import { CaseFixtures } from './cases-fixtures';

/** PATCH /cases/:id/classification: who may correct, what changes, the timeline, training labels and alias suggestions. */
describe('case classification', () => {
  let env: TestEnv;
  let service: RunningService;
  let fx: CaseFixtures;
  let worker: Api;
  let otherWorker: Api;
  let supervisor: Api;
  let otherSupervisor: Api;
  let operator: Api;
  let workerId: number;
  let supervisorId: number;

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 3600 } });
    fx = await new CaseFixtures(service.app, service.url!).seed();
    [worker, otherWorker, supervisor, otherSupervisor, operator] = await Promise.all(
      ['sg-huachuan', 'sg-zhenan', 'sup-baihe', 'sup-minglou', 'operator'].map((u) => fx.login(u)),
    );
    [workerId, supervisorId] = await Promise.all([fx.userId('sg-huachuan'), fx.userId('sup-baihe')]);
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const patch = (api: Api, id: number, body: unknown) => api.request('PATCH', `/cases/${id}/classification`, body);

  async function assignedCase(rule = 'property-fee'): Promise<number> {
    const id = await fx.openCase('huachuan', rule);
    expect(await fx.route(id)).toBe('assigned');
    return id;
  }

  it('lets the assignee correct the category: the case answers, the timeline records before/after, each post becomes a training label', async () => {
    const id = await assignedCase('noise');
    // A second post in the case.
    const [p2] = await fx.db.query(`INSERT INTO posts (source_id, external_id, url, title, body, author, content_hash)
      SELECT source_id, external_id || '-b', url || '-b', title, body, author, content_hash FROM posts WHERE id = (SELECT post_id FROM case_posts WHERE case_id = $1) RETURNING id`, [id]);
    await fx.db.query(`INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2)`, [id, p2.id]);

    const res = await patch(worker, id, { category: '物业纠纷', reason: '复核后发现是物业问题' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, category: '物业纠纷', status: 'assigned', assigneeId: workerId });

    const event = (await fx.events(id)).find((e) => e.type === 'reclassified')!;
    expect(event.actor_id).toBe(workerId);
    expect(event.data).toMatchObject({ reason: '复核后发现是物业问题', before: { category: '噪音扰民' }, after: { category: '物业纠纷' }, labelledPosts: 2 });
    const labels = await fx.db.query(`SELECT post_id, category, case_id, confirmed_by FROM confirmed_labels WHERE case_id = $1 ORDER BY post_id`, [id]);
    expect(labels).toHaveLength(2);
    expect(labels.every((l: { category: string; confirmed_by: number }) => l.category === '物业纠纷' && l.confirmed_by === workerId)).toBe(true);

    // The latest confirmation wins (one label per post).
    expect((await patch(supervisor, id, { category: '噪音扰民', reason: '再次复核' })).status).toBe(200);
    const relabelled = await fx.db.query(`SELECT category, confirmed_by FROM confirmed_labels WHERE case_id = $1`, [id]);
    expect(relabelled).toEqual([
      { category: '噪音扰民', confirmed_by: supervisorId },
      { category: '噪音扰民', confirmed_by: supervisorId },
    ]);
    // The detail shows the event on the timeline.
    const detail = (await worker.get(`/cases/${id}`)).body;
    expect(JSON.stringify(detail)).toContain('reclassified');
    // Audited like every other case action, with the case before and after.
    const audit = await eventually(async () => {
      const rows = await fx.db.query(`SELECT status, details FROM audit_log WHERE action = 'PATCH /cases/:id/classification' AND path = $1 ORDER BY id`, [`/cases/${id}/classification`]);
      return rows.length === 2 ? rows : undefined;
    });
    expect(audit[0]).toMatchObject({ status: 200, details: { before: { category: '噪音扰民' }, after: { category: '物业纠纷' } } });
  });

  it('moves the case to another area without re-routing and offers the unmatched place of its post as an alias of that area', async () => {
    const id = await assignedCase('garbage');
    const [{ post_id: postId }] = await fx.db.query(`SELECT post_id FROM case_posts WHERE case_id = $1`, [id]);
    const huachuan = await fx.areaId('huachuan');
    await fx.db.query(
      `INSERT INTO analyses (post_id, content_hash, pipeline_version, area_id, place_candidates) VALUES ($1, 'x', 1, $2, ARRAY['翡翠湾小区', '泰和花园'])`,
      [postId, huachuan],
    );
    const res = await patch(supervisor, id, { areaCode: 'zhenan', reason: '发帖位置在镇安社区' });
    expect(res.status).toBe(200);
    const zhenan = await fx.areaId('zhenan');
    expect(res.body).toMatchObject({ id, areaId: zhenan, assigneeId: workerId, status: 'assigned' });
    const event = (await fx.events(id)).find((e) => e.type === 'reclassified')!;
    // 泰和花园 is already an alias of 划船; only the unknown place is suggested.
    expect(event.data).toMatchObject({ before: { areaId: huachuan }, after: { areaId: zhenan }, areaCode: 'zhenan', labelledPosts: 0, aliasSuggestions: ['翡翠湾小区'] });
    expect(await fx.db.query(`SELECT 1 FROM confirmed_labels WHERE case_id = $1`, [id])).toEqual([]);

    const suggestions = (await operator.get('/analysis/place-suggestions')).body.items;
    expect(suggestions).toContainEqual(expect.objectContaining({ name: '翡翠湾小区', suggestedAreaId: zhenan, fromCorrection: true }));
  });

  it('validates the body and refuses people outside the case', async () => {
    const id = await assignedCase();
    expect((await patch(worker, id, { reason: '没有改动' })).status).toBe(400);
    expect((await patch(worker, id, { category: '物业纠纷' })).status).toBe(400);
    expect((await patch(worker, id, { category: '物业纠纷', reason: '短' })).status).toBe(400);
    expect((await patch(worker, id, { category: '物业纠纷', reason: 'x'.repeat(501) })).status).toBe(400);
    expect((await patch(worker, id, { category: '物业纠纷', reason: '复核后更正', level: 'red' })).status).toBe(400);
    expect((await patch(worker, id, { category: '不存在的类别', reason: '复核后更正' })).status).toBe(400);
    const noArea = await patch(worker, id, { areaCode: 'nowhere', reason: '复核后更正' });
    expect(noArea.status).toBe(400);
    expect(noArea.body.error.details.fields).toHaveProperty('areaCode');

    expect((await patch(otherWorker, id, { category: '物业纠纷', reason: '复核后更正' })).status).toBe(403);
    expect((await patch(otherSupervisor, id, { category: '物业纠纷', reason: '复核后更正' })).status).toBe(403);
    expect((await patch(operator, id, { category: '物业纠纷', reason: '复核后更正' })).status).toBe(403);
    expect((await patch(worker, 999999, { category: '物业纠纷', reason: '复核后更正' })).status).toBe(404);
    // Nothing changed by the refused requests.
    expect((await fx.events(id)).some((e) => e.type === 'reclassified')).toBe(false);
    // A domain (first level) is a valid category too.
    expect((await patch(worker, id, { category: '城乡建设', reason: '复核后更正' })).body.category).toBe('城乡建设');
  });

  it('refuses moving a case into an area where the same rule already has an open case', async () => {
    const a = await assignedCase('parking');
    await fx.openCase('zhenan', 'parking');
    const res = await patch(supervisor, a, { areaCode: 'zhenan', reason: '发帖位置在镇安社区' });
    expect(res.status).toBe(409);
    expect((await fx.db.query(`SELECT area_id FROM cases WHERE id = $1`, [a]))[0].area_id).toBe(await fx.areaId('huachuan'));
  });
});
