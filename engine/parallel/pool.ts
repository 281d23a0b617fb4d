/**
 * A pool of worker threads (piscina) in which every task names the worker ("slot") it must run
 * on: a domain's neighbour lists and model session live in one worker, so its tasks must go
 * there, and a fixed slot per domain group keeps the order of every sum independent of thread
 * timing. A worker that throws rejects its task with the worker's error; a worker that dies
 * rejects every task waiting for it, and the pool then refuses new tasks (no hang waiting for a
 * worker that will never come back).
 *
 * Workers run the compiled module (dist/…/*.js) when this file is compiled, and the TypeScript
 * source through tsx when it runs from sources (vitest, `npx tsx`), so tests exercise the code
 * under test, not a stale build.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type * as PiscinaModule from 'piscina';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Worker module (file URL or path) whose default export handles one task. */
  module: URL | string;
  /** Number of worker threads (slots firstSlot … firstSlot + workers − 1). */
  workers: number;
  /**
   * Number of the first thread's slot (default 0): 1 when the caller's own thread serves slot 0
   * (engine/parallel/decomposed-potential.ts `mainThreadDomain`), so slots and messages keep the
   * domains' numbers.
   */
  firstSlot?: number;
}

/** Worker threads addressed by slot. */
export interface WorkerPool {
  readonly size: number;
  /**
   * Runs `task` on worker `slot` and resolves with its result; rejects with the worker's error,
   * or with a message naming the slot when the worker died or the pool was closed.
   */
  run<R>(slot: number, task: object): Promise<R>;
  /** Ends every worker thread (pending tasks reject). Idempotent. */
  close(): Promise<void>;
}

/** Node options that let a worker thread load TypeScript sources (tsx), or none for compiled code. */
export function workerExecArgv(module: URL | string): string[] {
  const href = typeof module === 'string' && !module.startsWith('file:') ? pathToFileURL(module).href : String(module);
  if (!href.endsWith('.ts')) return [];
  const require = createRequire(import.meta.url);
  return ['--import', pathToFileURL(require.resolve('tsx')).href];
}

/**
 * Starts `workers` threads running `module`.
 * @example
 * const pool = createWorkerPool({ module: new URL('./worker.js', import.meta.url), workers: 2 });
 * const [a, b] = await Promise.all([pool.run(0, { op: 'ping' }), pool.run(1, { op: 'ping' })]);
 * await pool.close();
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { workers } = options;
  const first = options.firstSlot ?? 0;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`createWorkerPool: workers must be a positive integer, got ${workers}`);
  if (!Number.isInteger(first) || first < 0) throw new Error(`createWorkerPool: firstSlot must be a non-negative integer, got ${first}`);
  const filename = options.module instanceof URL ? options.module.href : options.module;
  const slotOf = new Map<number, number>();
  let broken: string | null = null;
  let closed = false;
  const pending = new Map<number, Set<(e: Error) => void>>();
  // Loaded here, not at start-up: one-worker runs never need it.
  const { Piscina } = createRequire(import.meta.url)('piscina') as typeof PiscinaModule;
  const piscina = new Piscina({
    filename,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: Infinity,
    concurrentTasksPerWorker: 1,
    execArgv: workerExecArgv(filename),
    // Tasks carry their slot as queue options; only that slot's thread may take them.
    loadBalancer: (task, threads) => {
      const slot = (task as unknown as Record<symbol, { slot: number } | null>)[Piscina.queueOptionsSymbol]?.slot;
      for (const t of threads) if (slotOf.get(t.id) === slot && t.currentUsage === 0) return t;
      return null;
    },
  });
  const threads: Worker[] = piscina.threads;
  threads.forEach((t, k) => {
    const slot = first + k;
    slotOf.set(t.threadId, slot);
    t.once('exit', (code) => {
      if (closed) return;
      broken ??= `worker ${slot} exited (code ${code})`;
      const waiting = pending.get(slot);
      if (waiting) for (const reject of waiting) reject(new Error(broken));
    });
  });
  // Errors outside a task (a worker dying while idle) must not crash the process: they are
  // reported by the next `run`.
  piscina.on('error', (e: Error) => { broken ??= `a worker failed: ${e.message}`; });

  return {
    size: workers,
    run<R>(slot: number, task: object): Promise<R> {
      if (!(Number.isInteger(slot) && slot >= first && slot < first + workers)) return Promise.reject(new Error(`WorkerPool.run: no slot ${slot} (pool of slots ${first} to ${first + workers - 1})`));
      if (closed) return Promise.reject(new Error('WorkerPool.run: the pool is closed'));
      if (broken) return Promise.reject(new Error(broken));
      return new Promise<R>((resolve, reject) => {
        let set = pending.get(slot);
        if (!set) pending.set(slot, (set = new Set()));
        set.add(reject);
        piscina.run({ ...task, [Piscina.queueOptionsSymbol]: { slot } }).then(
          (r: R) => { set.delete(reject); resolve(r); },
          (e: unknown) => { set.delete(reject); reject(e instanceof Error ? e : new Error(String(e))); },
        );
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const set of pending.values()) for (const reject of set) reject(new Error('WorkerPool: closed while a task was running'));
      await piscina.destroy();
    },
  };
}
