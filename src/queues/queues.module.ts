import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueName } from './queue-names';
import { redisOptions } from './redis-options';

/** The Redis connection and the queues; retry and retention options live here and nowhere else. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: { ...redisOptions(config.redisUrl), maxRetriesPerRequest: null },
        prefix: config.queue.prefix,
        defaultJobOptions: {
          attempts: config.queue.attempts,
          backoff: { type: 'exponential', delay: config.queue.backoffMs },
          removeOnComplete: { age: 24 * 3600, count: 50_000 },
          removeOnFail: { age: 14 * 24 * 3600 },
        },
      }),
    }),
    BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
  ],
  exports: [BullModule],
})
export class QueuesModule {}
