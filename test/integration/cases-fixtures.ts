import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { PostsService } from '../../src/posts/posts.service';
import { RoutingService } from '../../src/routing/routing.service';
import { Api } from '../support/http';

/**
 * Fixtures for the case, routing and notification tests: the demo district (areas, users, rules) and
 * cases opened directly in the database (with a post behind them), without crawling or analysis.
 */
export class CaseFixtures {
  private seq = 0;
  sourceId!: number;

  constructor(
    readonly app: INestApplicationContext,
    readonly baseUrl: string,
  ) {}

  get db(): DataSource {
    return this.app.get(DataSource);
  }

  /** Seeds the demo district; its forum sources point at a closed port and are crawled once an hour. */
  async seed(): Promise<this> {
    const seeded = await seedDemo(this.app, 'http://127.0.0.1:9', { crawlIntervalSeconds: 3600 });
    this.sourceId = seeded.sources[0].id;
    return this;
  }

  async userId(username: string): Promise<number> {
    const [u] = await this.db.query(`SELECT id FROM users WHERE username = $1`, [username]);
    return u.id;
  }

  async areaId(code: string): Promise<number> {
    const [a] = await this.db.query(`SELECT id FROM areas WHERE code = $1`, [code]);
    return a.id;
  }

  login(username: string): Promise<Api> {
    return new Api(this.baseUrl).login(username, DEMO_PASSWORD);
  }

  /** Opens a case in `areaCode` for the rule `ruleCode` (level overridable), with one post behind it. */
  async openCase(areaCode: string, ruleCode: string, opts: { level?: string; body?: string } = {}): Promise<number> {
    const n = ++this.seq;
    const [rule] = await this.db.query(`SELECT id, category, level FROM rules WHERE code = $1`, [ruleCode]);
    const [post] = await this.app.get(PostsService).upsertMany(this.sourceId, [
      { externalId: `case-fixture-${n}-${Date.now()}`, url: `http://forum.invalid/t/${n}`, title: `帖子${n}`, body: opts.body ?? '小区里的事情一直没人管，大家都很有意见。', author: `住户${n}` },
    ]);
    const [c] = await this.db.query(
      `INSERT INTO cases (number, area_id, rule_id, category, level, status, version, post_count)
       VALUES ($1, $2, $3, $4, $5, 'new', 1, 1) RETURNING id`,
      [`TF-TEST-${process.pid}-${n}`, await this.areaId(areaCode), rule.id, rule.category, opts.level ?? rule.level],
    );
    await this.db.query(`INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2)`, [c.id, post.id]);
    await this.db.query(`INSERT INTO case_events (case_id, type, data) VALUES ($1, 'created', '{}')`, [c.id]);
    return c.id;
  }

  route(caseId: number) {
    return this.app.get(RoutingService).route(caseId);
  }

  async events(caseId: number): Promise<{ type: string; actor_id: number | null; data: Record<string, unknown> }[]> {
    return this.db.query(`SELECT type, actor_id, data FROM case_events WHERE case_id = $1 ORDER BY id`, [caseId]);
  }
}
