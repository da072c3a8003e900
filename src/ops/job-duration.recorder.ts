import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import { JobDurationStore, JobOutcome } from './job-durations';

/**
 * Adds every processed job's duration (processing start to finish, per attempt) to the Redis
 * histogram. It finds the queue workers of this process (every @Processor, whoever owns it) at boot
 * and listens to their 'completed' and 'failed' events, so processors need no metrics code. In an
 * `api` process there are no workers and it does nothing.
 */
@Injectable()
export class JobDurationRecorder implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobDurationRecorder.name);
  /** Queues whose worker this process runs (for tests and logs). */
  readonly queues: string[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly store: JobDurationStore,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const host = wrapper.instance as unknown;
      if (!(host instanceof WorkerHost)) continue;
      const worker = host.worker;
      const record = (job: Job | undefined, outcome: JobOutcome) => {
        if (!job?.processedOn) return;
        const finished = job.finishedOn && job.finishedOn >= job.processedOn ? job.finishedOn : Date.now();
        this.store.record(worker.name, outcome, (finished - job.processedOn) / 1000).catch((err: unknown) => this.logger.warn({ err, queue: worker.name }, 'could not record a job duration'));
      };
      worker.on('completed', (job: Job) => record(job, 'completed'));
      worker.on('failed', (job: Job | undefined) => record(job, 'failed'));
      this.queues.push(worker.name);
    }
  }
}
