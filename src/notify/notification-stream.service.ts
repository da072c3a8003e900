import { Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, Subject } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { redisOptions } from '../queues/redis-options';

export interface InAppMessage {
  id: number;
  userId: number;
  caseId: number | null;
  event: string;
  title: string;
  body: string;
  createdAt: string;
}

/**
 * The in-app channel across processes: a worker publishes on Redis, every API process relays to the
 * console streams (server-sent events) of the recipient. Connections are opened on first use.
 */
@Injectable()
export class NotificationStream implements OnModuleDestroy {
  private publisher?: Redis;
  private subscriber?: Redis;
  private readonly messages = new Subject<InAppMessage>();

  constructor(private readonly config: AppConfig) {}

  private get channel(): string {
    return `${this.config.queue.prefix}:inapp`;
  }

  async publish(message: InAppMessage): Promise<void> {
    this.publisher ??= new Redis({ ...redisOptions(this.config.redisUrl), lazyConnect: false });
    await this.publisher.publish(this.channel, JSON.stringify(message));
  }

  /** Messages for one user, as they are published anywhere. */
  async forUser(userId: number): Promise<Observable<InAppMessage>> {
    if (!this.subscriber) {
      this.subscriber = new Redis(redisOptions(this.config.redisUrl));
      this.subscriber.on('message', (_channel: string, raw: string) => {
        try {
          this.messages.next(JSON.parse(raw) as InAppMessage);
        } catch {
          /* not ours */
        }
      });
      await this.subscriber.subscribe(this.channel);
    }
    return new Observable<InAppMessage>((subscriber) => {
      const sub = this.messages.subscribe((m) => {
        if (m.userId === userId) subscriber.next(m);
      });
      return () => sub.unsubscribe();
    });
  }

  onModuleDestroy(): void {
    this.messages.complete();
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
  }
}
