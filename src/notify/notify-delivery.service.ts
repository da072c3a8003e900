import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createTransport } from 'nodemailer';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Notification } from './notification.entity';
import { dingtalkRobot, genericWebhook, HttpDelivery, wecomRobot } from './notify-channels';
import { NotificationStream } from './notification-stream.service';

export type DeliveryOutcome = 'delivered' | 'already_done' | 'missing';

/** Delivers one outbox row to its channel and records the try (attempts, last error, delivered time). */
@Injectable()
export class NotifyDelivery {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly stream: NotificationStream,
  ) {}

  /** Throws when the channel refused or could not be reached (the queue retries with backoff). */
  async deliver(id: number, final: boolean): Promise<DeliveryOutcome> {
    const repo = this.db.getRepository(Notification);
    const n = await repo.findOneBy({ id });
    if (!n) return 'missing';
    if (n.status !== 'pending') return 'already_done';
    try {
      await this.send(n);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await repo.update(id, { attempts: n.attempts + 1, lastAttemptAt: new Date(), lastError: message.slice(0, 500), status: final ? 'dead' : 'pending' });
      throw error;
    }
    await repo.update(id, { attempts: n.attempts + 1, lastAttemptAt: new Date(), deliveredAt: new Date(), status: 'delivered', lastError: null });
    return 'delivered';
  }

  private async send(n: Notification): Promise<void> {
    const now = new Date();
    const { webhooks, wecom, dingtalk, email } = this.config.notify;
    const byName = <T extends { name: string }>(list: T[]): T => {
      const found = list.find((e) => e.name === n.target);
      if (!found) throw new Error(`channel ${n.channel} "${n.target}" is no longer configured`);
      return found;
    };
    switch (n.channel) {
      case 'inapp':
        return this.stream.publish({ id: n.id, userId: n.recipientUserId!, caseId: n.caseId, event: n.event, title: n.title, body: n.body, createdAt: n.createdAt.toISOString() });
      case 'webhook':
        return this.post(genericWebhook(n, byName(webhooks), now));
      case 'wecom':
        return this.post(wecomRobot(n, byName(wecom)));
      case 'dingtalk':
        return this.post(dingtalkRobot(n, byName(dingtalk), now));
      case 'email': {
        if (!email) throw new Error('e-mail is no longer configured');
        const transport = createTransport(email.smtpUrl);
        try {
          await transport.sendMail({ from: email.from, to: email.to, subject: `【听风】${n.title}`, text: n.body });
        } finally {
          transport.close();
        }
        return;
      }
    }
  }

  private async post(d: HttpDelivery): Promise<void> {
    const res = await fetch(d.url, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(this.config.notify.timeoutMs), redirect: 'error' });
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${new URL(d.url).host}`);
    if (d.checkErrcode) {
      let errcode: unknown;
      try {
        errcode = (JSON.parse(text) as { errcode?: unknown }).errcode;
      } catch {
        throw new Error(`unreadable answer from ${new URL(d.url).host}`);
      }
      if (errcode !== 0) throw new Error(`robot refused the message (errcode ${String(errcode)})`);
    }
  }
}
