import type { BulkJobOptions, Job, Queue } from 'bullmq';

export interface RequeueJob<T> {
  name: string;
  data: T;
  opts: BulkJobOptions & { jobId: string };
}

export interface RequeueOutcome {
  /** Not known to the queue: added. */
  added: number;
  /** Ran out of tries: moved back to waiting with its tries reset. */
  retried: number;
  /** Completed although Postgres says the work is not done: removed and added again. */
  readded: number;
  /** Waiting, delayed or running: left alone. */
  queued: number;
  /** Completed and, per `keepCompleted`, nothing more to do. */
  kept: number;
}

/**
 * Makes sure each job (deterministic id, work not done per Postgres) will run. `addBulk` alone is a
 * no-op for an id the queue still holds, so a job that failed for good (e.g. while the database was
 * away) or completed (a crash between two steps of its work) would never run again. Failed jobs are
 * retried with fresh tries, completed ones removed and added again, waiting, delayed and active ones
 * left alone. `keepCompleted` picks completed jobs whose outcome stands (they ended without the
 * Postgres change on purpose). A job that changes state meanwhile is left to the next pass.
 */
export async function requeue<T>(queue: Queue<T>, jobs: RequeueJob<T>[], keepCompleted?: (job: Job<T>) => boolean): Promise<RequeueOutcome> {
  const outcome: RequeueOutcome = { added: 0, retried: 0, readded: 0, queued: 0, kept: 0 };
  if (jobs.length === 0) return outcome;
  const states = await Promise.all(jobs.map((j) => queue.getJobState(j.opts.jobId)));
  const toAdd: RequeueJob<T>[] = [];
  const add = (j: RequeueJob<T>, as: 'added' | 'readded') => {
    toAdd.push(j);
    outcome[as]++;
  };
  await Promise.all(
    jobs.map(async (j, i) => {
      const state = states[i];
      if (state === 'unknown') return add(j, 'added');
      if (state !== 'failed' && state !== 'completed') {
        outcome.queued++;
        return;
      }
      const job = (await queue.getJob(j.opts.jobId)) as Job<T> | undefined;
      if (!job) return add(j, 'added');
      try {
        if (state === 'failed') {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          outcome.retried++;
        } else if (keepCompleted?.(job)) {
          outcome.kept++;
        } else if ((await queue.remove(j.opts.jobId)) === 1) {
          add(j, 'readded');
        } else {
          outcome.queued++;
        }
      } catch {
        // It moved on between the look and the act (retried, removed or picked up): the next pass sees.
        outcome.queued++;
      }
    }),
  );
  if (toAdd.length) await queue.addBulk(toAdd as Parameters<Queue<T>['addBulk']>[0]);
  return outcome;
}
