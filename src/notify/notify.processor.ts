import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { NotifyJob, QueueName } from '../queues/queue-names';
import { NotifyDelivery } from './notify-delivery.service';

/** notify job: deliver one outbox row; retried with backoff, dead-lettered after the last attempt. */
@Processor(QueueName.Notify)
export class NotifyProcessor extends WorkerHost {
  private readonly logger = new Logger(NotifyProcessor.name);

  constructor(private readonly delivery: NotifyDelivery) {
    super();
  }

  async process(job: Job<NotifyJob>): Promise<string> {
    const id = Number(job.data?.notificationId);
    if (!Number.isInteger(id)) return 'invalid_payload';
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const outcome = await this.delivery.deliver(id, final);
      this.logger.log({ jobId: job.id, notificationId: id, outcome }, 'notification');
      return outcome;
    } catch (error) {
      this.logger.warn({ jobId: job.id, notificationId: id, attempt: job.attemptsMade + 1, final, err: error instanceof Error ? error.message : String(error) }, 'notification not delivered');
      throw error;
    }
  }
}
