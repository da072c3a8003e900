import { getQueueToken } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { AuthModule } from '../auth/auth.module';
import { AppConfig } from '../config/app-config';
import { QueueName } from '../queues/queue-names';
import { JobDurationRecorder } from './job-duration.recorder';
import { JobDurationStore } from './job-durations';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueDashboard } from './queue-dashboard.service';
import { QueueDashboardTokens } from './queue-dashboard-tokens';
import { QueueDashboardController } from './queue-dashboard.controller';

/** Operating the service: Prometheus metrics, job durations, the queue dashboard (Bull Board). */
@Module({
  imports: [DiscoveryModule, AuthModule],
  controllers: [MetricsController, QueueDashboardController],
  providers: [
    MetricsService,
    JobDurationRecorder,
    QueueDashboard,
    QueueDashboardTokens,
    {
      provide: JobDurationStore,
      inject: [AppConfig, getQueueToken(QueueName.Maintenance)],
      // The maintenance queue's connection: every process has it, whatever its role.
      useFactory: (config: AppConfig, queue: Queue) => new JobDurationStore(async () => (await queue.client) as unknown as Redis, config.queue.prefix),
    },
  ],
})
export class OpsModule {}
