import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { NotifyOutbox } from '../notify/notify-outbox.service';
import { QueueName, SlaJob } from '../queues/queue-names';
import { SlaTimers } from './sla-timers.service';

/** sla job: an SLA timer or a commitment reminder fired (delayed jobs survive restarts in Redis). */
@Processor(QueueName.Sla)
export class SlaProcessor extends WorkerHost {
  private readonly logger = new Logger(SlaProcessor.name);

  constructor(
    private readonly timers: SlaTimers,
    private readonly outbox: NotifyOutbox,
  ) {
    super();
  }

  async process(job: Job<SlaJob>): Promise<string> {
    const { caseId, clock, stage, commitmentId } = job.data ?? ({} as SlaJob);
    const result =
      job.name === 'commitment' && Number.isInteger(commitmentId)
        ? await this.timers.commitmentDue(commitmentId!)
        : await this.timers.fire(Number(caseId), String(clock), String(stage));
    await this.outbox.dispatch(result.notificationIds);
    this.logger.log({ jobId: job.id, caseId, clock, stage, commitmentId, outcome: result.outcome }, 'sla timer');
    return result.outcome;
  }
}
