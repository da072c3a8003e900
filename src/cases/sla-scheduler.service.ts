import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { jobIds, QueueName, SlaJob } from '../queues/queue-names';
import { SLA_CLOCKS } from './sla-calendar';
import { desiredTimers, dueTimes, SLA_STAGES } from './sla-config';
import { Case } from './case.entity';

/**
 * Keeps a case's SLA timers (delayed BullMQ jobs, one per clock and stage, deterministic ids) in line
 * with the case: adds the missing ones, moves those whose time changed, removes those no longer
 * wanted. Redis keeps delayed jobs across restarts of every process; the handler re-checks the case
 * when it fires, so a timer that could not be removed in time does nothing.
 */
@Injectable()
export class SlaScheduler {
  private readonly logger = new Logger(SlaScheduler.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Sla) private readonly queue: Queue<SlaJob>,
  ) {}

  /** Due times of a new case, to store on it. */
  dueFields(openedAt: Date, level: Case['level']): Pick<Case, 'dueAcknowledgeAt' | 'dueContactAt' | 'dueResponseAt' | 'dueSettleAt'> {
    const due = dueTimes(openedAt, level, this.config.sla);
    return { dueAcknowledgeAt: due.acknowledge, dueContactAt: due.contact, dueResponseAt: due.response, dueSettleAt: due.settle };
  }

  /** Never throws: a failure is logged and the next change or the sweep tries again. */
  async sync(caseId: number): Promise<void> {
    try {
      const c = await this.db.getRepository(Case).findOneBy({ id: caseId });
      if (!c) return;
      const wanted = new Map(desiredTimers(c, this.config.sla).map((t) => [jobIds.slaTimer(caseId, t.clock, t.stage), t]));
      for (const clock of SLA_CLOCKS) {
        for (const stage of SLA_STAGES) {
          const id = jobIds.slaTimer(caseId, clock, stage);
          const timer = wanted.get(id);
          const job = await this.queue.getJob(id);
          if (job) {
            const state = await job.getState();
            // Already set for this time (or fired for it): keep. A failed one is set again.
            if (timer && job.data.at === timer.at.toISOString() && state !== 'failed') continue;
            // Firing right now: it re-checks the case itself; the sweep covers a moved time.
            if (state === 'active') continue;
            await job.remove().catch(() => undefined);
          }
          if (timer) {
            await this.queue.add(
              'timer',
              { caseId, clock, stage, at: timer.at.toISOString() },
              { jobId: id, delay: Math.max(0, timer.at.getTime() - Date.now()) },
            );
          }
        }
      }
    } catch (error) {
      this.logger.warn({ caseId, err: String(error) }, 'could not sync SLA timers');
    }
  }

  async scheduleCommitment(commitmentId: number, caseId: number, dueAt: Date): Promise<void> {
    try {
      await this.queue.add('commitment', { caseId, commitmentId, at: dueAt.toISOString() }, { jobId: jobIds.commitment(commitmentId), delay: Math.max(0, dueAt.getTime() - Date.now()) });
    } catch (error) {
      this.logger.warn({ caseId, commitmentId, err: String(error) }, 'could not schedule the commitment reminder');
    }
  }
}
