import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import { User } from '../auth/user.entity';
import { CaseEvent } from '../cases/case-event.entity';
import { CLOSED_STATUSES } from '../cases/case-lifecycle';
import { Case } from '../cases/case.entity';
import { chooseAssignee, RoutingCandidate } from './routing.policy';

export type RouteOutcome = 'assigned' | 'already_assigned' | 'no_candidate' | 'case_missing';

/** Hands a new case to the person responsible for its area. Routing a case twice assigns it once. */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  async route(caseId: number): Promise<RouteOutcome> {
    return this.db.transaction(async (tx) => {
      const c = await tx.getRepository(Case).createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :caseId', { caseId }).getOne();
      if (!c) return 'case_missing';
      if (c.status !== 'new' || c.assigneeId !== null) return 'already_assigned';
      const chain = (await this.areas.chain(c.areaId)).map((a) => a.id);
      const candidates = await this.candidates(tx.query.bind(tx), chain);
      const decision = chooseAssignee(chain, candidates);
      if (!decision) {
        this.logger.warn({ caseId, areaId: c.areaId }, 'nobody on duty is responsible for this area; the case stays new');
        return 'no_candidate';
      }
      await tx.getRepository(Case).update(caseId, { assigneeId: decision.assigneeId, status: 'assigned', assignedAt: new Date(), version: c.version + 1 });
      await tx.getRepository(CaseEvent).insert({ caseId, type: 'assigned', actorId: null, data: { ...decision, from: c.status, to: 'assigned' } });
      return 'assigned';
    });
  }

  private async candidates(query: (sql: string, params: unknown[]) => Promise<unknown[]>, chain: number[]): Promise<RoutingCandidate[]> {
    const rows = (await query(
      `SELECT u.id, u.role, u.scope_area_ids, u.on_duty,
              (SELECT count(*)::int FROM cases c WHERE c.assignee_id = u.id AND c.status NOT IN (${CLOSED_STATUSES.map((s) => `'${s}'`).join(', ')})) AS open_cases
       FROM users u WHERE u.active AND u.scope_area_ids && $1::int[]`,
      [chain],
    )) as { id: number; role: User['role']; scope_area_ids: number[]; on_duty: boolean; open_cases: number }[];
    return rows.map((r) => ({ id: r.id, role: r.role, scopeAreaIds: r.scope_area_ids, onDuty: r.on_duty, openCases: r.open_cases }));
  }
}
