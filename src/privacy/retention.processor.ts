import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { QueueName } from '../queues/queue-names';
import { RetentionReport, RetentionService } from './retention.service';

/** Applies retention once a day at 03:00 Beijing time: one job scheduler, whatever the number of workers. */
@Processor(QueueName.Maintenance)
export class RetentionProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly retention: RetentionService,
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler('retention-daily', { pattern: '0 3 * * *', tz: 'Asia/Shanghai' }, { name: 'retention', opts: { attempts: 3 } });
  }

  process(_job: Job): Promise<RetentionReport> {
    return this.retention.run({ dryRun: false });
  }
}
