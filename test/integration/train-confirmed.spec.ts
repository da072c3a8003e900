import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mergeConfirmed, trainingVersion } from '../../src/analysis/classifier/confirmed-labels';
import { readJsonl } from '../../src/analysis/classifier/corpus';
import { loadTaxonomy } from '../../src/analysis/classifier/taxonomy';
import { readConfirmedLabels } from '../../src/analysis/cli/confirmed-training';
import type { RunningService } from '../../src/service';
import { createTestEnv, TestEnv } from '../support/test-env';
import { CaseFixtures } from './cases-fixtures';

/**
 * The data-gathering half of `npm run train -- --with-confirmed`: categories confirmed over the API
 * are read back from the database and merged with the file's messages (the model itself is not trained here).
 */
describe('training with confirmed categories', () => {
  let env: TestEnv;
  let service: RunningService;
  let fx: CaseFixtures;

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'api' });
    fx = await new CaseFixtures(service.app, service.url!).seed();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('reads the confirmed labels with their posts and adds them, mapped to domains, to the file messages', async () => {
    const supervisor = await fx.login('sup-baihe');
    const noise = await fx.openCase('huachuan', 'noise', { body: '楼下饭店的排风机整夜轰鸣，吵得睡不着。' });
    const other = await fx.openCase('zhenan', 'parking', { body: '小区门口的车位被外来车辆长期占用。' });
    const purged = await fx.openCase('danfeng', 'garbage', { body: '这条帖子的正文稍后被清除。' });
    const untouched = await fx.openCase('danfeng', 'noise');
    expect((await supervisor.request('PATCH', `/cases/${noise}/classification`, { category: '油烟', reason: '复核后更正' })).status).toBe(200);
    expect((await supervisor.request('PATCH', `/cases/${other}/classification`, { category: '交通运输', reason: '复核后更正' })).status).toBe(200);
    expect((await supervisor.request('PATCH', `/cases/${purged}/classification`, { category: '垃圾清运', reason: '复核后更正' })).status).toBe(200);
    await fx.db.query(`UPDATE posts SET body = '', text_purged_at = now() WHERE id = (SELECT post_id FROM case_posts WHERE case_id = $1)`, [purged]);
    const postOf = async (caseId: number) => (await fx.db.query(`SELECT post_id FROM case_posts WHERE case_id = $1`, [caseId]))[0].post_id as number;

    const rows = await readConfirmedLabels(env.databaseUrl);
    expect(rows.map((r) => [r.postId, r.category])).toEqual([
      [await postOf(noise), '油烟'],
      [await postOf(other), '交通运输'],
    ]);
    expect(rows.map((r) => r.postId)).not.toContain(await postOf(untouched));

    const dir = mkdtempSync(join(tmpdir(), 'tf-train-'));
    const file = join(dir, 'train.jsonl');
    writeFileSync(file, [{ id: 'f1', title: null, body: '文件中的一条留言', label: '卫生计生' }, { id: 'f2', body: '无标签' }].map((m) => JSON.stringify(m)).join('\n'));
    const merged = mergeConfirmed(readJsonl(file), rows, loadTaxonomy(resolve(__dirname, '../../config/taxonomy.yaml')));
    expect(merged.messages).toEqual([
      { id: 'f1', title: null, body: '文件中的一条留言', label: '卫生计生' },
      { id: `confirmed-${await postOf(noise)}`, title: expect.any(String), body: '楼下饭店的排风机整夜轰鸣，吵得睡不着。', label: '环境保护' },
      { id: `confirmed-${await postOf(other)}`, title: expect.any(String), body: '小区门口的车位被外来车辆长期占用。', label: '交通运输' },
    ]);
    expect(trainingVersion('v1', merged)).toMatch(/^v1-confirmed-[0-9a-f]{8}$/);
  });
});
