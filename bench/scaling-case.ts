/**
 * One measurement of `e3md bench scaling`, run in a process of its own (bench/scaling.ts spawns
 * it) so that its peak memory and whole-process time are its own. Prints one JSON line.
 *
 * Cases: Lennard-Jones melt MD (the LAMMPS bench system) on `workers` threads; MD of periodic
 * water with a default Allegro or NequIP model (random weights, float32, r_max 4 Å) on `workers`
 * threads; batched replicas of the water hexamer or the 192-atom box with the shipped model; one
 * force evaluation of a large water box (memory-bounded inference).
 *
 * Usage: node dist/bench/scaling-case.js '{"kind":"lj","cells":20,"workers":2,"steps":100}'
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation, Rng, singlePoint, type Potential, type System } from '../engine/index.js';
import type { DecomposedPotential } from '../engine/parallel/index.js';
import { maxwellBoltzmann, velocityVerlet } from '../integrators/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { createAllegro, createNequip, exportPotential } from '../models/index.js';
import { createOnnxPotential, createOnnxPotentialFor, createParallelPotential, createReplicaBatch, DEFAULT_MEMORY_GB, estimateModelMemory, lennardJones, type OnnxPotential, type StagedPotential } from '../potentials/index.js';
import { MELT, meltPotentialOptions, meltSystem } from './lj-melt-system.js';
import { repoRoot } from './paths.js';
import { waterBox } from './water-box.js';

/** What to measure. */
export type ScalingCase =
  | { kind: 'lj'; cells: number; workers: number; steps: number }
  | { kind: 'model'; arch: 'allegro' | 'nequip'; replicate: [number, number, number]; workers: number; steps: number; devices?: string[] }
  | { kind: 'replicas'; system: 'hexamer' | 'box192'; replicas: number; steps: number }
  | { kind: 'eval'; arch: 'allegro' | 'nequip'; replicate: [number, number, number]; workers: number; memory_GB?: number };

const root = repoRoot();


function modelFile(arch: 'allegro' | 'nequip'): string {
  const model = arch === 'allegro' ? createAllegro({ typeNames: ['H', 'O'], rMax_A: 4 }) : createNequip({ typeNames: ['H', 'O'], rMax_A: 4 });
  const file = join(mkdtempSync(join(tmpdir(), 'e3md-scaling-')), `${arch}.onnx`);
  writeFileSync(file, exportPotential(model, { dtype: 'float32' }));
  return file;
}

const peakRss_MiB = (): number => process.resourceUsage().maxRSS / 1024;

/** Split of a decomposed potential's time per evaluation, s. */
function split(pot: Potential, calls: number): Record<string, number> | undefined {
  const t = (pot as Partial<DecomposedPotential>).timings;
  if (!t || t.calls === 0) return undefined;
  const per = (x: number): number => x / calls;
  return {
    decompose_s: per(t.decompose_s), reduce_s: per(t.reduce_s), workerLists_s: per(t.build_s), workerGather_s: per(t.gather_s), potential_s: per(t.compute_s), wait_s: per(t.wait_s),
  };
}

async function md(system: System, potential: Potential, timestep_fs: number, steps: number, neighbor: Parameters<typeof createSimulation>[0]['neighbor']) {
  const sim = createSimulation({ system, potential, integrator: velocityVerlet({ timestep_fs }), neighbor });
  await sim.frame(); // set-up (lists, first forces) outside the timing, as LAMMPS's "Loop time"
  (potential as Partial<DecomposedPotential>).resetTimings?.();
  const cpu0 = process.cpuUsage();
  const summary = await sim.run(steps);
  const cpu = process.cpuUsage(cpu0);
  const stepsPerSecond = steps / summary.wall_s;
  return {
    atoms: system.n, steps, loop_s: summary.wall_s, cpu_s: (cpu.user + cpu.system) / 1e6, neighborBuilds: summary.neighborBuilds,
    atomStepsPerSecond: summary.atomStepsPerSecond, usPerAtomStep: 1e6 / summary.atomStepsPerSecond, nsPerDay: (stepsPerSecond * timestep_fs * 86400) / 1e6,
    split: split(potential, steps),
    stats: (potential as Partial<DecomposedPotential>).stats,
  };
}

async function measure(c: ScalingCase): Promise<Record<string, unknown>> {
  if (c.kind === 'lj') {
    // Shared memory, as `e3md run` allocates it for workers: they read positions and write forces in place.
    const system = meltSystem(c.cells, { shared: c.workers > 1 });
    const options = meltPotentialOptions;
    // One worker is the ordinary serial potential (what `e3md run` uses then).
    const pot = c.workers === 1 ? lennardJones(options, system.typeNames) : await createParallelPotential({ kind: 'lennard-jones', options }, system.typeNames, { workers: c.workers });
    try {
      return await md(system, pot, MELT.timestep_fs, c.steps, { skin_A: MELT.skin_A, rebuild: { every: 20, check: false } });
    } finally {
      await pot.dispose?.();
    }
  }
  if (c.kind === 'model') {
    const system = waterBox(c.replicate);
    maxwellBoltzmann(system, 300, new Rng(3));
    const pot = await createOnnxPotentialFor({ model: modelFile(c.arch), typeNames: system.typeNames, largest: system, device: 'cpu', threads: 1, workers: c.workers, devices: c.devices });
    try {
      return { ...(await md(system, pot, 0.5, c.steps, { skin_A: 1.0 })), providers: (pot as Partial<DecomposedPotential>).providers };
    } finally {
      await pot.dispose?.();
    }
  }
  if (c.kind === 'replicas') {
    const model = join(root, 'examples', 'water', 'water-nequip.onnx');
    const base = c.system === 'hexamer' ? readExtxyz(join(root, 'examples', 'water', 'hexamer.extxyz'))[0] : readExtxyz(join(root, 'examples', 'water', 'boxes', 'water-64.extxyz'))[0];
    const systems = Array.from({ length: c.replicas }, (_, k) => {
      const s = systemOfFrame(base, c.system);
      maxwellBoltzmann(s, 300, new Rng(42 + k));
      return s;
    });
    const single = await createOnnxPotential({ model, typeNames: systems[0].typeNames, device: 'cpu', intraOpThreads: 1 });
    const memory = await estimateModelMemory(model);
    const batch = createReplicaBatch(single as OnnxPotential, c.replicas, { estimateBytes: (a, e, d) => memory.bytes(a, e, d), budget_bytes: DEFAULT_MEMORY_GB * 1e9 });
    try {
      const sims = systems.map((s, k) => createSimulation({ system: s, potential: batch.views[k], integrator: velocityVerlet({ timestep_fs: 0.5 }), neighbor: { skin_A: 1.0 } }));
      await Promise.all(sims.map((s) => s.frame()));
      const t0 = performance.now();
      await Promise.all(sims.map((s) => s.run(c.steps)));
      const wall = (performance.now() - t0) / 1000;
      const atomSteps = c.replicas * systems[0].n * c.steps;
      return { atoms: systems[0].n, replicas: c.replicas, steps: c.steps, loop_s: wall, atomStepsPerSecond: atomSteps / wall, usPerAtomStep: (1e6 * wall) / atomSteps, modelCalls: batch.calls, callsPerStep: batch.groups };
    } finally {
      await batch.dispose();
    }
  }
  const system = waterBox(c.replicate);
  const t0 = performance.now();
  const notes: string[] = [];
  const pot = await createOnnxPotentialFor({ model: modelFile(c.arch), typeNames: system.typeNames, largest: system, device: 'cpu', threads: 1, workers: c.workers, memory_GB: c.memory_GB, log: (m) => void notes.push(m) });
  try {
    const t1 = performance.now();
    const r = await singlePoint(pot, system);
    return { atoms: system.n, setup_s: (t1 - t0) / 1000, eval_s: (performance.now() - t1) / 1000, energy_eV: r.energy_eV, notes, stats: (pot as Partial<DecomposedPotential>).stats, split: split(pot, 1), staged: pot.name.endsWith('(layer by layer)') ? (pot as StagedPotential).timings : undefined };
  } finally {
    await pot.dispose?.();
  }
}

const arg = process.argv[2];
if (!arg) throw new Error('scaling-case: give the case as JSON');
const c = JSON.parse(arg) as ScalingCase;
const result = await measure(c);
process.stdout.write(JSON.stringify({ case: c, ...result, peakRss_MiB: peakRss_MiB() }) + '\n');
