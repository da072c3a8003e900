import type { Registry } from 'prom-client';

export interface Sample {
  labels?: Record<string, string | number>;
  value: number;
}

/**
 * A series whose samples are read at scrape time (from Postgres or Redis) rather than counted in this
 * process, so every API instance reports the same figures. `counter` series are totals that only grow
 * (they restart from 0 only when their rows or Redis keys are gone, which Prometheus treats as a reset).
 */
export function registerReadSeries(
  registry: Registry,
  series: { name: string; help: string; type: 'gauge' | 'counter' | 'histogram'; read: () => Promise<Array<Sample & { metricName?: string }>> },
): void {
  const { name, help, type, read } = series;
  registry.registerMetric({
    name,
    help,
    type,
    get: async () => ({ name, help, type, aggregator: 'sum', values: await read() }),
  } as unknown as Parameters<Registry['registerMetric']>[0]);
}
