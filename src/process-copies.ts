import cluster, { type Worker } from 'node:cluster';

/** What a copy tells the supervisor once its service is up. */
interface ReadyMessage {
  type: 'tingfeng:ready';
  url?: string;
}

const isReady = (message: unknown): message is ReadyMessage => (message as ReadyMessage | null)?.type === 'tingfeng:ready';

/** Unexpected exits within this window count towards giving up. */
const CRASH_WINDOW_MS = 60_000;

/**
 * The supervisor of `copies` copies of this process (Node cluster, `processes` setting): API copies
 * share the listening port (the supervisor hands each new connection to the next copy), worker copies
 * share the queues. The supervisor runs nothing else. A copy that dies after start-up is replaced,
 * after a delay that grows while copies keep dying (0.5 s doubling to 30 s); more than five deaths per
 * copy within a minute, or a copy failing during start-up (a port in use, Postgres gone), ends the
 * supervisor with exit code 1, so the service manager sees a failure instead of a restart loop.
 * SIGTERM or SIGINT is passed to every copy; the supervisor exits when all of them have.
 */
export function superviseCopies(copies: number, log: (line: string) => void): void {
  const up = new Set<Worker>();
  let deaths: number[] = [];
  let stopping = false;
  let exitCode = 0;
  let announced = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isReady(message)) return;
      up.add(worker);
      if (!announced && up.size === copies) {
        announced = true;
        log(`${copies} processes up${message.url ? `, listening on ${message.url}` : ''}`);
      }
    });
  };

  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (running.length === 0) process.exit(exitCode);
    for (const worker of running) worker.process.kill('SIGTERM');
  };

  cluster.on('exit', (worker, code, signal) => {
    const wasUp = up.delete(worker);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!wasUp) {
      log(`process ${worker.process.pid} failed during start-up (${how}); stopping`);
      stop(1);
      return;
    }
    const now = Date.now();
    deaths = [...deaths.filter((at) => now - at < CRASH_WINDOW_MS), now];
    if (deaths.length > 5 * copies) {
      log(`processes keep dying (${deaths.length} within a minute); stopping`);
      stop(1);
      return;
    }
    const delay = Math.min(30_000, 500 * 2 ** (deaths.length - 1));
    log(`process ${worker.process.pid} exited (${how}); starting another in ${delay} ms`);
    setTimeout(() => stopping || fork(), delay);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(0));
  for (let i = 0; i < copies; i++) fork();
}

/**
 * In a copy: tells the supervisor the service is up, and closes it when the supervisor is gone (its
 * channel closes), so no copy outlives a supervisor that was killed.
 */
export function reportReady(url: string | undefined, close: () => Promise<void>): void {
  if (!cluster.isWorker || !process.send) return;
  process.send({ type: 'tingfeng:ready', url } satisfies ReadyMessage);
  process.once('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
}
