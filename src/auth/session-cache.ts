import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { redisOptions } from '../queues/redis-options';

/** What a revocation names: sessions, or every session of some users. */
export interface Revocation {
  sessionIds?: string[];
  userIds?: number[];
}

interface LiveEntry {
  userId: number;
  /** Trusted until then (ms since the epoch): the cache lifetime, never past the session's own expiry. */
  until: number;
}

/**
 * "This session is live", remembered per process so that an authenticated request costs no database
 * round trip. A revocation (logout, an admin's revoke, a password reset, a change of role, scope or
 * activity) is published on Redis (`<queue prefix>:auth:revoked`) and every process forgets the
 * sessions at once; `auth.sessionCacheSeconds` bounds how long a session may be trusted should a
 * message be lost. Nothing is trusted while this process is not subscribed (before the subscription
 * is confirmed, while Redis is away): every request then asks the database, and whatever was
 * remembered before a disconnection is forgotten, since revocations may have been missed meanwhile.
 */
@Injectable()
export class SessionCache implements OnModuleDestroy {
  private readonly logger = new Logger(SessionCache.name);
  private readonly live = new Map<string, LiveEntry>();
  private subscriber?: Redis;
  private publisher?: Redis;
  private subscribed = false;
  private closed = false;
  /** Counts revocations seen, so that a check that raced one does not remember a session just revoked. */
  private revocations = 0;

  constructor(private readonly config: AppConfig) {}

  private get channel(): string {
    return `${this.config.queue.prefix}:auth:revoked`;
  }

  private get ttlMs(): number {
    return this.config.auth.sessionCacheSeconds * 1000;
  }

  /** Whether the session was found live recently enough to be trusted without asking the database. */
  isTrusted(sessionId: string, now = Date.now()): boolean {
    if (!this.subscribed) return false;
    const entry = this.live.get(sessionId);
    if (!entry) return false;
    if (entry.until > now) return true;
    this.live.delete(sessionId);
    return false;
  }

  /** Take before asking the database; hand to `remember`. */
  generation(): number {
    return this.revocations;
  }

  /** The database said the session is live (and until when it expires), asked when `generation()` was `since`. */
  remember(sessionId: string, userId: number, expiresAt: Date, since: number, now = Date.now()): void {
    if (this.ttlMs <= 0 || this.closed) return;
    this.listen();
    // A revocation arrived while the database was being asked: it may have been this one's.
    if (since !== this.revocations) return;
    if (!this.subscribed) return;
    // Entries are only added while subscribed, and the map is bounded by the sessions in use; expired ones go on a sweep.
    if (this.live.size >= 100_000) this.sweep(now);
    this.live.set(sessionId, { userId, until: Math.min(now + this.ttlMs, expiresAt.getTime()) });
  }

  /** Forgets the sessions here at once and tells every other process (best effort: their entries also expire). */
  async revoked(revocation: Revocation): Promise<void> {
    this.forget(revocation);
    if (this.closed) return;
    try {
      this.publisher ??= new Redis({ ...redisOptions(this.config.redisUrl), maxRetriesPerRequest: 1 });
      // Awaited (bounded), so that when a logout answers the other processes have been told.
      await Promise.race([
        this.publisher.publish(this.channel, JSON.stringify(revocation)),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref()),
      ]);
    } catch (err) {
      this.logger.warn({ err }, `could not publish a session revocation; other processes trust those sessions for at most ${this.config.auth.sessionCacheSeconds} s`);
    }
  }

  forgetAll(): void {
    this.revocations++;
    this.live.clear();
  }

  private forget({ sessionIds = [], userIds = [] }: Revocation): void {
    this.revocations++;
    for (const id of sessionIds) this.live.delete(id);
    if (!userIds.length) return;
    const users = new Set(userIds);
    for (const [id, entry] of this.live) if (users.has(entry.userId)) this.live.delete(id);
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.live) if (entry.until <= now) this.live.delete(id);
    // Still full (a flood of distinct sessions): start over rather than grow without bound.
    if (this.live.size >= 100_000) this.live.clear();
  }

  /** Subscribes on first use (only processes that serve requests need it). */
  private listen(): void {
    if (this.subscriber) return;
    const subscriber = new Redis({ ...redisOptions(this.config.redisUrl), maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, raw: string) => {
      try {
        this.forget(JSON.parse(raw) as Revocation);
      } catch {
        this.forgetAll();
      }
    });
    const down = () => {
      this.subscribed = false;
      this.forgetAll();
    };
    subscriber.on('close', down);
    subscriber.on('reconnecting', down);
    subscriber.on('error', () => undefined);
    // ioredis subscribes again after a reconnection; trust resumes once Redis confirmed it.
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(
        () => {
          this.forgetAll();
          this.subscribed = !this.closed;
        },
        () => down(),
      );
    });
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.subscribed = false;
    this.live.clear();
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }
}
