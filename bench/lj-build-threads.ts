/**
 * Does a second thread slow the first? (issue 11: two workers gain less on the Lennard-Jones melt
 * than their halves of the work promise.) Times one half of the melt's half list (part 0 of 2, as
 * a worker builds it; bench/lj-decomposition-profile.ts) built over and over in three settings,
 * alternated round by round so that a drifting machine hits them alike:
 *
 * - `alone`: one thread of one process, nothing else running;
 * - `threads`: the main thread and a worker thread of one process, each building its own copy at
 *   the same moments (they start each build together, on a shared-memory signal), sharing nothing
 *   but the process — as a decomposed potential's main-thread domain and its worker do;
 * - `processes`: two processes, each `alone`, started together.
 *
 * If `threads` is slower than `processes`, something in sharing one process costs (the two
 * threads' data never meet); if both are slower than `alone`, the two cores slow each other (a
 * shared core, memory bandwidth).
 *
 * Usage: npx tsx bench/lj-build-threads.ts [--rounds 5] [--builds 30]
 * Prints one JSON object: per setting the median build time of each round, ms.
 */
import { spawn } from 'node:child_process';
import { createWorkerPool, workerExecArgv } from '../engine/parallel/index.js';
import { argValue } from './args.js';
import { timeBuilds } from './lj-build-threads-worker.js';

/** `threads`: this thread and a worker thread (the project's pool: piscina, as the decomposed potentials use) build together; both medians. */
async function inThreads(builds: number): Promise<[number, number]> {
  // control[0]: the build the worker may start; control[1]: the last build it finished; control[2]: 1 once it is set up.
  const control = new Int32Array(new SharedArrayBuffer(12));
  const pool = createWorkerPool({ module: new URL(import.meta.url.endsWith('.ts') ? './lj-build-threads-worker.ts' : './lj-build-threads-worker.js', import.meta.url), workers: 1 });
  try {
    const theirs = pool.run<number>(0, { control, builds });
    let failed: unknown = null;
    theirs.catch((e: unknown) => { failed = e; });
    // Wait (without blocking, so the task goes out and a failure comes back) for it to be set up.
    while (Atomics.load(control, 2) === 0) {
      if (failed) throw failed;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const mine = timeBuilds(
      builds,
      (k) => { Atomics.store(control, 0, k + 1); Atomics.notify(control, 0); },
      (k) => {
        // Never wait forever on a worker that died: no build takes a minute.
        if (Atomics.wait(control, 1, k, 60_000) === 'timed-out' && Atomics.load(control, 1) < k + 1) throw new Error('lj-build-threads: the worker thread stopped answering');
      },
    );
    return [mine, await theirs];
  } finally {
    await pool.close();
  }
}

/** `processes`: two processes of `alone`, started together; both medians. */
function inProcesses(builds: number): Promise<number[]> {
  const one = (): Promise<number> => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...workerExecArgv(new URL(import.meta.url)), new URL(import.meta.url).pathname, '--alone', '--builds', String(builds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`lj-build-threads: a child process exited with ${code}`))));
  });
  return Promise.all([one(), one()]);
}

if (process.argv.includes('--alone')) {
  process.stdout.write(String(timeBuilds(Number(argValue('--builds', '30')))));
} else {
  const rounds = Number(argValue('--rounds', '5')), builds = Number(argValue('--builds', '30'));
  if (!(Number.isInteger(rounds) && rounds >= 1 && Number.isInteger(builds) && builds >= 1)) throw new Error('lj-build-threads: --rounds and --builds take positive integers');
  const alone: number[] = [], threads: number[][] = [], processes: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    alone.push(timeBuilds(builds));
    threads.push(await inThreads(builds));
    processes.push(await inProcesses(builds));
    process.stderr.write(`round ${r + 1}: alone ${alone[r].toFixed(1)} ms, threads ${threads[r].map((x) => x.toFixed(1)).join(' / ')}, processes ${processes[r].map((x) => x.toFixed(1)).join(' / ')}\n`);
  }
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.log(JSON.stringify({
    benchmark: 'lj-build-threads', atoms: 32000, part: '0 of 2', builds, rounds, node: process.version, date: new Date().toISOString(),
    median_ms: { alone: median(alone), threads: median(threads.flat()), processes: median(processes.flat()) },
    rounds_ms: { alone, threads, processes },
  }, null, 1));
}
