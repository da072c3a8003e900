import { DataSource } from 'typeorm';
import { AnalysisService } from '../../src/analysis/analysis.service';
import { CaseCorrelationService } from '../../src/cases/case-correlation.service';
import { seedDemo } from '../../src/demo/demo-seed';
import { PostsService } from '../../src/posts/posts.service';
import { RulesService } from '../../src/rules/rules.service';
import type { RunningService } from '../../src/service';
import { createTestEnv, eventually, TestEnv } from '../support/test-env';

/** An aggregate condition that holds raises the warning level of the open case its posts join. */
describe('aggregate rules raise the level of an open case', () => {
  let env: TestEnv;
  let service: RunningService;
  let db: DataSource;
  let sourceId: number;
  let n = 0;

  const ingest = async (title: string, body: string) => {
    const [p] = await service.app.get(PostsService).upsertMany(sourceId, [{ externalId: `agg-${++n}`, url: `http://forum.invalid/agg/${n}`, title, body, author: `居民${n}` }]);
    const outcome = await service.app.get(AnalysisService).analyze(p.id, p.contentHash);
    if (outcome.status !== 'analysed') throw new Error(outcome.status);
    return { analysis: outcome.analysis, results: await service.app.get(CaseCorrelationService).correlate(outcome.analysis) };
  };
  const caseRow = async (id: number) =>
    (await db.query(`SELECT level, status, post_count, due_acknowledge_at, due_settle_at FROM cases WHERE id = $1`, [id]))[0] as { level: string; due_acknowledge_at: Date | null };
  const raisedMessages = (id: number): Promise<{ recipient_user_id: number; title: string; body: string }[]> =>
    db.query(`SELECT recipient_user_id, title, body FROM notifications WHERE case_id = $1 AND event = 'level_raised' AND channel = 'inapp' ORDER BY id`, [id]);
  /** Active users of a role whose scope holds the case's area or an area above it. */
  const usersAbove = async (caseId: number, role: string): Promise<number[]> =>
    (
      await db.query(
        `WITH RECURSIVE up AS (SELECT a.id, a.parent_id FROM areas a JOIN cases c ON c.area_id = a.id WHERE c.id = $1
                               UNION ALL SELECT a.id, a.parent_id FROM areas a JOIN up ON a.id = up.parent_id)
         SELECT u.id FROM users u WHERE u.active AND u.role = $2 AND u.scope_area_ids && ARRAY(SELECT id FROM up) ORDER BY u.id`,
        [caseId, role],
      )
    ).map((r: { id: number }) => r.id);
  const raisedEvents = (id: number) => db.query(`SELECT actor_id, data FROM case_events WHERE case_id = $1 AND type = 'level_raised' ORDER BY id`, [id]);

  beforeAll(async () => {
    env = await createTestEnv();
    service = await env.start({ role: 'all', reconcile: { intervalSeconds: 3600, graceSeconds: 3600 } });
    const seeded = await seedDemo(service.app, 'http://127.0.0.1:9', { crawlIntervalSeconds: 3600 });
    sourceId = seeded.sources[0].id;
    db = service.app.get(DataSource);
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('raises the case another rule opened once enough authors report it, with a level_raised event, once', async () => {
    const rules = service.app.get(RulesService);
    await rules.upsert({ code: 'odor-report', name: '化工厂异味', level: 'blue', category: '大气与粉尘', kind: 'expression', definition: { expression: '化工厂 & 异味' } });
    await rules.upsert({
      code: 'odor-burst',
      name: '化工厂异味集中反映',
      level: 'orange',
      category: '大气与粉尘',
      kind: 'expression',
      definition: { expression: '化工厂 & 异味', aggregate: { type: 'frequency', windowHours: 24, minAuthors: 3 } },
    });
    const first = await ingest('潜龙小区旁化工厂异味', '潜龙小区旁边的化工厂晚上排放异味，味道刺鼻。');
    const caseId = first.results.find((r) => r.created)!.caseId;
    const [worker] = await db.query(`SELECT id FROM users WHERE role = 'worker' AND active ORDER BY id LIMIT 1`);
    await db.query(`UPDATE cases SET status = 'assigned', assignee_id = $2, due_acknowledge_at = now() + interval '1 day', due_settle_at = now() + interval '14 days' WHERE id = $1`, [caseId, worker.id]);
    expect((await caseRow(caseId)).level).toBe('blue');

    const second = await ingest('潜龙小区化工厂又有异味', '潜龙小区附近化工厂的异味今天又来了，窗户都不敢开。');
    expect(second.analysis.firedRules.map((f) => f.code).sort()).toEqual(['odor-burst', 'odor-report']);
    expect((await caseRow(caseId)).level).toBe('blue');
    expect(await raisedEvents(caseId)).toEqual([]);

    const third = await ingest('化工厂异味谁来管', '潜龙小区的居民都在反映化工厂异味的问题，希望有关部门查一查。');
    expect(third.results).toContainEqual(expect.objectContaining({ caseId, levelRaised: true }));
    // No separate case for the aggregate rule: the posts stay in the one case.
    expect(third.results.every((r) => r.caseId === caseId && !r.created)).toBe(true);
    const raised = await caseRow(caseId);
    expect(raised.level).toBe('orange');
    // Orange clocks are shorter: the acknowledge clock moved from a day away to within 30 minutes of the opening.
    expect(new Date(raised.due_acknowledge_at!).getTime()).toBeLessThan(Date.now() + 3_600_000);
    expect(await raisedEvents(caseId)).toEqual([
      {
        actor_id: null,
        data: expect.objectContaining({ from: 'blue', to: 'orange', ruleCode: 'odor-burst', postId: third.analysis.postId, aggregate: expect.objectContaining({ holds: true, authors: 3 }) }),
      },
    ]);

    // At 橙 the assignee and the area's supervisors are told, in Chinese, with the figures.
    const supervisors = await usersAbove(caseId, 'supervisor');
    expect(supervisors.length).toBeGreaterThan(0);
    const told = await raisedMessages(caseId);
    expect(told.map((m) => m.recipient_user_id).sort()).toEqual([worker.id, ...supervisors].sort());
    for (const m of told) {
      expect(m.title).toMatch(/^预警升级 TF-/);
      expect(m.body).toContain('预警等级已由蓝色升为橙色：近 24 小时内相关帖子 3 条、发帖人 3 位');
    }
    await eventually(async () => (await db.query(`SELECT count(*)::int AS n FROM notifications WHERE case_id = $1 AND event = 'level_raised' AND status <> 'delivered'`, [caseId]))[0].n === 0, 20_000, 'the messages delivered');

    // A fourth report keeps it at orange, with no second event and no second message.
    const fourth = await ingest('化工厂异味', '潜龙小区这边化工厂的异味一直没人处理。');
    expect(fourth.results.some((r) => r.levelRaised)).toBe(false);
    expect((await caseRow(caseId)).level).toBe('orange');
    expect(await raisedEvents(caseId)).toHaveLength(1);
    expect(await raisedMessages(caseId)).toHaveLength(told.length);
    // The same post correlated again (a job repeated after a crash) tells nobody twice.
    await service.app.get(CaseCorrelationService).correlate(third.analysis);
    expect(await raisedMessages(caseId)).toHaveLength(told.length);

    // Settled (at blue again, as if the level had been lowered by hand) and reopened by a new report that
    // also raises it: the settle clock runs from the reopening, not from the opening days ago.
    await db.query(
      `UPDATE cases SET status = 'settled', outcome = 'settled', level = 'blue', opened_at = now() - interval '20 days', closed_at = now() - interval '1 day', due_settle_at = now() - interval '2 days' WHERE id = $1`,
      [caseId],
    );
    const fifth = await ingest('化工厂异味又来了', '潜龙小区附近化工厂的异味又出现了，晚上特别明显。');
    expect(fifth.results).toContainEqual(expect.objectContaining({ caseId, reopened: true }));
    expect(fifth.results).toContainEqual(expect.objectContaining({ caseId, levelRaised: true }));
    const [back] = await db.query(`SELECT status, level, due_settle_at > now() AS settle_ahead FROM cases WHERE id = $1`, [caseId]);
    expect(back).toEqual({ status: 'assigned', level: 'orange', settle_ahead: true });
  });

  it("raises the aggregate rule's own open case to the condition's level and never lowers a higher one", async () => {
    const rules = service.app.get(RulesService);
    const definition = (level?: string) => ({ expression: '自来水 & 发黄', aggregate: { type: 'frequency', windowHours: 24, minPosts: 2, ...(level ? { level } : {}) } });
    await rules.upsert({ code: 'water-burst', name: '自来水发黄集中反映', level: 'yellow', category: '供水供电供气', kind: 'expression', definition: definition() });
    await ingest('樱花小区自来水发黄', '樱花小区今天的自来水发黄，不敢喝。');
    const opened = (await ingest('樱花小区自来水还是发黄', '樱花小区自来水发黄一整天了。')).results.find((r) => r.created)!;
    expect((await caseRow(opened.caseId)).level).toBe('yellow');

    await rules.upsert({ code: 'water-burst', name: '自来水发黄集中反映', level: 'yellow', category: '供水供电供气', kind: 'expression', definition: definition('red') });
    const third = await ingest('樱花小区自来水发黄没人管', '樱花小区的自来水发黄三天了。');
    expect(third.results).toEqual([expect.objectContaining({ caseId: opened.caseId, reason: 'same_rule', levelRaised: true })]);
    expect((await caseRow(opened.caseId)).level).toBe('red');
    // Nobody has the case yet: at 红 the area's supervisors and the officials above it are told.
    const officials = await usersAbove(opened.caseId, 'official');
    expect(officials.length).toBeGreaterThan(0);
    expect((await raisedMessages(opened.caseId)).map((m) => m.recipient_user_id).sort()).toEqual([...(await usersAbove(opened.caseId, 'supervisor')), ...officials].sort());

    await rules.upsert({ code: 'water-burst', name: '自来水发黄集中反映', level: 'yellow', category: '供水供电供气', kind: 'expression', definition: definition('orange') });
    const fourth = await ingest('樱花小区自来水发黄', '樱花小区自来水发黄，什么时候能修好。');
    expect(fourth.results).toEqual([expect.objectContaining({ caseId: opened.caseId, levelRaised: false })]);
    expect((await caseRow(opened.caseId)).level).toBe('red');
    expect((await raisedEvents(opened.caseId)).map((e: { data: { to: string } }) => e.data.to)).toEqual(['red']);
  });
});
