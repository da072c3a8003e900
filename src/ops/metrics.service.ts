import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { QueueName } from '../queues/queue-names';
import { JobDurationStore } from './job-durations';
import { registerReadSeries } from './metric-series';
import { PIPELINE_SERIES, querySeries } from './pipeline-series';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/**
 * Prometheus metrics, read fresh from Postgres and Redis at every scrape, so every API instance
 * reports the same figures and no API process has to count anything itself. Job durations are the
 * one thing only workers see: they add them to a histogram in Redis (JobDurationRecorder).
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly moduleRef: ModuleRef,
    private readonly durations: JobDurationStore,
  ) {}

  onModuleInit(): void {
    // Every queue of the pipeline, so a queue added to QueueName is covered without a change here.
    const queues = Object.values(QueueName).map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    collectDefaultMetrics({ register: this.registry, prefix: 'tingfeng_' });
    registerReadSeries(this.registry, {
      name: 'tingfeng_queue_jobs',
      help: 'Jobs per queue and state',
      type: 'gauge',
      read: async () =>
        (
          await Promise.all(
            queues.map(async (queue) => {
              const counts = await queue.getJobCounts(...JOB_STATES);
              return JOB_STATES.map((state) => ({ labels: { queue: queue.name, state }, value: counts[state] ?? 0 }));
            }),
          )
        ).flat(),
    });
    registerReadSeries(this.registry, {
      name: 'tingfeng_queue_paused',
      help: '1 when the queue is paused (e.g. from the queue dashboard), else 0',
      type: 'gauge',
      read: () => Promise.all(queues.map(async (queue) => ({ labels: { queue: queue.name }, value: (await queue.isPaused()) ? 1 : 0 }))),
    });
    registerReadSeries(this.registry, {
      name: 'tingfeng_job_duration_seconds',
      help: 'Processing time of each job attempt (start to finish) per queue and outcome (failed counts every failed attempt, retried or not)',
      type: 'histogram',
      read: () => this.durations.samples('tingfeng_job_duration_seconds'),
    });
    for (const series of PIPELINE_SERIES) {
      registerReadSeries(this.registry, {
        name: series.name,
        help: series.help,
        type: series.type,
        read: async () => {
          const rows = await querySeries(this.db, series);
          const samples = rows.map(({ n, ...labels }) => ({ labels: labels as Record<string, string>, value: Number(n) }));
          return series.zeroes ? withZeroes(samples, series.zeroes) : samples;
        },
      });
    }
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Series that should exist at 0 before anything happened (so alerts can use rate() from the start). */
function withZeroes(samples: Array<{ labels: Record<string, string>; value: number }>, zeroes: Array<Record<string, string>>) {
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  const seen = new Set(samples.map((s) => key(s.labels)));
  return [...samples, ...zeroes.filter((labels) => !seen.has(key(labels))).map((labels) => ({ labels, value: 0 }))];
}
