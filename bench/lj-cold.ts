/**
 * Where a short parallel run loses its speed-up (issue 11): the LAMMPS melt in a fresh process per
 * run, timed step by step from the first, for 1 and 2 workers in alternating rounds. Each run reports
 * the potential's set-up (threads started, code loaded), the first force evaluation, the time of
 * steps 1–10, 11–30, 31–100 and 101–end, and from step 101 on the mean time of list-build steps and
 * of the others. Lists are rebuilt when needed (skin/2 test every step), as `e3md run` does: about
 * every 5 steps in this hot melt.
 *
 * System as bench/lj-melt.ts (bench/lj-melt-system.ts): 32,000 fcc argon atoms at ρ* = 0.8442, T* = 3.
 *
 * Usage: npx tsx bench/lj-cold.ts [--workers 1,2] [--rounds 3] [--steps 300] [--cells 20]
 * Prints one JSON object: every run, the per-worker medians, and each window's 1-worker/W-worker ratio.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSimulation, type Potential } from '../engine/index.js';
import type { DecomposedPotential } from '../engine/parallel/index.js';
import { velocityVerlet } from '../integrators/index.js';
import { workerExecArgv } from '../engine/parallel/pool.js';
import { createParallelPotential, lennardJones } from '../potentials/index.js';
import { MELT, meltPotentialOptions as options, meltSystem } from './lj-melt-system.js';
import { argValue } from './args.js';

const positive = (name: string, fallback: string): number => {
  const v = Number(argValue(name, fallback));
  if (!Number.isInteger(v) || v < 1) throw new Error(`lj-cold: ${name} needs a positive integer, got ${argValue(name, fallback)}`);
  return v;
};

/** What one fresh process measures. */
interface ColdRun {
  workers: number;
  setup_ms: number;
  firstFrame_ms: number;
  windows_ms: Record<string, number>;
  buildSteps: { count: number; mean_ms: number };
  otherSteps: { count: number; mean_ms: number };
  builds: number;
}

const WINDOWS: [string, number, number][] = [['1-10', 0, 10], ['11-30', 10, 30], ['31-100', 30, 100], ['101-end', 100, Infinity]];

async function child(workers: number, steps: number, cells: number): Promise<ColdRun> {
  const t0 = performance.now();
  const system = meltSystem(cells, { shared: workers > 1 });
  const potential: Potential = workers > 1
    ? await createParallelPotential({ kind: 'lennard-jones', options }, system.typeNames, { workers })
    : lennardJones(options, system.typeNames);
  const t1 = performance.now();
  const sim = createSimulation({ system, potential, integrator: velocityVerlet({ timestep_fs: MELT.timestep_fs }), neighbor: { skin_A: MELT.skin_A } });
  await sim.frame();
  const t2 = performance.now();
  const times: number[] = [], built: boolean[] = [];
  for (let s = 1; s <= steps; s++) {
    const before = sim.neighbors.builds, a = performance.now();
    await sim.run(s);
    times.push(performance.now() - a);
    built.push(sim.neighbors.builds > before);
  }
  if (workers > 1) await (potential as DecomposedPotential).dispose();
  const sum = (a: number, b: number): number => times.slice(a, b).reduce((x, y) => x + y, 0);
  const late = (want: boolean): { count: number; mean_ms: number } => {
    const t = times.slice(100).filter((_, k) => built[100 + k] === want);
    return { count: t.length, mean_ms: t.length ? t.reduce((x, y) => x + y, 0) / t.length : NaN };
  };
  return {
    workers, setup_ms: t1 - t0, firstFrame_ms: t2 - t1,
    windows_ms: Object.fromEntries(WINDOWS.filter(([, a]) => a < steps).map(([name, a, b]) => [name, sum(a, Math.min(b, steps))])),
    buildSteps: late(true), otherSteps: late(false), builds: sim.neighbors.builds,
  };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};

if (process.argv[2] === '--child') {
  const [workers, steps, cells] = process.argv.slice(3, 6).map(Number);
  process.stdout.write(JSON.stringify(await child(workers, steps, cells)) + '\n');
} else {
  const workers = argValue('--workers', '1,2').split(',').map(Number);
  if (!workers.every((w) => Number.isInteger(w) && w >= 1)) throw new Error('lj-cold: --workers takes positive integers');
  const rounds = positive('--rounds', '3'), steps = positive('--steps', '300'), cells = positive('--cells', '20');
  const self = fileURLToPath(import.meta.url);
  const runs: ColdRun[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const w of workers) {
      const p = spawnSync(process.execPath, [...workerExecArgv(self), self, '--child', String(w), String(steps), String(cells)], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`lj-cold: the ${w}-worker run failed: ${p.stderr.slice(-400)}`);
      runs.push(JSON.parse(p.stdout.trim().split('\n').pop()!) as ColdRun);
      process.stderr.write(`round ${r + 1}, ${w} worker(s): steps ${Object.entries(runs[runs.length - 1].windows_ms).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} ms\n`);
    }
  }
  const medians = workers.map((w) => {
    const mine = runs.filter((x) => x.workers === w);
    return {
      workers: w, setup_ms: median(mine.map((x) => x.setup_ms)), firstFrame_ms: median(mine.map((x) => x.firstFrame_ms)),
      windows_ms: Object.fromEntries(Object.keys(mine[0].windows_ms).map((k) => [k, median(mine.map((x) => x.windows_ms[k]))])),
      buildStep_ms: median(mine.map((x) => x.buildSteps.mean_ms)), otherStep_ms: median(mine.map((x) => x.otherSteps.mean_ms)),
    };
  });
  const one = medians.find((m) => m.workers === 1);
  const speedups = one ? medians.filter((m) => m.workers > 1).map((m) => ({
    workers: m.workers,
    windows: Object.fromEntries(Object.keys(m.windows_ms).map((k) => [k, one.windows_ms[k] / m.windows_ms[k]])),
    buildStep: one.buildStep_ms / m.buildStep_ms, otherStep: one.otherStep_ms / m.otherStep_ms,
  })) : [];
  console.log(JSON.stringify({ benchmark: 'lj-cold', atoms: 4 * cells ** 3, steps, rounds, node: process.version, date: new Date().toISOString(), medians, speedups, runs }, null, 1));
}
