import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { Analysis } from '../analysis/analysis.entity';
import { AreasService } from '../areas/areas.service';
import { AppConfig } from '../config/app-config';
import { NotifyOutbox } from '../notify/notify-outbox.service';
import { AggregateCondition, AggregateOutcome, evaluateAggregate, raisedLevel } from '../rules/aggregate-rule';
import { Rule } from '../rules/rule.entity';
import { caseFromPosts, decideGrouping, GroupingPost, GroupingReason } from './case-grouping';
import type { Case } from './case.entity';
import { SlaScheduler } from './sla-scheduler.service';
import { CLOSED_STATUSES } from './case-lifecycle';

export interface CorrelationResult {
  caseId: number;
  created: boolean;
  attached: boolean;
  reopened?: boolean;
  /** An aggregate condition held and the open case's warning level went up (a 'level_raised' event). */
  levelRaised?: boolean;
  reason?: GroupingReason | 'same_rule';
  /** Outbox rows written with the change (a raised level, a reopened case): dispatched after the commit. */
  notificationIds?: number[];
}

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');
/** Closed cases that may come back (merged ones live on in the case they were merged into). */
const REOPENABLE_SQL = `'settled', 'dismissed'`;
const MAX_CANDIDATES = 50;
const POSTS_PER_CANDIDATE = 30;
/**
 * Correlation transactions one process runs at once (each holds a pooled connection, most of the time
 * waiting for its area's lock): well below the pool size, so the connections a lock holder's
 * counterpart needs (a route job's transaction, the analyses' writes) are never all taken by waiters.
 */
const TRANSACTIONS_IN_PARALLEL = 3;

interface CandidateRow {
  id: number;
  status: string;
  closed_at: Date | null;
  rule_id: number;
  area_id: number;
}

interface PostRow {
  case_id: number;
  post_id: number;
  at: Date;
  area_id: number | null;
  place_candidates: string[];
  simhash: string | null;
  domain: string | null;
  topics: string[];
  keywords: string[];
}

/**
 * Turns fired rules into cases. A post joins, in this order: the open case of the same area and rule;
 * another open case of its area that holds a near-duplicate (SimHash) or a same-topic post within the
 * window (cases/case-grouping.ts); a case of its area closed less than reopenDays ago that it matches
 * the same way, which is reopened (a 'reopened' timeline event); else it opens a case. Correlation
 * of one area is serialised (an advisory lock), and a partial unique index allows one open case per
 * area and rule, so concurrent and repeated jobs give the same cases.
 */
@Injectable()
export class CaseCorrelationService {
  private readonly gate = new Gate(TRANSACTIONS_IN_PARALLEL);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly sla: SlaScheduler,
    private readonly outbox: NotifyOutbox,
    private readonly areas: AreasService,
  ) {}

  /**
   * `cachedRule` (optional): the rule as the analysis just saw it (the worker's per-process cache of
   * enabled rules), which saves reading it again; a rule not found there is read from the database.
   */
  async correlate(analysis: Analysis, cachedRule?: (ruleId: number) => Rule | undefined): Promise<CorrelationResult[]> {
    return (await this.correlateMany([analysis], cachedRule))[0];
  }

  /**
   * Correlates many analyses (an analyze-batch job): one transaction per area, holding the area's
   * lock, for every fired rule of every post of that area, in the order given; areas run side by side,
   * at most TRANSACTIONS_IN_PARALLEL per process. Results per analysis, in the order of `analyses`. Idempotent like `correlate`:
   * a repeat finds each post in its case already.
   */
  async correlateMany(analyses: readonly Analysis[], cachedRule?: (ruleId: number) => Rule | undefined): Promise<CorrelationResult[][]> {
    const results: CorrelationResult[][] = analyses.map(() => []);
    const byArea = new Map<number, number[]>();
    const ruleIds = new Set<number>();
    analyses.forEach((a, i) => {
      if (a.areaId === null || a.firedRules.length === 0) return;
      byArea.set(a.areaId, [...(byArea.get(a.areaId) ?? []), i]);
      a.firedRules.forEach((f) => ruleIds.add(f.ruleId));
    });
    if (byArea.size === 0) return results;
    const rules = new Map<number, Rule>();
    const missing: number[] = [];
    for (const id of ruleIds) {
      const cached = cachedRule?.(id);
      if (cached) rules.set(id, cached);
      else missing.push(id);
    }
    if (missing.length) for (const rule of await this.db.getRepository(Rule).findBy({ id: In(missing) })) rules.set(rule.id, rule);

    // Messages name areas and find supervisors up the tree: read (and cached) before the transactions,
    // since loading it inside one would take a second connection while the area's lock is held.
    await this.areas.gazetteer();
    const areas = [...byArea.entries()];
    const correlateArea = async ([areaId, indexes]: [number, number[]]) => {
      const found = await this.gate.run(() => this.db.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('tingfeng-correlate-' || $1::text))`, [areaId]);
        return this.correlateArea(tx, areaId, indexes.map((index) => ({ index, analysis: analyses[index] })), rules);
      }));
      for (const { index, result } of found) {
        // A reopened case has a fresh settle clock, a raised level shorter clocks: timers follow once committed.
        if (result.reopened || result.levelRaised) await this.sla.sync(result.caseId);
        if (result.notificationIds?.length) await this.outbox.dispatch(result.notificationIds);
        results[index].push(result);
      }
    };
    let next = 0;
    const lane = async () => {
      while (next < areas.length) await correlateArea(areas[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(TRANSACTIONS_IN_PARALLEL, areas.length) }, lane));
    return results;
  }

  /**
   * The posts of one area, inside the transaction that holds the area's lock. In two round trips for
   * all of them: which (post, rule) pairs are in a case already (a repeat) and the open case of each
   * rule (locked). A post whose (non-aggregate) rule has an open case joins it, and these joins are
   * written together; any other pair takes the full way (`attach`: grouping, reopening, a new case),
   * after the joins before it were written, so the result is that of one post after the other.
   */
  private async correlateArea(
    tx: EntityManager,
    areaId: number,
    posts: { index: number; analysis: Analysis }[],
    rules: Map<number, Rule>,
  ): Promise<{ index: number; result: CorrelationResult }[]> {
    const postIds = posts.map((p) => p.analysis.postId);
    const ruleIds = [...new Set(posts.flatMap((p) => p.analysis.firedRules.map((f) => f.ruleId)))].filter((id) => rules.has(id));
    const doneRows: { post_id: number; rule_id: number; case_id: number }[] = await tx.query(
      `SELECT DISTINCT ON (cp.post_id, c.rule_id) cp.post_id, c.rule_id, cp.case_id FROM case_posts cp JOIN cases c ON c.id = cp.case_id
        WHERE cp.post_id = ANY($1::int[]) AND c.area_id = $2 AND c.rule_id = ANY($3::int[]) ORDER BY cp.post_id, c.rule_id, cp.case_id`,
      [postIds, areaId, ruleIds],
    );
    const openRows: { id: number; rule_id: number }[] = await tx.query(
      `SELECT id, rule_id FROM cases WHERE area_id = $1 AND rule_id = ANY($2::int[]) AND status NOT IN (${CLOSED_SQL}) ORDER BY id FOR UPDATE`,
      [areaId, ruleIds],
    );
    const done = new Map(doneRows.map((r) => [`${r.post_id}:${r.rule_id}`, r.case_id]));
    const open = new Map<number, number>();
    for (const r of openRows) if (!open.has(r.rule_id)) open.set(r.rule_id, r.id);

    const out: { index: number; result: CorrelationResult }[] = [];
    let joins: { index: number; caseId: number; postId: number }[] = [];
    const writeJoins = async () => {
      if (joins.length === 0) return;
      const attached = await this.attachPosts(tx, joins.map((j) => ({ caseId: j.caseId, postId: j.postId, reason: 'same_rule' as const })));
      joins.forEach((j, k) => out.push({ index: j.index, result: { caseId: j.caseId, created: false, attached: attached[k], reason: 'same_rule' } }));
      joins = [];
    };
    for (const { index, analysis } of posts) {
      for (const fired of analysis.firedRules) {
        const rule = rules.get(fired.ruleId);
        if (!rule) continue;
        const key = `${analysis.postId}:${rule.id}`;
        const doneIn = done.get(key);
        if (doneIn !== undefined) {
          out.push({ index, result: { caseId: doneIn, created: false, attached: false } });
          continue;
        }
        const aggregate = (rule.definition as { aggregate?: AggregateCondition }).aggregate;
        const same = open.get(rule.id);
        if (same !== undefined && !aggregate) {
          joins.push({ index, caseId: same, postId: analysis.postId });
          done.set(key, same);
          continue;
        }
        await writeJoins();
        const result = await this.attach(tx, analysis, areaId, rule);
        if (!result) continue;
        out.push({ index, result });
        if (result.created) open.set(rule.id, result.caseId);
        done.set(key, result.caseId);
      }
    }
    await writeJoins();
    // Results in the order of the posts (each post's rules in their order), whichever way they went.
    const order = new Map(posts.map((p, i) => [p.index, i]));
    return out.map((o, i) => ({ o, i })).sort((a, b) => order.get(a.o.index)! - order.get(b.o.index)! || a.i - b.i).map(({ o }) => o);
  }

  /** One fired rule of one post, inside the transaction that holds its area's lock. */
  private async attach(tx: EntityManager, analysis: Analysis, areaId: number, rule: Rule): Promise<CorrelationResult | null> {
    const { postId } = analysis;
    // A repeat (job retried after a crash): the post is already in a case of this rule. In the same
    // round trip: the open case of this area and rule, locked (the partial unique index allows one).
    const [{ done, same }]: { done: number | null; same: number | null }[] = await tx.query(
      `SELECT (SELECT cp.case_id FROM case_posts cp JOIN cases c ON c.id = cp.case_id WHERE cp.post_id = $1 AND c.area_id = $2 AND c.rule_id = $3 LIMIT 1) AS done,
              (SELECT id FROM cases WHERE area_id = $2 AND rule_id = $3 AND status NOT IN (${CLOSED_SQL}) LIMIT 1 FOR UPDATE) AS same`,
      [postId, areaId, rule.id],
    );
    if (done !== null) return { caseId: done, created: false, attached: false };

    // An aggregate rule opens a case only when enough matching posts of the area came together, and
    // raises the level of the open case a post of it joins while the condition holds.
    const aggregate = (rule.definition as { aggregate?: AggregateCondition }).aggregate;
    let aggregatePosts: number[] = [];
    let aggregateOutcome: ReturnType<typeof evaluateAggregate> | undefined;
    if (aggregate) {
      const span = aggregate.windowHours * (aggregate.type === 'spike' ? aggregate.baselineWindows + 1 : 1);
      const events: { post_id: number; at: Date; author: string | null }[] = await tx.query(
        `SELECT DISTINCT ON (p.id) p.id AS post_id, coalesce(p.published_at, p.fetched_at) AS at, p.author
           FROM analyses a JOIN posts p ON p.id = a.post_id
          WHERE a.area_id = $1 AND a.fired_rules @> $2::jsonb AND coalesce(p.published_at, p.fetched_at) > now() - make_interval(hours => $3)`,
        [areaId, JSON.stringify([{ ruleId: rule.id }]), span],
      );
      aggregateOutcome = evaluateAggregate(aggregate, events.map((e) => ({ at: new Date(e.at).getTime(), author: e.author })), Date.now());
      const windowStart = Date.now() - aggregate.windowHours * 3_600_000;
      aggregatePosts = events.filter((e) => new Date(e.at).getTime() > windowStart && e.post_id !== postId).map((e) => e.post_id);
    }

    const raise = async (r: CorrelationResult): Promise<CorrelationResult> => {
      if (!aggregate || !aggregateOutcome?.holds) return r;
      const notified = await this.raiseLevel(tx, r.caseId, areaId, aggregate, aggregateOutcome, rule, postId);
      return notified === null ? { ...r, levelRaised: false } : { ...r, levelRaised: true, notificationIds: [...(r.notificationIds ?? []), ...notified] };
    };

    if (same !== null) return raise(await this.attachPost(tx, same, postId, 'same_rule'));

    const grouped = await this.group(tx, analysis, areaId, rule.id);
    if (grouped?.action === 'attach') return raise(await this.attachPost(tx, grouped.caseId, postId, grouped.reason));
    if (grouped?.action === 'reopen') {
      const [{ level }]: { level: Case['level'] }[] = await tx.query(`SELECT level FROM cases WHERE id = $1`, [grouped.caseId]);
      // An UPDATE through TypeORM's query() answers [rows, count].
      const [reopened]: [{ id: number; assignee_id: number | null }[], number] = await tx.query(
        `UPDATE cases SET status = CASE WHEN assignee_id IS NULL THEN 'new' ELSE 'assigned' END, closed_at = NULL, outcome = NULL,
                escalation_level = 0, due_settle_at = $2, version = version + 1
          WHERE id = $1 AND status IN (${REOPENABLE_SQL}) RETURNING id, assignee_id`,
        [grouped.caseId, this.sla.dueFields(new Date(), level).dueSettleAt],
      );
      if (reopened.length) {
        await tx.query(`INSERT INTO case_events (case_id, type, data) VALUES ($1, 'reopened', $2)`, [
          grouped.caseId,
          { postId, reason: grouped.reason, ruleId: rule.id, ruleCode: rule.code, ruleVersion: rule.version },
        ]);
        // The worker who had it hears that it is back; a case nobody had goes to routing (the analyze job).
        const assignee = reopened[0].assignee_id;
        const notificationIds = assignee === null ? [] : await this.outbox.write(tx, { caseId: grouped.caseId, event: 'reopened', recipients: [assignee], data: { auto: true, postId, grouping: grouped.reason } });
        return raise({ ...(await this.attachPost(tx, grouped.caseId, postId, grouped.reason)), reopened: true, notificationIds });
      }
      // Reopened by hand since it was picked (the UPDATE found it open): the post joins it like any open case.
      const [now]: { status: string }[] = await tx.query(`SELECT status FROM cases WHERE id = $1`, [grouped.caseId]);
      if (now && !CLOSED_STATUSES.includes(now.status as never)) return raise(await this.attachPost(tx, grouped.caseId, postId, grouped.reason));
    }

    // An aggregate rule opens a case only when enough matching posts of the area came together.
    if (aggregate && !aggregateOutcome?.holds) return null;

    const created: { id: number }[] = await tx.query(
      `INSERT INTO cases (number, area_id, rule_id, category, level, status, version)
       VALUES ('TF-' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(nextval('case_number_seq')::text, 6, '0'),
               $1, $2, $3, $4, 'new', 1)
       ON CONFLICT (area_id, rule_id) WHERE status NOT IN (${CLOSED_SQL}) DO NOTHING
       RETURNING id`,
      [areaId, rule.id, rule.category, aggregate?.level ?? rule.level],
    );
    if (created.length === 0) throw new Error(`open case for area ${areaId} and rule ${rule.id} appeared meanwhile; retrying`);
    const caseId = created[0].id;
    await tx.query(`INSERT INTO case_events (case_id, type, data) VALUES ($1, 'created', $2)`, [
      caseId,
      { ruleId: rule.id, ruleCode: rule.code, ruleVersion: rule.version, areaId, level: aggregate?.level ?? rule.level, postId, ...(aggregateOutcome ? { aggregate: aggregateOutcome } : {}) },
    ]);
    for (const earlier of aggregatePosts) await this.attachPost(tx, caseId, earlier, 'same_rule');
    return { ...(await this.attachPost(tx, caseId, postId, 'same_rule')), created: true };
  }

  /** The grouping decision against the other open cases of the area and its recently closed ones. */
  private async group(tx: EntityManager, analysis: Analysis, areaId: number, ruleId: number) {
    const { windowDays, reopenDays, duplicateBits } = this.config.analysis.grouping;
    const candidates: CandidateRow[] = await tx.query(
      `SELECT c.id, c.status, c.closed_at, c.rule_id, c.area_id FROM cases c
        WHERE c.area_id = $1
          AND ((c.status NOT IN (${CLOSED_SQL}) AND c.rule_id <> $2)
            OR (c.status IN (${REOPENABLE_SQL}) AND c.closed_at >= now() - make_interval(days => $3)
                AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.area_id = c.area_id AND o.rule_id = c.rule_id AND o.status NOT IN (${CLOSED_SQL}))))
        ORDER BY c.id DESC LIMIT ${MAX_CANDIDATES}`,
      [areaId, ruleId, reopenDays],
    );
    if (candidates.length === 0) return null;
    const rows: PostRow[] = await tx.query(
      `SELECT x.case_id, x.post_id, x.at, a.area_id, a.place_candidates, a.simhash, a.domain, a.topics, a.keywords
         FROM (SELECT cp.case_id, cp.post_id, coalesce(p.published_at, p.fetched_at) AS at,
                      row_number() OVER (PARTITION BY cp.case_id ORDER BY cp.post_id DESC) AS n
                 FROM case_posts cp JOIN posts p ON p.id = cp.post_id WHERE cp.case_id = ANY($1)) x
         JOIN LATERAL (SELECT * FROM analyses WHERE post_id = x.post_id ORDER BY id DESC LIMIT 1) a ON true
        WHERE x.n <= ${POSTS_PER_CANDIDATE}`,
      [candidates.map((c) => c.id)],
    );
    const toPost = (r: Omit<PostRow, 'case_id'>): GroupingPost => ({
      postId: r.post_id,
      at: new Date(r.at).getTime(),
      areaId: r.area_id,
      places: r.place_candidates ?? [],
      simhash: r.simhash,
      domain: r.domain,
      topics: r.topics ?? [],
      keywords: r.keywords ?? [],
    });
    const cases = candidates.map((c) =>
      caseFromPosts(
        c.id,
        rows.filter((r) => r.case_id === c.id).map(toPost),
        CLOSED_STATUSES.includes(c.status as never) ? { open: false, closedAt: c.closed_at ? new Date(c.closed_at).getTime() : null } : { open: true, closedAt: null },
      ),
    );
    const [post] = await tx.query(`SELECT coalesce(published_at, fetched_at) AS at FROM posts WHERE id = $1`, [analysis.postId]);
    // Closed-case recency is measured from now (when the dispute came back), open-case windows from the post's time.
    const at = post ? new Date(post.at).getTime() : Date.now();
    const decision = decideGrouping(
      toPost({ post_id: analysis.postId, at: new Date(at), area_id: analysis.areaId, place_candidates: analysis.placeCandidates, simhash: analysis.simhash, domain: analysis.domain, topics: analysis.topics, keywords: analysis.keywords }),
      cases.map((c) => (c.open ? c : { ...c, closedAt: c.closedAt === null ? null : c.closedAt - (Date.now() - at) })),
      { windowDays, reopenDays, duplicateBits },
    );
    return decision.action === 'open' ? null : (decision as { action: 'attach' | 'reopen'; caseId: number; reason: GroupingReason });
  }

  /**
   * Raises an open case's warning level to the aggregate's level (default: the rule's) when that is
   * higher, with a 'level_raised' timeline event; clocks not yet met are shortened to the new level's
   * (never lengthened). The assignee (the area's supervisors while nobody has it) is told; at 橙 the
   * supervisors too, at 红 also the officials. Returns the outbox rows written, or null when the level
   * did not go up.
   */
  private async raiseLevel(tx: EntityManager, caseId: number, areaId: number, aggregate: AggregateCondition, outcome: AggregateOutcome, rule: Rule, postId: number): Promise<number[] | null> {
    const [c]: { level: string; opened_at: Date; reopened_at: Date | null; status: string; assignee_id: number | null; due_acknowledge_at: Date | null; due_contact_at: Date | null; due_response_at: Date | null; due_settle_at: Date | null }[] =
      await tx.query(
        `SELECT level, opened_at, (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.type = 'reopened') AS reopened_at,
                status, assignee_id, due_acknowledge_at, due_contact_at, due_response_at, due_settle_at FROM cases c WHERE id = $1 FOR UPDATE`,
        [caseId],
      );
    if (!c || CLOSED_STATUSES.includes(c.status as never)) return null;
    const to = raisedLevel(c.level, aggregate, rule.level);
    if (!to) return null;
    const due = this.sla.dueFields(new Date(c.opened_at), to);
    // A reopened case's settle clock runs from its reopening (as the reopen set it), not from the opening.
    if (c.reopened_at) due.dueSettleAt = this.sla.dueFields(new Date(c.reopened_at), to).dueSettleAt;
    const earlier = (current: Date | null, next: Date | null) => (current && next ? (next < new Date(current) ? next : new Date(current)) : (next ?? current));
    await tx.query(
      `UPDATE cases SET level = $2, due_acknowledge_at = $3, due_contact_at = $4, due_response_at = $5, due_settle_at = $6, version = version + 1 WHERE id = $1`,
      [caseId, to, earlier(c.due_acknowledge_at, due.dueAcknowledgeAt), earlier(c.due_contact_at, due.dueContactAt), earlier(c.due_response_at, due.dueResponseAt), earlier(c.due_settle_at, due.dueSettleAt)],
    );
    await tx.query(`INSERT INTO case_events (case_id, type, data) VALUES ($1, 'level_raised', $2)`, [
      caseId,
      { from: c.level, to, before: { level: c.level }, after: { level: to }, ruleId: rule.id, ruleCode: rule.code, ruleVersion: rule.version, postId, aggregate: outcome },
    ]);
    const supervisors = () => this.outbox.usersAbove(tx, areaId, 'supervisor');
    const recipients = c.assignee_id !== null ? [c.assignee_id] : await supervisors();
    if (to === 'orange' || to === 'red') recipients.push(...(await supervisors()));
    if (to === 'red') recipients.push(...(await this.outbox.usersAbove(tx, areaId, 'official')));
    return this.outbox.write(tx, {
      caseId,
      event: 'level_raised',
      recipients,
      data: { from: c.level, to, windowHours: aggregate.windowHours, posts: outcome.posts, authors: outcome.authors },
    });
  }

  /**
   * `attachPost` for many (case, post) pairs in one statement, in their order: the links, and for the
   * new ones the cases' counts and the timeline entries. Returns, per pair, whether it was new.
   */
  private async attachPosts(tx: EntityManager, pairs: { caseId: number; postId: number; reason: GroupingReason | 'same_rule' }[]): Promise<boolean[]> {
    const rows: { case_id: number; post_id: number }[] = await tx.query(
      `WITH v AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(i int, case_id int, post_id int, reason text)
       ), ins AS (
         INSERT INTO case_posts (case_id, post_id) SELECT case_id, post_id FROM v ORDER BY i ON CONFLICT DO NOTHING RETURNING case_id, post_id
       ), n AS (
         SELECT case_id, count(*)::int AS n FROM ins GROUP BY case_id
       ), counted AS (
         UPDATE cases c SET post_count = c.post_count + n.n, version = c.version + n.n FROM n WHERE c.id = n.case_id
       ), logged AS (
         INSERT INTO case_events (case_id, type, data)
         SELECT v.case_id, 'post_attached', jsonb_build_object('postId', v.post_id, 'reason', v.reason)
           FROM v JOIN ins ON ins.case_id = v.case_id AND ins.post_id = v.post_id ORDER BY v.i
       )
       SELECT case_id, post_id FROM ins`,
      [JSON.stringify(pairs.map((p, i) => ({ i, case_id: p.caseId, post_id: p.postId, reason: p.reason })))],
    );
    const added = new Set(rows.map((r) => `${r.case_id}:${r.post_id}`));
    return pairs.map((p) => added.delete(`${p.caseId}:${p.postId}`));
  }

  private async attachPost(tx: EntityManager, caseId: number, postId: number, reason: GroupingReason | 'same_rule'): Promise<CorrelationResult> {
    // One statement: the link, and only when it is new, the case's count and the timeline entry.
    const [{ n }]: { n: number }[] = await tx.query(
      `WITH ins AS (
         INSERT INTO case_posts (case_id, post_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING post_id
       ), counted AS (
         UPDATE cases SET post_count = post_count + 1, version = version + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM ins)
       ), logged AS (
         INSERT INTO case_events (case_id, type, data) SELECT $1, 'post_attached', $3::jsonb FROM ins
       )
       SELECT count(*)::int AS n FROM ins`,
      [caseId, postId, JSON.stringify({ postId, reason })],
    );
    return { caseId, created: false, attached: n > 0, reason };
  }
}

/** At most `size` tasks at a time; the others wait their turn (first come, first served). */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
