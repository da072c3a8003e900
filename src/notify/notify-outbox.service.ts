import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EntityManager } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import type { UserRole } from '../auth/user.entity';
import { AppConfig } from '../config/app-config';
import { jobIds, NotifyJob, QueueName } from '../queues/queue-names';
import { requeue, RequeueOutcome } from '../queues/requeue';
import { maskDeep } from './mask';
import { Notification, NotifyChannel } from './notification.entity';
import { buildMessage, CaseFacts } from './notify-messages';

export interface OutboxMessage {
  caseId: number;
  event: string;
  /** Users who get it in the console (in-app); group channels get every message once. */
  recipients: number[];
  data?: Record<string, unknown>;
}

/**
 * The transactional outbox: `write` inserts the messages inside the caller's transaction (so they
 * exist exactly when the case change does); `dispatch` enqueues their delivery after the commit. A
 * crash in between is covered by the relay, which enqueues pending messages again.
 */
@Injectable()
export class NotifyOutbox {
  private readonly logger = new Logger(NotifyOutbox.name);

  constructor(
    private readonly config: AppConfig,
    private readonly areas: AreasService,
    @InjectQueue(QueueName.Notify) private readonly queue: Queue<NotifyJob>,
  ) {}

  async write(tx: EntityManager, message: OutboxMessage): Promise<number[]> {
    const [c] = await tx.query(`SELECT id, number, level, category, area_id FROM cases WHERE id = $1`, [message.caseId]);
    const area = c ? await this.areas.get(c.area_id) : undefined;
    const facts: CaseFacts = { id: message.caseId, number: c?.number ?? `#${message.caseId}`, level: c?.level ?? '', category: c?.category ?? null, areaName: area?.name };
    const { title, body } = buildMessage(message.event, facts, message.data);
    const data = maskDeep({ caseNumber: facts.number, level: facts.level, category: facts.category, areaName: facts.areaName ?? null, ...message.data });
    const rows: Partial<Notification>[] = [];
    const add = (channel: NotifyChannel, target: string, recipientUserId: number | null = null) =>
      rows.push({ caseId: message.caseId, event: message.event, channel, target, recipientUserId, title, body, data });
    for (const userId of [...new Set(message.recipients)]) add('inapp', String(userId), userId);
    const { webhooks, wecom, dingtalk, email } = this.config.notify;
    for (const w of webhooks) add('webhook', w.name);
    for (const w of wecom) add('wecom', w.name);
    for (const w of dingtalk) add('dingtalk', w.name);
    if (email) add('email', email.to.join(','));
    if (rows.length === 0) return [];
    const saved = await tx.getRepository(Notification).save(rows);
    return saved.map((n) => n.id);
  }

  /** Enqueue delivery; never throws (the relay retries what could not be enqueued). */
  async dispatch(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.queue.addBulk(this.jobs(ids));
    } catch (error) {
      this.logger.warn({ ids, err: String(error) }, 'could not enqueue notifications; the relay will');
    }
  }

  /**
   * For pending messages (the relay): enqueue those the queue does not know, retry those whose job
   * ran out of tries without recording it (e.g. the database was away), add again those whose job
   * completed while the row stayed pending; leave queued and running ones alone.
   */
  async ensureQueued(ids: number[]): Promise<RequeueOutcome> {
    return requeue(this.queue, this.jobs(ids));
  }

  private jobs(ids: number[]) {
    const { attempts, backoffMs } = this.config.notify;
    return ids.map((notificationId) => ({
      name: 'deliver',
      data: { notificationId },
      opts: { jobId: jobIds.notify(notificationId), attempts, backoff: { type: 'exponential', delay: backoffMs } },
    }));
  }

  /** Delivers a dead letter again: its finished job is removed so the deterministic id is free. */
  async redispatch(id: number): Promise<void> {
    await (await this.queue.getJob(jobIds.notify(id)))?.remove();
    await this.dispatch([id]);
  }

  /** Active users of `role` responsible for the area or one of its ancestors (the street's supervisors, the district's officials). */
  async usersAbove(tx: EntityManager, areaId: number, role: UserRole): Promise<number[]> {
    const chain = (await this.areas.chain(areaId)).map((a) => a.id);
    const rows: { id: number }[] = await tx.query(`SELECT id FROM users WHERE active AND role = $1 AND scope_area_ids && $2::int[] ORDER BY id`, [role, chain]);
    return rows.map((r) => r.id);
  }
}
