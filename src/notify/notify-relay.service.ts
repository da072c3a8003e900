import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotifyOutbox } from './notify-outbox.service';

/**
 * The outbox relay (worker processes): pending messages older than a few seconds are enqueued again,
 * in case the process that wrote them died between its commit and its enqueue, or their job ran out
 * of tries (or completed) without the row recording it, e.g. while the database was away. A delivery
 * (or its retry) still queued is left alone.
 */
@Injectable()
export class NotifyRelay {
  private readonly logger = new Logger(NotifyRelay.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: NotifyOutbox,
  ) {}

  @Interval('notify-relay', 15_000)
  async relay(): Promise<number> {
    try {
      const rows: { id: number }[] = await this.db.query(
        `SELECT id FROM notifications WHERE status = 'pending' AND created_at < now() - interval '10 seconds' ORDER BY id LIMIT 500`,
      );
      const outcome = await this.outbox.ensureQueued(rows.map((r) => r.id));
      if (outcome.added + outcome.retried + outcome.readded) this.logger.log(outcome, 'pending notifications enqueued again');
      return rows.length;
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'outbox relay failed');
      return 0;
    }
  }
}
