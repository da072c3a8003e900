import type Redis from 'ioredis';
import type { Sample } from './metric-series';

/** Upper bounds (seconds) of the job duration buckets: from a fast analysis to a slow crawl. */
export const JOB_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export type JobOutcome = 'completed' | 'failed';

/**
 * Job durations as a histogram kept in Redis (one hash, `<prefix>:ops:job-durations`): worker processes
 * add to it, any API instance reads it, so every instance reports the same histogram. Fields are
 * `<queue>|<outcome>|<bucket index>` (not cumulative), `…|count` and `…|sum` (seconds).
 */
export class JobDurationStore {
  readonly key: string;

  constructor(
    private readonly redis: () => Promise<Redis>,
    prefix: string,
  ) {
    this.key = `${prefix}:ops:job-durations`;
  }

  async record(queue: string, outcome: JobOutcome, seconds: number): Promise<void> {
    const s = Math.max(0, seconds);
    let bucket = JOB_DURATION_BUCKETS.findIndex((le) => s <= le);
    if (bucket < 0) bucket = JOB_DURATION_BUCKETS.length;
    const field = `${queue}|${outcome}`;
    await (await this.redis())
      .multi()
      .hincrby(this.key, `${field}|${bucket}`, 1)
      .hincrby(this.key, `${field}|count`, 1)
      .hincrbyfloat(this.key, `${field}|sum`, s)
      .exec();
  }

  /** Prometheus histogram samples (cumulative buckets, +Inf, sum, count) for `name`. */
  async samples(name: string): Promise<Array<Sample & { metricName: string }>> {
    const raw = await (await this.redis()).hgetall(this.key);
    const series = new Map<string, { buckets: number[]; count: number; sum: number }>();
    for (const [field, value] of Object.entries(raw)) {
      const [queue, outcome, part] = field.split('|');
      const id = `${queue}|${outcome}`;
      if (!series.has(id)) series.set(id, { buckets: new Array(JOB_DURATION_BUCKETS.length + 1).fill(0), count: 0, sum: 0 });
      const s = series.get(id)!;
      if (part === 'count') s.count = Number(value);
      else if (part === 'sum') s.sum = Number(value);
      else if (/^\d+$/.test(part) && Number(part) <= JOB_DURATION_BUCKETS.length) s.buckets[Number(part)] = Number(value);
    }
    const out: Array<Sample & { metricName: string }> = [];
    for (const id of [...series.keys()].sort()) {
      const [queue, outcome] = id.split('|');
      const s = series.get(id)!;
      let cumulative = 0;
      JOB_DURATION_BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i];
        out.push({ metricName: `${name}_bucket`, labels: { queue, outcome, le }, value: cumulative });
      });
      out.push({ metricName: `${name}_bucket`, labels: { queue, outcome, le: '+Inf' }, value: s.count });
      out.push({ metricName: `${name}_sum`, labels: { queue, outcome }, value: s.sum });
      out.push({ metricName: `${name}_count`, labels: { queue, outcome }, value: s.count });
    }
    return out;
  }
}
