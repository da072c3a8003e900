import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConfiguredWorker, setWorkerSettings } from './configured-worker';
import { QueueName } from './queue-names';
import { redisOptions } from './redis-options';

// Workers take their lock and stalled-job settings from the configuration (see configured-worker.ts).
BullModule.workerClass = ConfiguredWorker;

/** The Redis connection and the queues; retry, retention and stalled-job options live here and nowhere else. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const { prefix, attempts, backoffMs, lockDurationMs, stalledIntervalMs, maxStalledCount } = config.queue;
        setWorkerSettings(prefix, { lockDuration: lockDurationMs, stalledInterval: stalledIntervalMs, maxStalledCount });
        return {
          connection: { ...redisOptions(config.redisUrl), maxRetriesPerRequest: null },
          prefix,
          defaultJobOptions: {
            attempts,
            backoff: { type: 'exponential', delay: backoffMs },
            removeOnComplete: { age: 24 * 3600, count: 50_000 },
            removeOnFail: { age: 14 * 24 * 3600 },
          },
        };
      },
    }),
    BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
  ],
  exports: [BullModule],
})
export class QueuesModule {}
