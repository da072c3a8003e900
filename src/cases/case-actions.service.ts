import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import type { Actor } from '../auth/actor';
import { AppError, notFound } from '../common/app-error';
import { CaseEvent, CaseEventType } from './case-event.entity';
import { CaseAction, CaseOutcome, transition } from './case-lifecycle';
import { Case } from './case.entity';
import { CaseResponse, ResponseKind } from './response.entity';

/** Roles that may act on any case inside their area scope; a worker acts on the cases assigned to them. */
const SCOPED_ROLES = ['supervisor', 'official', 'admin'];

interface Change {
  event: CaseEventType;
  data?: Record<string, unknown>;
  /** Extra columns to set on the case. */
  set?: Partial<Pick<Case, 'acknowledgedAt' | 'firstResponseAt' | 'outcome' | 'closedAt'>>;
}

/**
 * Every change a person makes to a case: one transaction that locks the case row, asks the state
 * machine, writes the case and appends to its timeline. Two people acting at once are serialised by
 * the lock; the second sees the first's result (and a 409 when its action is no longer allowed).
 */
@Injectable()
export class CaseActionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  acknowledge(caseId: number, actor: Actor): Promise<Case> {
    return this.act(caseId, actor, 'acknowledge', (c) => ({ event: 'acknowledged', set: { acknowledgedAt: c.acknowledgedAt ?? new Date() } }));
  }

  respond(caseId: number, actor: Actor, input: { kind: ResponseKind; text: string; publishedUrl?: string }): Promise<Case> {
    return this.act(caseId, actor, 'respond', async (c, tx) => {
      const response = await tx.getRepository(CaseResponse).save({
        caseId,
        kind: input.kind,
        text: input.text,
        publishedUrl: input.publishedUrl ?? null,
        authorId: actor.id,
      });
      return {
        event: 'response_published',
        data: { responseId: response.id, kind: input.kind, publishedUrl: input.publishedUrl ?? null },
        set: { firstResponseAt: c.firstResponseAt ?? response.publishedAt },
      };
    });
  }

  settle(caseId: number, actor: Actor, input: { outcome: CaseOutcome; note?: string }): Promise<Case> {
    return this.act(caseId, actor, 'settle', () => ({
      event: 'settled',
      data: { outcome: input.outcome, note: input.note ?? null },
      set: { outcome: input.outcome, closedAt: new Date() },
    }));
  }

  private async act(
    caseId: number,
    actor: Actor,
    action: CaseAction,
    change: (c: Case, tx: EntityManager) => Change | Promise<Change>,
  ): Promise<Case> {
    return this.db.transaction(async (tx) => {
      const repo = tx.getRepository(Case);
      const current = await repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :caseId', { caseId }).getOne();
      if (!current) throw notFound('Case', caseId);
      await this.assertMayAct(current, actor);
      const next = transition(current.status, action);
      if (!next.ok) {
        throw new AppError('invalid_transition', `Case ${current.number} is ${next.status}; ${action} is not allowed now`, {
          status: next.status,
          allowedActions: next.allowed,
        });
      }
      const { event, data, set } = await change(current, tx);
      await repo.update(caseId, { ...set, status: next.to, version: current.version + 1 });
      await tx.getRepository(CaseEvent).insert({ caseId, type: event, actorId: actor.id, data: { ...data, from: current.status, to: next.to } });
      return repo.findOneByOrFail({ id: caseId });
    });
  }

  private async assertMayAct(c: Case, actor: Actor): Promise<void> {
    if (c.assigneeId === actor.id) return;
    if (SCOPED_ROLES.includes(actor.role) && (await this.areas.subtreeIds(actor.scopeAreaIds)).includes(c.areaId)) return;
    throw new AppError('forbidden', `Case ${c.number} is not assigned to you`);
  }
}
