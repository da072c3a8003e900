import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { normalizeText } from '../analysis/text-normalizer';

const ROLE = 'tingfeng-dry-run-normalizer';

interface Request {
  id: number;
  texts: string[];
}

// In the worker: normalise what the pool sends.
if (!isMainThread && (workerData as { role?: string } | undefined)?.role === ROLE) {
  parentPort?.on('message', ({ id, texts }: Request) => parentPort?.postMessage({ id, texts: texts.map(normalizeText) }));
}

/**
 * Normalises the dry-run's candidate texts on two threads: 60% in a long-lived worker thread, 40% on the calling
 * thread (normalising, mostly traditional → simplified, is the dry-run's largest cost in Node). Falls back to the
 * calling thread alone on a single core, when running from TypeScript sources (tests), or if the worker fails.
 */
export class DryRunNormalizer {
  private worker: Worker | null | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (texts: string[]) => void; reject: (error: Error) => void }>();

  async normalize(texts: string[]): Promise<string[]> {
    const worker = this.ensureWorker();
    if (!worker || texts.length < 64) return texts.map(normalizeText);
    // The calling thread also evaluates the rule on the batch afterwards: it takes the smaller share.
    const half = Math.floor(texts.length * 0.4);
    const id = this.nextId++;
    const remote = new Promise<string[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, texts: texts.slice(half) } satisfies Request);
    });
    const local = texts.slice(0, half).map(normalizeText);
    try {
      return [...local, ...(await remote)];
    } catch {
      return [...local, ...texts.slice(half).map(normalizeText)];
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker | null {
    if (this.worker !== undefined) return this.worker;
    this.worker = null;
    // Only from the compiled file of its own (not from TypeScript sources under ts-jest, nor from a bundle).
    if (cpus().length < 2 || !/dry-run-normalizer\.js$/.test(__filename)) return null;
    try {
      const worker = new Worker(__filename, { workerData: { role: ROLE } });
      worker.unref();
      worker.on('message', ({ id, texts }: { id: number; texts: string[] }) => {
        this.pending.get(id)?.resolve(texts);
        this.pending.delete(id);
      });
      const fail = (error: Error) => {
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
        if (this.worker === worker) this.worker = undefined;
      };
      worker.on('error', fail);
      worker.on('exit', () => fail(new Error('dry-run normaliser thread exited')));
      this.worker = worker;
    } catch {
      this.worker = null;
    }
    return this.worker;
  }
}
