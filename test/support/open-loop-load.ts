import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';

/** One simulated user: the request it sends, with its own token. */
export interface LoadUser {
  path: string;
  token: string;
}

export interface LoadResult {
  /** Milliseconds from the moment each request was due to its last response byte, ascending. */
  latencies: number[];
  statuses: Map<number, number>;
  /** Requests that got no HTTP answer (connection refused or reset, timeout). */
  socketErrors: number;
}

/**
 * People clicking independently: each user has its own keep-alive connection and sends its request at
 * moments of a Poisson process averaging `rate` requests a second (exponential gaps, the first one
 * too, so users are not in step). The schedule does not wait for answers: a request that falls due
 * while the user's previous one is still out waits for it, and that wait counts in its latency, which
 * is measured from the moment the request was due (no coordinated omission).
 */
export async function openLoopLoad(url: string, users: readonly LoadUser[], seconds: number, rate: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let socketErrors = 0;
  const gap = () => (-Math.log(1 - Math.random()) / rate) * 1000;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    users.map(async (user) => {
      const client = new Client(url, { pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
      const headers = { authorization: `Bearer ${user.token}`, accept: 'application/json' };
      try {
        for (let due = start + gap(); due < end; due += gap()) {
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          try {
            const response = await client.request({ method: 'GET', path: user.path, headers });
            await response.body.arrayBuffer();
            latencies.push(performance.now() - due);
            statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          } catch {
            socketErrors++;
          }
        }
      } finally {
        await client.close().catch(() => undefined);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { latencies, statuses, socketErrors };
}
