import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SlaScheduler } from './sla-scheduler.service';

/**
 * Safety net for SLA timers (worker processes, every minute): a case whose clock has run out without
 * a reminder on its timeline gets its timers synced again, in case a timer was never added (a crash
 * between commit and enqueue) or Redis lost it. The timers themselves are idempotent.
 */
@Injectable()
export class SlaSweeper {
  private readonly logger = new Logger(SlaSweeper.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly scheduler: SlaScheduler,
  ) {}

  @Interval('sla-sweep', 60_000)
  async sweep(): Promise<number> {
    try {
      const rows: { id: number }[] = await this.db.query(
        `SELECT c.id FROM cases c
         WHERE c.status NOT IN ('settled', 'dismissed', 'merged')
           AND ((c.due_acknowledge_at < now() - interval '30 seconds' AND c.acknowledged_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.type = 'sla_reminder' AND e.data->>'clock' = 'acknowledge'))
             OR (c.due_contact_at < now() - interval '30 seconds' AND c.first_contact_at IS NULL AND c.first_response_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.type = 'sla_reminder' AND e.data->>'clock' = 'contact'))
             OR (c.due_response_at < now() - interval '30 seconds' AND c.first_response_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.type = 'sla_reminder' AND e.data->>'clock' = 'response'))
             OR (c.due_settle_at < now() - interval '30 seconds' AND c.closed_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.type = 'sla_reminder' AND e.data->>'clock' = 'settle')))
         ORDER BY c.id LIMIT 200`,
      );
      for (const { id } of rows) await this.scheduler.sync(id);
      return rows.length;
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'SLA sweep failed');
      return 0;
    }
  }
}
