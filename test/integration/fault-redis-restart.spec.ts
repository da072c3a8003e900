import { ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { DemoForum } from '../../src/demo/demo-forum.server';
import { DemoPost } from '../../src/demo/demo-post.types';
import { seedDemo } from '../../src/demo/demo-seed';
import type { RunningService } from '../../src/service';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/**
 * Redis restarted mid-run with its data gone (queues, crawl schedules): the service reconnects, the
 * reconciler puts the schedules back and re-enqueues what was lost, and every post ends analysed
 * once, each dispute in one case. Runs against a Redis of its own so other test files are untouched.
 */
describe('fault: Redis restarted in the middle of a run', () => {
  const port = 21000 + Math.floor(Math.random() * 20000);
  let redis: ChildProcess | undefined;
  let env: TestEnv;
  let forum: DemoForum;
  let service: RunningService;

  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await eventually(async () => {
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    }, 10_000, `redis-server on port ${port}`);
  };
  const post = (title: string, body: string): DemoPost => ({ title, body, author: '住户', board: 'neighbourhood', topic: 'noise' });

  beforeAll(async () => {
    await startRedis();
    env = await createTestEnv();
    forum = new DemoForum();
    await forum.start();
    service = await env.start({ role: 'all', redisUrl: `redis://127.0.0.1:${port}`, reconcile: { intervalSeconds: 1, graceSeconds: 0 } });
    await seedDemo(service.app, forum.baseUrl, { crawlIntervalSeconds: 10 });
  });

  afterAll(async () => {
    await env?.teardown();
    await forum?.stop();
    redis?.kill('SIGKILL');
  });

  // Its waits (30 s for the first cases, 60 s for recovery) need more than the default 60 s on a loaded machine.
  it('reconnects, restores schedules and lost work, and finishes with each post analysed once', async () => {
    const db = service.app.get(DataSource);
    const assigned = async () => (await db.query(`SELECT count(*)::int AS n FROM cases WHERE status = 'assigned'`))[0].n as number;
    forum.publish(post('泰和花园楼下装修噪音扰民', '泰和花园楼下装修电钻噪音从早到晚，周末也不停，老人孩子没法休息，投诉了好几次。'));
    forum.publish(post('银杏苑广场舞音响太吵', '银杏苑门口广场舞音响每天晚上开到很晚，噪音扰民，孩子写作业都受影响。'));
    await eventually(async () => (await assigned()) === 2, 30_000, 'the first two cases');

    redis!.kill('SIGKILL');
    await new Promise((resolve) => redis!.once('exit', resolve));
    forum.publish(post('紫薇苑夜宵摊半夜太吵', '紫薇苑北门夜宵摊每天凌晨还在营业，噪音吵得整栋楼睡不着，希望有人管管。'));
    forum.publish(post('杉杉苑空调外机噪音扰民', '杉杉苑有户人家的空调外机噪音特别大，半夜轰隆隆的，邻居都没法休息。'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await startRedis();

    await eventually(async () => (await assigned()) === 4, 60_000, 'the two posts published while Redis was down to become assigned cases');
    const perPost = await db.query(`SELECT p.title, count(a.id)::int AS analyses FROM posts p LEFT JOIN analyses a ON a.post_id = p.id GROUP BY p.id, p.title`);
    expect(perPost).toHaveLength(4);
    expect(perPost.every((p: { analyses: number }) => p.analyses === 1)).toBe(true);
    const cases = await db.query(`SELECT area_id, rule_id, post_count FROM cases`);
    expect(cases).toHaveLength(4);
    expect(new Set(cases.map((c: { area_id: number; rule_id: number }) => `${c.area_id}-${c.rule_id}`)).size).toBe(4);
    expect(cases.every((c: { post_count: number }) => c.post_count === 1)).toBe(true);
  }, 120_000);
});
