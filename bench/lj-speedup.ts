/**
 * The parallel speed-up of the LAMMPS melt (issue 11), measured at one moment: the serial run and a
 * `workers`-thread run of the same system advance side by side in one process, alternating blocks
 * of 20 steps (one list build each), and the speed-up is the median of the blocks' time ratios. On a
 * shared machine whose speed drifts by tens of per cent within seconds, separate processes timed
 * minutes apart (bench/scaling.ts) cannot resolve a ratio; alternating blocks can.
 *
 * System as bench/lj-melt.ts: 32,000 fcc argon atoms (20³ cells), ρ* = 0.8442, T* = 3.0 initial,
 * 2.5σ cutoff, 0.3σ skin, list every 20 steps without checking, velocity Verlet at 0.005τ.
 *
 * Usage: npx tsx bench/lj-speedup.ts [--workers 2] [--blocks 30] [--cells 20]
 * Prints one JSON object: per-block ms/step of both runs and of the parallel run's parts (slowest
 * worker's kernel and list build, the wait for the workers), the median speed-up and its quartiles.
 */
import { createSimulation, type Potential } from '../engine/index.js';
import { velocityVerlet } from '../integrators/index.js';
import { createParallelPotential, lennardJones } from '../potentials/index.js';
import { MELT, meltPotentialOptions as options, meltSystem } from './lj-melt-system.js';

const BLOCK = 20;

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(name);
  if (k < 0) return fallback;
  const v = Number(process.argv[k + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`lj-speedup: ${name} needs a positive integer, got ${process.argv[k + 1]}`);
  return v;
}
const workers = option('--workers', 2), blocks = option('--blocks', 30), cells = option('--cells', 20);

const serialSystem = meltSystem(cells), parallelSystem = meltSystem(cells, { shared: true });
const serial = lennardJones(options, serialSystem.typeNames);
let serialKernel_ms = 0;
const timedSerial: Potential = { ...serial, compute(s, l, o) { const t0 = performance.now(); void serial.compute(s, l, o); serialKernel_ms += performance.now() - t0; } };
const parallel = await createParallelPotential({ kind: 'lennard-jones', options }, parallelSystem.typeNames, { workers });
const neighbor = { skin_A: MELT.skin_A, rebuild: { every: BLOCK, check: false } };
const integrator = (): ReturnType<typeof velocityVerlet> => velocityVerlet({ timestep_fs: MELT.timestep_fs });
const a = createSimulation({ system: serialSystem, potential: timedSerial, integrator: integrator(), neighbor });
const b = createSimulation({ system: parallelSystem, potential: parallel, integrator: integrator(), neighbor });
await a.frame();
await b.frame();
let until = BLOCK;
await a.run(until); // warm-up block, not counted
await b.run(until);

const rows: Record<string, number>[] = [];
try {
  for (let k = 0; k < blocks; k++) {
    until += BLOCK;
    serialKernel_ms = 0;
    parallel.resetTimings();
    const t0 = performance.now();
    await a.run(until);
    const t1 = performance.now();
    await b.run(until);
    const t2 = performance.now();
    const t = parallel.timings, per = (s: number): number => (1000 * s) / BLOCK;
    rows.push({
      serial_ms: (t1 - t0) / BLOCK, serialKernel_ms: serialKernel_ms / BLOCK,
      parallel_ms: (t2 - t1) / BLOCK, workerKernel_ms: per(t.compute_s), workerLists_ms: per(t.build_s), wait_ms: per(t.wait_s),
      speedup: (t1 - t0) / (t2 - t1),
    });
  }
} finally {
  await parallel.dispose();
}
const sorted = rows.map((r) => r.speedup).sort((x, y) => x - y);
const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
const median = (key: string): number => rows.map((r) => r[key]).sort((x, y) => x - y)[rows.length >> 1];
process.stdout.write(JSON.stringify({
  benchmark: 'lj-speedup', atoms: serialSystem.n, workers, blocks, stepsPerBlock: BLOCK, node: process.version, date: new Date().toISOString(),
  speedup: { median: q(0.5), q25: q(0.25), q75: q(0.75) },
  median_ms_per_step: Object.fromEntries(['serial_ms', 'serialKernel_ms', 'parallel_ms', 'workerKernel_ms', 'workerLists_ms', 'wait_ms'].map((k) => [k, median(k)])),
  blocksMeasured: rows,
}, null, 1) + '\n');
