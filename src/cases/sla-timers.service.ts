import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { NotifyOutbox } from '../notify/notify-outbox.service';
import { CaseCommitment } from './case-commitment.entity';
import { CaseEvent } from './case-event.entity';
import { isClosed } from './case-lifecycle';
import { Case } from './case.entity';
import { SLA_CLOCKS, SlaClock } from './sla-calendar';
import { clockMet, dueOf, SLA_STAGES, SlaStage } from './sla-config';

export type TimerOutcome = 'fired' | 'met' | 'closed' | 'moved' | 'already_fired' | 'case_missing' | 'invalid';

const STAGE_LEVEL: Record<SlaStage, number> = { remind: 1, supervisor: 2, official: 3 };

/**
 * What a timer does when it fires. It re-reads the case under a row lock and acts only if the clock
 * is still unmet, the timer's time is still the case's, and this stage has not fired for this due
 * time: a reminder to the assignee, then escalation to the street supervisor, then to the official.
 */
@Injectable()
export class SlaTimers {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly outbox: NotifyOutbox,
  ) {}

  async fire(caseId: number, clock: string, stage: string): Promise<{ outcome: TimerOutcome; notificationIds: number[] }> {
    if (!SLA_CLOCKS.includes(clock as SlaClock) || !SLA_STAGES.includes(stage as SlaStage)) return { outcome: 'invalid', notificationIds: [] };
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT id FROM cases WHERE id = $1 FOR UPDATE`, [caseId]);
      const c = await tx.getRepository(Case).findOneBy({ id: caseId });
      if (!c) return { outcome: 'case_missing', notificationIds: [] };
      if (isClosed(c.status)) return { outcome: 'closed', notificationIds: [] };
      if (clockMet(c, clock as SlaClock)) return { outcome: 'met', notificationIds: [] };
      const due = dueOf(c, clock as SlaClock)!;
      const level = this.config.sla.levels[c.level];
      const offset = stage === 'remind' ? 0 : stage === 'supervisor' ? level.supervisorAfterMs : level.officialAfterMs;
      if (!due || due.getTime() + offset > Date.now() + 1000) return { outcome: 'moved', notificationIds: [] };
      const dueAt = due.toISOString();
      const [done] = await tx.query(
        `SELECT 1 FROM case_events WHERE case_id = $1 AND type IN ('sla_reminder', 'sla_escalated') AND data->>'clock' = $2 AND data->>'stage' = $3 AND data->>'dueAt' = $4`,
        [caseId, clock, stage, dueAt],
      );
      if (done) return { outcome: 'already_fired', notificationIds: [] };
      let recipients: number[];
      if (stage === 'remind') recipients = c.assigneeId ? [c.assigneeId] : await this.outbox.usersAbove(tx, c.areaId, 'supervisor');
      else recipients = await this.outbox.usersAbove(tx, c.areaId, stage === 'supervisor' ? 'supervisor' : 'official');
      const type = stage === 'remind' ? 'sla_reminder' : 'sla_escalated';
      const escalationLevel = Math.max(c.escalationLevel, STAGE_LEVEL[stage as SlaStage]);
      await tx.getRepository(Case).update(caseId, { escalationLevel, version: c.version + 1 });
      await tx.getRepository(CaseEvent).save({
        caseId,
        type,
        actorId: null,
        data: { clock, stage, dueAt, notified: recipients, before: { escalationLevel: c.escalationLevel }, after: { escalationLevel } },
      });
      const notificationIds = await this.outbox.write(tx, { caseId, event: type, recipients, data: { clock, stage, dueAt } });
      return { outcome: 'fired', notificationIds };
    });
  }

  /** A commitment's due reminder to the assignee, once, unless it was fulfilled. */
  async commitmentDue(commitmentId: number): Promise<{ outcome: TimerOutcome; notificationIds: number[] }> {
    return this.db.transaction(async (tx) => {
      const commitment = await tx.getRepository(CaseCommitment).createQueryBuilder('k').setLock('pessimistic_write').where('k.id = :commitmentId', { commitmentId }).getOne();
      if (!commitment) return { outcome: 'invalid', notificationIds: [] };
      if (commitment.fulfilledAt) return { outcome: 'met', notificationIds: [] };
      if (commitment.remindedAt) return { outcome: 'already_fired', notificationIds: [] };
      if (commitment.dueAt.getTime() > Date.now() + 1000) return { outcome: 'moved', notificationIds: [] };
      const c = await tx.getRepository(Case).findOneBy({ id: commitment.caseId });
      if (!c) return { outcome: 'case_missing', notificationIds: [] };
      await tx.getRepository(CaseCommitment).update(commitmentId, { remindedAt: new Date() });
      const recipients = c.assigneeId ? [c.assigneeId] : await this.outbox.usersAbove(tx, c.areaId, 'supervisor');
      const data = { commitmentId, text: commitment.text, dueAt: commitment.dueAt.toISOString() };
      await tx.getRepository(CaseEvent).save({ caseId: c.id, type: 'commitment_due', actorId: null, data: { ...data, notified: recipients } });
      const notificationIds = await this.outbox.write(tx, { caseId: c.id, event: 'commitment_due', recipients, data });
      return { outcome: 'fired', notificationIds };
    });
  }
}
