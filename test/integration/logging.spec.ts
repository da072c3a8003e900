import { PassThrough } from 'node:stream';
import { DataSource } from 'typeorm';
import { serializeError } from '../../src/app.module';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { seedDemo } from '../../src/demo/demo-seed';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

describe('logs', () => {
  let env: TestEnv;
  let forum: DemoForum;

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
  });

  it('are JSON lines that never carry post text or personal identifiers, even at debug level', async () => {
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    const lines: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const service = await env.start({ role: 'all', logLevel: 'debug' }, { logDestination: sink });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 10 });
    forum.publish({
      title: '紫薇苑垃圾房堆积发臭没人清运',
      body: '紫薇苑北门垃圾房的垃圾堆积一周了，臭味熏天没人清运。我的电话13912345678，身份证330204198806061234，邮箱zhang.wei@example.com，独一无二的标记语句青蛙跳舞。',
      author: '紫薇苑住户',
      board: 'neighbourhood',
      topic: 'garbage',
    });
    const db = service.app.get(DataSource);
    await eventually(async () => (await db.query(`SELECT count(*)::int AS n FROM cases WHERE status = 'assigned'`))[0].n === 1, 30_000, 'the case');
    await fetch(`${service.url}/cases`, { headers: { authorization: 'Bearer not-a-token' } });

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // New posts of a crawl are analysed in batch jobs ('posts analysed'), an edited one alone ('post analysed').
    expect(parsed.some((l) => l.msg === 'post analysed' || l.msg === 'posts analysed')).toBe(true);
    expect(parsed.some((l) => l.msg === 'request completed')).toBe(true);
    const all = lines.join('\n');
    for (const secret of ['13912345678', '330204198806061234', 'zhang.wei@example.com', '青蛙跳舞', '垃圾堆积一周', 'not-a-token']) {
      expect(all).not.toContain(secret);
    }
  });

  it('logs errors without their SQL parameters', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
      name: 'QueryFailedError',
      code: '23505',
      parameters: ['我的电话13912345678'],
      detail: 'Key (alias)=(某小区) already exists.',
    });
    const logged = JSON.stringify(serializeError(error));
    expect(logged).toContain('23505');
    expect(logged).not.toContain('13912345678');
    expect(logged).not.toContain('某小区');
  });
});
