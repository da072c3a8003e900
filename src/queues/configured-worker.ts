import { Processor, Worker, WorkerOptions } from 'bullmq';

export type StalledSettings = Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;

/** Settings per queue prefix (one per configuration; a test process may run several services). */
const settingsByPrefix = new Map<string, StalledSettings>();

/** Registers the lock and stalled-job settings of the workers of queues under `prefix`. */
export function setWorkerSettings(prefix: string, settings: StalledSettings): void {
  settingsByPrefix.set(prefix, settings);
}

/**
 * The Worker class @nestjs/bullmq creates for each processor (`BullModule.workerClass`): BullMQ's,
 * with the configured lock duration and stalled-job checks, which the static @Processor decorators
 * cannot know. Options a decorator does give win.
 */
export class ConfiguredWorker<D = unknown, R = unknown, N extends string = string> extends Worker<D, R, N> {
  constructor(name: string, processor?: string | URL | null | Processor<D, R, N>, opts?: WorkerOptions) {
    super(name, processor, { ...settingsByPrefix.get(opts?.prefix ?? 'bull'), ...opts } as WorkerOptions);
  }
}
