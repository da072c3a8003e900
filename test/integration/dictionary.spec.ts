import { DataSource } from 'typeorm';
import { AnalysisService } from '../../src/analysis/analysis.service';
import { segmenter } from '../../src/analysis/segmenter';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { PostsService } from '../../src/posts/posts.service';
import type { RunningService } from '../../src/service';
import { Api } from '../support/http';
import { createTestEnv, TestEnv } from '../support/test-env';

describe('the segmentation dictionary operators keep', () => {
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;

  beforeAll(async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600 } });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 3600 });
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('lets operators add and remove words, which the pipeline then segments as one token', async () => {
    const api = new Api(service.url!);
    const operator = await api.login('operator', DEMO_PASSWORD);
    const worker = await api.login('sg-huachuan', DEMO_PASSWORD);
    const word = '翡翠湾北苑';
    expect(segmenter.cut(`${word}的业主`)).not.toContain(word);

    expect((await worker.post('/dictionary', { term: word })).status).toBe(403);
    const added = await operator.post('/dictionary', { term: word, note: '新交付小区' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ term: word, note: '新交付小区' });
    expect((await operator.post('/dictionary', { term: word })).status).toBe(409);
    expect((await operator.post('/dictionary', { term: '两 个词' })).body.error.code).toBe('invalid_request');
    expect((await operator.get('/dictionary')).body.map((t: { term: string }) => t.term)).toEqual([word]);

    // The next analysis in this process loads the dictionary.
    const [post] = await service.app.get(PostsService).upsertMany((await service.app.get(DataSource).query(`SELECT id FROM sources LIMIT 1`))[0].id, [
      { externalId: 'dict-1', url: 'http://x.invalid/dict-1', title: `${word}的业主群`, body: `${word}今天交房，大家在群里聊装修。` },
    ]);
    await service.app.get(AnalysisService).analyze(post.id, post.contentHash);
    expect(segmenter.cut(`${word}的业主`)).toContain(word);

    expect((await operator.request('DELETE', `/dictionary/${encodeURIComponent(word)}`)).status).toBe(204);
    expect((await operator.request('DELETE', `/dictionary/${encodeURIComponent(word)}`)).status).toBe(404);
  });
});
