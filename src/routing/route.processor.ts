import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { QueueName, RouteJob } from '../queues/queue-names';
import { RoutingService } from './routing.service';

@Processor(QueueName.Route)
export class RouteProcessor extends WorkerHost {
  private readonly logger = new Logger(RouteProcessor.name);

  constructor(private readonly routing: RoutingService) {
    super();
  }

  async process(job: Job<RouteJob>): Promise<string> {
    const outcome = await this.routing.route(job.data.caseId);
    this.logger.log({ jobId: job.id, caseId: job.data.caseId, outcome }, 'case routed');
    return outcome;
  }
}
