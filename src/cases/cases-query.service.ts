import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { Analysis } from '../analysis/analysis.entity';
import { AreasService } from '../areas/areas.service';
import type { Actor } from '../auth/actor';
import { notFound } from '../common/app-error';
import { maskPersonalData } from '../analysis/personal-data';
import { Post } from '../posts/post.entity';
import { CaseCommitment } from './case-commitment.entity';
import { CaseContact } from './case-contact.entity';
import { CaseEvent } from './case-event.entity';
import type { SlaClock } from './sla-calendar';
import { OVERDUE_SQL, overdueClocks } from './sla-config';
import type { CaseOutcome, CaseStatus } from './case-lifecycle';
import type { WarningLevel } from '../rules/rule.entity';
import { CasePost } from './case-post.entity';
import { Case } from './case.entity';
import { CaseResponse } from './response.entity';

export interface CaseListQuery {
  status?: CaseStatus[];
  assignedToMe?: boolean;
  overdue?: boolean;
  /** Opened in [openedFrom, openedTo) (either end optional). */
  openedFrom?: Date;
  openedTo?: Date;
  /** level (default): level, newest first. urgency (the inbox): level, overdue first, then the earliest due time. */
  sort?: 'level' | 'urgency';
  page: number;
  pageSize: number;
}

/** Counters of the cases a list query selects (the inbox's figures, without downloading the cases). */
export interface CaseSummary {
  total: number;
  open: number;
  /** Open and not yet acknowledged (new or assigned). */
  unacknowledged: number;
  overdue: number;
  /** Open at level red or orange. */
  high: number;
  /** The database's clock when counted (ISO 8601): a case opened or assigned after it is news at the next look. */
  asOf: string;
}

export type CaseWithSla = Case & { overdue: boolean; overdueClocks: SlaClock[] };

/** The case with its computed SLA state: which clocks have run out. */
function withSla(c: Case, now: Date): CaseWithSla {
  const clocks = overdueClocks(c, now);
  return { ...c, overdue: clocks.length > 0, overdueClocks: clocks };
}

/** A case as listed: what an inbox or a case list shows (not free-text reasons), timestamps as ISO 8601 strings. */
export interface CaseListItem {
  id: number;
  number: string;
  areaId: number;
  ruleId: number;
  category: string | null;
  level: WarningLevel;
  status: CaseStatus;
  assigneeId: number | null;
  teamId: number | null;
  outcome: CaseOutcome | null;
  postCount: number;
  escalationLevel: number;
  mergedIntoId: number | null;
  handoverDepartment: string | null;
  openedAt: string;
  assignedAt: string | null;
  acknowledgedAt: string | null;
  firstContactAt: string | null;
  firstResponseAt: string | null;
  closedAt: string | null;
  handoverAt: string | null;
  handoverAcknowledgedAt: string | null;
  dueAcknowledgeAt: string | null;
  dueContactAt: string | null;
  dueResponseAt: string | null;
  dueSettleAt: string | null;
  version: number;
  overdue: boolean;
  overdueClocks: SlaClock[];
}

/** A timestamptz column as JSON would carry a Date: 2026-11-27T03:45:13.123Z. */
const iso = (column: string, as: string) => `to_char(c.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${as}"`;

/** OVERDUE_SQL, false rather than null when a due time is missing. */
const OVERDUE_OR_FALSE = `COALESCE(${OVERDUE_SQL}, false)`;

/** SQL twin of `overdueClocks` (sla-config.ts): the clocks of an open case that have run out, in SLA_CLOCKS order. */
const OVERDUE_CLOCKS_SQL = `CASE WHEN c.status IN ('settled', 'dismissed', 'merged') THEN '{}'::text[] ELSE array_remove(ARRAY[
    CASE WHEN c.due_acknowledge_at <= now() AND c.acknowledged_at IS NULL THEN 'acknowledge' END,
    CASE WHEN c.due_contact_at <= now() AND c.first_contact_at IS NULL AND c.first_response_at IS NULL THEN 'contact' END,
    CASE WHEN c.due_response_at <= now() AND c.first_response_at IS NULL THEN 'response' END,
    CASE WHEN c.due_settle_at <= now() AND c.closed_at IS NULL THEN 'settle' END]::text[], NULL) END`;

const LIST_COLUMNS = [
  'c.id',
  'c.number',
  'c.area_id AS "areaId"',
  'c.rule_id AS "ruleId"',
  'c.category',
  'c.level',
  'c.status',
  'c.assignee_id AS "assigneeId"',
  'c.team_id AS "teamId"',
  'c.outcome',
  'c.post_count AS "postCount"',
  'c.escalation_level AS "escalationLevel"',
  'c.merged_into_id AS "mergedIntoId"',
  'c.handover_department AS "handoverDepartment"',
  iso('opened_at', 'openedAt'),
  iso('assigned_at', 'assignedAt'),
  iso('acknowledged_at', 'acknowledgedAt'),
  iso('first_contact_at', 'firstContactAt'),
  iso('first_response_at', 'firstResponseAt'),
  iso('closed_at', 'closedAt'),
  iso('handover_at', 'handoverAt'),
  iso('handover_acknowledged_at', 'handoverAcknowledgedAt'),
  iso('due_acknowledge_at', 'dueAcknowledgeAt'),
  iso('due_contact_at', 'dueContactAt'),
  iso('due_response_at', 'dueResponseAt'),
  iso('due_settle_at', 'dueSettleAt'),
  'c.version',
  `${OVERDUE_OR_FALSE} AS overdue`,
  `${OVERDUE_CLOCKS_SQL} AS "overdueClocks"`,
].join(', ');

/** Most urgent first: the order of the list (and of the index cases_list_order). */
const LEVEL_RANK_SQL = "(CASE c.level WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2 ELSE 3 END)";

const OPEN_SQL = "c.status NOT IN ('settled', 'dismissed', 'merged')";

/**
 * When an open case is next due: the earliest clock not yet met, else when it was opened (a closed case: when it
 * was opened): the console's dueAt, with the opening time as the fallback the inbox sorted by before the server did.
 */
const NEXT_DUE_SQL = `COALESCE(CASE WHEN ${OPEN_SQL} THEN LEAST(
    CASE WHEN c.acknowledged_at IS NULL THEN c.due_acknowledge_at END,
    CASE WHEN c.first_contact_at IS NULL AND c.first_response_at IS NULL THEN c.due_contact_at END,
    CASE WHEN c.first_response_at IS NULL THEN c.due_response_at END,
    CASE WHEN c.closed_at IS NULL THEN c.due_settle_at END) END, c.opened_at)`;

/** Sort keys (selected as k1, k2… beside c.id) and their order, per list sort. */
const SORTS = {
  level: { keys: `${LEVEL_RANK_SQL} AS k1, c.opened_at AS k2`, order: (p: string) => `${p}k1, ${p}k2 DESC, ${p}id DESC` },
  urgency: { keys: `${LEVEL_RANK_SQL} AS k1, ${OVERDUE_OR_FALSE} AS k2, ${NEXT_DUE_SQL} AS k3`, order: (p: string) => `${p}k1, ${p}k2 DESC, ${p}k3, ${p}id` },
} as const;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Reads cases; what an actor may see is decided in the query (scope), not after it. */
@Injectable()
export class CasesQueryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  /**
   * One page of the cases the actor may see, most urgent first (level, then newest, then id, so pages
   * never overlap), with the total. One statement: only the columns a list shows, timestamps
   * formatted as ISO 8601 and the overdue clocks computed by Postgres, the total from a window count,
   * so nothing is hydrated into entities and no Date is parsed or formatted here (the list is the
   * busiest read of the API). `OFFSET 0` keeps the lateral read per row of the page (an index
   * lookup each) instead of a join over every case.
   */
  async list(actor: Actor, query: CaseListQuery): Promise<Page<CaseListItem>> {
    const { where, params } = await this.listFilter(actor, query);
    const limit = params.push(query.pageSize);
    const offset = params.push((query.page - 1) * query.pageSize);
    // The page is chosen on the sort keys alone; only its rows are then read whole and formatted.
    const sort = SORTS[query.sort ?? 'level'];
    const sql = `SELECT x.*, p.total FROM (
        SELECT c.id, ${sort.keys}, count(*) OVER ()::int AS total FROM cases c WHERE ${where.join(' AND ')}
        ORDER BY ${sort.order('')} LIMIT $${limit} OFFSET $${offset}) p
      CROSS JOIN LATERAL (SELECT ${LIST_COLUMNS} FROM cases c WHERE c.id = p.id OFFSET 0) x
      ORDER BY ${sort.order('p.')}`;
    const rows: (CaseListItem & { total: number })[] = await this.db.query(sql, params);
    let total = rows[0]?.total ?? 0;
    if (rows.length === 0 && query.page > 1) {
      // Past the last page: the window count saw no row, count separately.
      const [counted] = await this.db.query(`SELECT count(*)::int AS n FROM cases c WHERE ${where.join(' AND ')}`, params.slice(0, limit - 1));
      total = counted.n;
    }
    for (const row of rows) delete (row as { total?: number }).total;
    return { items: rows, total, page: query.page, pageSize: query.pageSize };
  }

  /** The counters of what `list` would select (all pages), in one statement. */
  async summary(actor: Actor, query: Omit<CaseListQuery, 'page' | 'pageSize' | 'sort'>): Promise<CaseSummary> {
    const { where, params } = await this.listFilter(actor, query);
    const [row] = await this.db.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE ${OPEN_SQL})::int AS open,
              count(*) FILTER (WHERE c.status IN ('new', 'assigned'))::int AS unacknowledged,
              count(*) FILTER (WHERE ${OVERDUE_OR_FALSE})::int AS overdue,
              count(*) FILTER (WHERE ${OPEN_SQL} AND c.level IN ('red', 'orange'))::int AS high,
              to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "asOf"
         FROM cases c WHERE ${where.join(' AND ')}`,
      params,
    );
    return row as CaseSummary;
  }

  /** The conditions of a list query: the actor's scope (own cases or the areas below theirs) and the filters. */
  private async listFilter(actor: Actor, query: Pick<CaseListQuery, 'status' | 'assignedToMe' | 'overdue' | 'openedFrom' | 'openedTo'>): Promise<{ where: string[]; params: unknown[] }> {
    const visible = await this.areas.subtreeIds(actor.scopeAreaIds);
    const params: unknown[] = [actor.id, visible];
    const where = ['(c.assignee_id = $1 OR c.area_id = ANY($2::int[]))'];
    if (query.status?.length) where.push(`c.status = ANY($${params.push(query.status)}::text[])`);
    if (query.assignedToMe) where.push('c.assignee_id = $1');
    if (query.overdue !== undefined) where.push(query.overdue ? OVERDUE_OR_FALSE : `NOT ${OVERDUE_OR_FALSE}`);
    if (query.openedFrom) where.push(`c.opened_at >= $${params.push(query.openedFrom)}`);
    if (query.openedTo) where.push(`c.opened_at < $${params.push(query.openedTo)}`);
    return { where, params };
  }

  /** The case with the posts behind it (and why each matched), its responses and its timeline. */
  async detail(actor: Actor, caseId: number) {
    const found = await this.visible(actor, caseId);
    const links = await this.db.getRepository(CasePost).find({ where: { caseId }, order: { attachedAt: 'ASC' } });
    const postIds = links.map((l) => l.postId);
    const [posts, analyses, events, responses] = await Promise.all([
      postIds.length ? this.db.getRepository(Post).findBy({ id: In(postIds) }) : [],
      postIds.length ? this.db.getRepository(Analysis).find({ where: { postId: In(postIds) }, order: { id: 'DESC' } }) : [],
      this.db.getRepository(CaseEvent).find({ where: { caseId }, order: { id: 'ASC' } }),
      this.db.getRepository(CaseResponse).find({ where: { caseId }, order: { id: 'ASC' } }),
    ]);
    const area = await this.areas.get(found.areaId);
    const [contacts, commitments] = await Promise.all([
      this.db.getRepository(CaseContact).find({ where: { caseId }, order: { id: 'ASC' } }),
      this.db.getRepository(CaseCommitment).find({ where: { caseId }, order: { id: 'ASC' } }),
    ]);
    // Personal data in residents' words is masked for everyone; the assignee or the responsible
    // supervisor reveals one post at a time with a recorded reason (CasePrivacyService.reveal).
    return {
      ...withSla(found, new Date()),
      contacts: contacts.map((c) => ({ ...c, party: maskPersonalData(c.party), summary: maskPersonalData(c.summary) })),
      commitments,
      area: area && { id: area.id, code: area.code, name: area.name, level: area.level },
      posts: postIds
        .map((id) => posts.find((p) => p.id === id))
        .filter((p): p is Post => !!p)
        .map((post) => {
          const analysis = analyses.find((a) => a.postId === post.id && a.contentHash === post.contentHash);
          return {
            ...post,
            title: maskPersonalData(post.title),
            body: maskPersonalData(post.body),
            analysis: analysis && {
              keywords: analysis.keywords.filter((k) => maskPersonalData(k) === k),
              areaId: analysis.areaId,
              areaConfidence: analysis.areaConfidence,
              matchedAlias: analysis.matchedAlias,
              category: analysis.category,
              firedRules: analysis.firedRules,
            },
          };
        }),
      responses,
      timeline: events,
    };
  }

  /** The case, when the actor may see it (else 404, which says nothing about cases outside the scope). */
  async visible(actor: Actor, caseId: number): Promise<Case> {
    const found = await this.db.getRepository(Case).findOneBy({ id: caseId });
    if (!found || !(await this.canSee(actor, found))) throw notFound('Case', caseId);
    return found;
  }

  private async canSee(actor: Actor, c: Case): Promise<boolean> {
    return c.assigneeId === actor.id || (await this.areas.subtreeIds(actor.scopeAreaIds)).includes(c.areaId);
  }
}
