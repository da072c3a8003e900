import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import { User } from '../auth/user.entity';
import { CaseEvent } from '../cases/case-event.entity';
import { CLOSED_STATUSES } from '../cases/case-lifecycle';
import { Case } from '../cases/case.entity';
import { SlaScheduler } from '../cases/sla-scheduler.service';
import { NotifyOutbox } from '../notify/notify-outbox.service';
import { extractCounterparty } from './counterparty';
import { chooseTeamMember, matchResponsibility } from './routing-matrix';
import { chooseAssignee, RoutingCandidate } from './routing.policy';
import { Responsibility, Team, TeamMember } from './team.entity';

export type RouteOutcome = 'assigned' | 'already_assigned' | 'no_candidate' | 'case_missing';

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * Hands a new case to the person responsible: the responsibility matrix (area subtree × category →
 * team, most specific cell) and the team's strategy; when no cell applies or nobody in the team can
 * take it, the walk up the area tree (`chooseAssignee`). Stores the SLA due times and the
 * counterparty named in the posts. Routing a case twice assigns it once (row lock, status check).
 */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
    private readonly sla: SlaScheduler,
    private readonly outbox: NotifyOutbox,
  ) {}

  async route(caseId: number): Promise<RouteOutcome> {
    let notificationIds: number[] = [];
    // The area tree is read (and cached) before the transaction: loading it inside would need a second
    // pooled connection while this one holds the case's row lock, which correlation may be waiting for.
    await this.areas.gazetteer();
    const outcome = await this.db.transaction(async (tx): Promise<RouteOutcome> => {
      const c = await tx.getRepository(Case).createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :caseId', { caseId }).getOne();
      if (!c) return 'case_missing';
      if (c.status !== 'new' || c.assigneeId !== null) return 'already_assigned';
      const prepared: Partial<Pick<Case, 'dueAcknowledgeAt' | 'dueContactAt' | 'dueResponseAt' | 'dueSettleAt' | 'counterparty'>> = {};
      if (!c.dueAcknowledgeAt) Object.assign(prepared, this.sla.dueFields(c.openedAt, c.level));
      if (!c.counterparty) prepared.counterparty = await this.counterparty(tx, caseId);
      const chain = (await this.areas.chain(c.areaId)).map((a) => a.id);
      const decision = (await this.viaMatrix(tx, chain, c.category)) ?? this.viaTree(chain, await this.candidates(tx, chain));
      if (!decision) {
        if (Object.keys(prepared).length) await tx.getRepository(Case).update(caseId, prepared);
        this.logger.warn({ caseId, areaId: c.areaId }, 'nobody on duty is responsible for this area; the case stays new');
        return 'no_candidate';
      }
      await tx.getRepository(Case).update(caseId, {
        ...prepared,
        assigneeId: decision.assigneeId,
        teamId: decision.teamId ?? null,
        status: 'assigned',
        assignedAt: new Date(),
        version: c.version + 1,
      });
      if (decision.teamId) await tx.getRepository(Team).update(decision.teamId, { lastAssigneeId: decision.assigneeId });
      await tx.getRepository(CaseEvent).save({ caseId, type: 'assigned', actorId: null, data: { ...decision, from: c.status, to: 'assigned' } });
      notificationIds = await this.outbox.write(tx, { caseId, event: 'assigned', recipients: [decision.assigneeId] });
      return 'assigned';
    });
    await this.outbox.dispatch(notificationIds);
    if (outcome === 'assigned' || outcome === 'no_candidate') await this.sla.sync(caseId);
    return outcome;
  }

  private async viaMatrix(tx: EntityManager, chain: number[], category: string | null) {
    const cells = await tx.getRepository(Responsibility).find();
    const cell = matchResponsibility(chain, category, cells);
    if (!cell) return null;
    const team = await tx.getRepository(Team).createQueryBuilder('t').setLock('pessimistic_write').where('t.id = :id', { id: cell.teamId }).getOne();
    if (!team) return null;
    const rows: (TeamMember & { open_cases: number })[] = await tx.query(
      `SELECT m.user_id, m.capacity, m.specialties, m.on_duty, m.duty_schedule,
              (SELECT count(*)::int FROM cases c WHERE c.assignee_id = m.user_id AND c.status NOT IN (${CLOSED_SQL})) AS open_cases
       FROM team_members m JOIN users u ON u.id = m.user_id
       WHERE m.team_id = $1 AND u.active AND u.role IN ('worker', 'supervisor', 'official')`,
      [team.id],
    );
    const assigneeId = chooseTeamMember(
      rows.map((r) => {
        const raw = r as unknown as { user_id: number; capacity: number; specialties: string[]; on_duty: boolean; duty_schedule: TeamMember['dutySchedule']; open_cases: number };
        return { userId: raw.user_id, capacity: raw.capacity, openCases: raw.open_cases, specialties: raw.specialties, onDuty: raw.on_duty, dutySchedule: raw.duty_schedule };
      }),
      { strategy: team.strategy, lastAssigneeId: team.lastAssigneeId, category, now: new Date() },
    );
    if (assigneeId === null) return null;
    return { assigneeId, teamId: team.id, responsibilityId: cell.id, viaAreaId: cell.areaId, reason: `team_${team.strategy}` };
  }

  private viaTree(chain: number[], candidates: RoutingCandidate[]) {
    const d = chooseAssignee(chain, candidates);
    return d && { ...d, teamId: null as number | null };
  }

  private async counterparty(tx: EntityManager, caseId: number) {
    const posts: { title: string; body: string }[] = await tx.query(
      `SELECT p.title, p.body FROM case_posts cp JOIN posts p ON p.id = cp.post_id WHERE cp.case_id = $1 ORDER BY cp.attached_at LIMIT 20`,
      [caseId],
    );
    for (const p of posts) {
      const found = extractCounterparty(`${p.title ?? ''}。${p.body ?? ''}`);
      if (found) return found;
    }
    return null;
  }

  private async candidates(tx: EntityManager, chain: number[]): Promise<RoutingCandidate[]> {
    const rows = (await tx.query(
      `SELECT u.id, u.role, u.scope_area_ids, u.on_duty,
              (SELECT count(*)::int FROM cases c WHERE c.assignee_id = u.id AND c.status NOT IN (${CLOSED_SQL})) AS open_cases
       FROM users u WHERE u.active AND u.scope_area_ids && $1::int[]`,
      [chain],
    )) as { id: number; role: User['role']; scope_area_ids: number[]; on_duty: boolean; open_cases: number }[];
    return rows.map((r) => ({ id: r.id, role: r.role, scopeAreaIds: r.scope_area_ids, onDuty: r.on_duty, openCases: r.open_cases }));
  }
}
