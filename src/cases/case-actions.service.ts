import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import { User } from '../auth/user.entity';
import { AppError, notFound } from '../common/app-error';
import { NotifyOutbox } from '../notify/notify-outbox.service';
import { CaseCommitment } from './case-commitment.entity';
import { CaseContact, ContactChannel } from './case-contact.entity';
import { CaseEvent, CaseEventType } from './case-event.entity';
import { CaseAction, CaseOutcome, transition } from './case-lifecycle';
import { Case } from './case.entity';
import { ResponseTemplates } from './response-templates.service';
import { CaseAccess } from './case-access.service';
import { CaseResponse, ResponseKind } from './response.entity';
import { SlaScheduler } from './sla-scheduler.service';

type CaseColumns = Partial<Omit<Case, 'id' | 'area' | 'rule' | 'assignee' | 'version'>>;

interface Change {
  event: CaseEventType;
  data?: Record<string, unknown>;
  /** Columns to set on the case; the timeline records their values before and after. */
  set?: CaseColumns;
  /** A notification written to the outbox in the same transaction. */
  notify?: { event: string; recipients: number[]; data?: Record<string, unknown> };
  /** Work after the commit (timers). */
  afterCommit?: () => Promise<void>;
}

interface ActOptions {
  /** Only supervisors, officials and admins in scope (not the assignee alone). */
  scopedOnly?: boolean;
  /** Other cases to lock too (merge); all locks are taken in id order. */
  alsoLock?: number[];
}

export interface RespondInput {
  kind: ResponseKind;
  text?: string;
  variables?: Record<string, string>;
  publishedUrl?: string;
  channel?: string;
}

/**
 * Every change a person makes to a case: one transaction that locks the case row, asks the state
 * machine, writes the case, appends to its timeline (actor, time, status and changed fields before and
 * after) and writes its notifications to the outbox. Two people acting at once are serialised by the
 * lock; the second sees the first's result: its action is applied after it, or refused with 409, the
 * current status, the allowed actions and the latest timeline entries.
 */
@Injectable()
export class CaseActionsService {
  private readonly logger = new Logger(CaseActionsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: NotifyOutbox,
    private readonly sla: SlaScheduler,
    private readonly templates: ResponseTemplates,
    private readonly access: CaseAccess,
  ) {}

  acknowledge(caseId: number, actor: Actor): Promise<Case> {
    return this.act(caseId, actor, 'acknowledge', (c) => ({ event: 'acknowledged', set: { acknowledgedAt: c.acknowledgedAt ?? new Date() } }));
  }

  logContact(caseId: number, actor: Actor, input: { party: string; channel: ContactChannel; summary: string }): Promise<Case> {
    return this.act(caseId, actor, 'log_contact', async (c, tx) => {
      const contact = await tx.getRepository(CaseContact).save({ caseId, party: input.party, channel: input.channel, summary: input.summary, actorId: actor.id });
      return {
        event: 'contact_logged',
        data: { contactId: contact.id, party: input.party, channel: input.channel },
        set: c.firstContactAt ? {} : { firstContactAt: contact.at },
      };
    });
  }

  respond(caseId: number, actor: Actor, input: RespondInput): Promise<Case> {
    return this.act(caseId, actor, 'respond', async (c, tx) => {
      let text = input.text;
      let templateKey: string | null = null;
      if (!text) {
        const rendered = await this.templates.render(c, input.kind, input.variables ?? {});
        text = rendered.text;
        templateKey = rendered.key;
      }
      const response = await tx.getRepository(CaseResponse).save({
        caseId,
        kind: input.kind,
        text,
        publishedUrl: input.publishedUrl ?? null,
        channel: input.channel ?? null,
        templateKey,
        authorId: actor.id,
      });
      return {
        event: 'response_published',
        data: { responseId: response.id, kind: input.kind, publishedUrl: input.publishedUrl ?? null, channel: input.channel ?? null, templateKey },
        set: c.firstResponseAt ? {} : { firstResponseAt: response.publishedAt },
      };
    });
  }

  recordCommitment(caseId: number, actor: Actor, input: { text: string; dueAt: Date }): Promise<Case> {
    if (input.dueAt.getTime() <= Date.now()) throw new AppError('invalid_request', 'dueAt must be in the future', { fields: { dueAt: 'in the past' } });
    return this.act(caseId, actor, 'record_commitment', async (_c, tx) => {
      const commitment = await tx.getRepository(CaseCommitment).save({ caseId, text: input.text, dueAt: input.dueAt, actorId: actor.id });
      return {
        event: 'commitment_recorded',
        data: { commitmentId: commitment.id, text: input.text, dueAt: input.dueAt.toISOString() },
        afterCommit: () => this.sla.scheduleCommitment(commitment.id, caseId, input.dueAt),
      };
    });
  }

  settle(caseId: number, actor: Actor, input: { outcome: CaseOutcome; note?: string }): Promise<Case> {
    return this.act(caseId, actor, 'settle', (c) => {
      if (input.outcome === 'handed_to_department' && !c.handoverAcknowledgedAt) {
        throw new AppError('invalid_transition', `Case ${c.number} can be settled as handed to a department only after the department acknowledged the hand-over`, {
          status: c.status,
          handoverDepartment: c.handoverDepartment,
        });
      }
      return { event: 'settled', data: { outcome: input.outcome, note: input.note ?? null }, set: { outcome: input.outcome, closedAt: new Date() } };
    });
  }

  dismiss(caseId: number, actor: Actor, input: { reason: string }): Promise<Case> {
    return this.act(caseId, actor, 'dismiss', () => ({
      event: 'dismissed',
      data: { reason: input.reason, verdict: 'false_alarm' },
      set: { dismissReason: input.reason, closedAt: new Date() },
    }));
  }

  reopen(caseId: number, actor: Actor, input: { reason: string }): Promise<Case> {
    return this.act(caseId, actor, 'reopen', async (c) => {
      return {
        event: 'reopened',
        data: { reason: input.reason },
        // A reopened case gets a fresh settle clock, counted from now.
        set: { closedAt: null, outcome: null, dismissReason: null, escalationLevel: 0, dueSettleAt: this.sla.dueFields(new Date(), c.level).dueSettleAt },
        notify: c.assigneeId ? { event: 'reopened', recipients: [c.assigneeId], data: { reason: input.reason } } : undefined,
      };
    });
  }

  comment(caseId: number, actor: Actor, input: { text: string }): Promise<Case> {
    return this.act(caseId, actor, null, () => ({ event: 'comment', data: { text: input.text } }));
  }

  escalate(caseId: number, actor: Actor, input: { reason: string }): Promise<Case> {
    return this.act(caseId, actor, 'escalate', async (c, tx) => {
      const supervisors = await this.outbox.usersAbove(tx, c.areaId, 'supervisor');
      return {
        event: 'escalated',
        data: { reason: input.reason, notified: supervisors },
        set: { escalationLevel: Math.max(c.escalationLevel, 2) },
        notify: { event: 'escalated', recipients: supervisors, data: { reason: input.reason } },
      };
    });
  }

  handOver(caseId: number, actor: Actor, input: { department: string; note?: string }): Promise<Case> {
    return this.act(caseId, actor, 'hand_over', async (c, tx) => {
      const supervisors = await this.outbox.usersAbove(tx, c.areaId, 'supervisor');
      return {
        event: 'handed_over',
        data: { department: input.department, note: input.note ?? null },
        set: { handoverDepartment: input.department, handoverAt: new Date(), handoverAcknowledgedAt: null },
        notify: { event: 'handed_over', recipients: supervisors, data: { department: input.department, note: input.note ?? '' } },
      };
    });
  }

  acknowledgeHandover(caseId: number, actor: Actor, input: { receivedBy: string; note?: string }): Promise<Case> {
    return this.act(caseId, actor, 'acknowledge_handover', (c) => {
      if (c.handoverAcknowledgedAt) throw new AppError('conflict', `The hand-over of case ${c.number} was already acknowledged`, { status: c.status });
      return {
        event: 'handover_acknowledged',
        data: { department: c.handoverDepartment, receivedBy: input.receivedBy, note: input.note ?? null },
        set: { handoverAcknowledgedAt: new Date() },
      };
    });
  }

  reassign(caseId: number, actor: Actor, input: { assigneeId: number; reason: string }): Promise<Case> {
    return this.act(
      caseId,
      actor,
      'reassign',
      async (c, tx) => {
        const user = await tx.getRepository(User).findOneBy({ id: input.assigneeId, active: true });
        if (!user || !['worker', 'supervisor', 'official'].includes(user.role)) {
          throw new AppError('invalid_request', `User ${input.assigneeId} cannot be given cases`, { fields: { assigneeId: 'not an active worker, supervisor or official' } });
        }
        if (user.id === c.assigneeId) throw new AppError('conflict', `Case ${c.number} is already assigned to user ${user.id}`, { status: c.status });
        return {
          event: 'reassigned',
          data: { reason: input.reason },
          // The new assignee gets a fresh acknowledge clock.
          set: { assigneeId: user.id, assignedAt: new Date(), acknowledgedAt: null, dueAcknowledgeAt: this.sla.dueFields(new Date(), c.level).dueAcknowledgeAt },
          notify: { event: 'reassigned', recipients: [user.id], data: { reason: input.reason } },
        };
      },
      { scopedOnly: true },
    );
  }

  merge(caseId: number, actor: Actor, input: { intoCaseId: number; reason?: string }): Promise<Case> {
    if (input.intoCaseId === caseId) throw new AppError('invalid_request', 'A case cannot be merged into itself', { fields: { intoCaseId: 'same case' } });
    return this.act(
      caseId,
      actor,
      'merge',
      async (c, tx) => {
        const target = await tx.getRepository(Case).findOneBy({ id: input.intoCaseId });
        if (!target || (target.assigneeId !== actor.id && !(await this.access.inScope(target, actor)))) throw notFound('Case', input.intoCaseId);
        if (['settled', 'dismissed', 'merged'].includes(target.status)) {
          throw new AppError('invalid_transition', `Case ${target.number} is ${target.status}; merge into an open case`, { status: c.status, targetStatus: target.status });
        }
        await tx.query(`INSERT INTO case_posts (case_id, post_id) SELECT $1, post_id FROM case_posts WHERE case_id = $2 ON CONFLICT DO NOTHING`, [target.id, c.id]);
        await tx.query(`UPDATE cases SET post_count = (SELECT count(*) FROM case_posts WHERE case_id = $1), version = version + 1 WHERE id = $1`, [target.id]);
        await tx.getRepository(CaseEvent).save({ caseId: target.id, type: 'merged_in', actorId: actor.id, data: { fromCaseId: c.id, fromNumber: c.number, reason: input.reason ?? null } });
        return { event: 'merged', data: { intoCaseId: target.id, intoNumber: target.number, reason: input.reason ?? null }, set: { mergedIntoId: target.id, closedAt: new Date() } };
      },
      { alsoLock: [input.intoCaseId] },
    );
  }

  fulfilCommitment(caseId: number, commitmentId: number, actor: Actor): Promise<Case> {
    return this.act(caseId, actor, null, async (_c, tx) => {
      const commitment = await tx.getRepository(CaseCommitment).findOneBy({ id: commitmentId, caseId });
      if (!commitment) throw notFound('Commitment', commitmentId);
      if (commitment.fulfilledAt) throw new AppError('conflict', `Commitment ${commitmentId} was already fulfilled`);
      await tx.getRepository(CaseCommitment).update(commitmentId, { fulfilledAt: new Date() });
      return { event: 'comment', data: { commitmentId, fulfilled: true, text: `承诺已兑现：${commitment.text}` } };
    });
  }

  private async act(
    caseId: number,
    actor: Actor,
    action: CaseAction | null,
    change: (c: Case, tx: EntityManager) => Change | Promise<Change>,
    opts: ActOptions = {},
  ): Promise<Case> {
    const effects: { ids: number[]; afterCommit?: () => Promise<void> } = { ids: [] };
    const result = await this.db.transaction(async (tx) => {
      const repo = tx.getRepository(Case);
      const lockIds = [...new Set([caseId, ...(opts.alsoLock ?? [])])].sort((a, b) => a - b);
      await tx.query(`SELECT id FROM cases WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`, [lockIds]);
      const current = await repo.findOneBy({ id: caseId });
      if (!current) throw notFound('Case', caseId);
      await this.access.assertMayAct(current, actor, opts.scopedOnly ?? false);
      let to = current.status;
      if (action) {
        const next = transition(current.status, action);
        if (!next.ok) {
          const recent = await tx.getRepository(CaseEvent).find({ where: { caseId }, order: { id: 'DESC' }, take: 3 });
          throw new AppError('invalid_transition', `Case ${current.number} is ${next.status}; ${action} is not allowed now`, {
            status: next.status,
            allowedActions: next.allowed,
            recentEvents: recent.map((e) => ({ type: e.type, actorId: e.actorId, at: e.at, data: e.data })),
          });
        }
        to = next.to;
      }
      const { event, data, set = {}, notify, afterCommit } = await change(current, tx);
      const before: Record<string, unknown> = {};
      for (const key of Object.keys(set) as (keyof CaseColumns)[]) before[key] = current[key];
      await repo.update(caseId, { ...set, status: to, version: current.version + 1 });
      await tx.getRepository(CaseEvent).save({
        caseId,
        type: event,
        actorId: actor.id,
        data: { ...data, from: current.status, to, before, after: set },
      });
      if (notify) effects.ids = await this.outbox.write(tx, { caseId, ...notify });
      effects.afterCommit = afterCommit;
      return repo.findOneByOrFail({ id: caseId });
    });
    await this.outbox.dispatch(effects.ids);
    await this.sla.sync(caseId);
    if (effects.afterCommit) await effects.afterCommit();
    return result;
  }

}
