/**
 * Domain decomposition over worker threads with Lennard-Jones (DESIGN.md §7): decomposed =
 * undecomposed in every kind of box, bit-identical repeats, agreement across worker counts,
 * bit-exact restarts, and a failing worker surfacing as one clean error.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Box, createCellList, createForceOutput, createSimulation, createSystem, fccLattice, kB_eV_per_K, Rng,
  type Potential, type SimulationState, type System,
} from '../../engine/index.js';
import { createDecomposedPotential, type DecomposedPotential } from '../../engine/parallel/index.js';
import { maxwellBoltzmann, nptMtk, velocityVerlet } from '../../integrators/index.js';
import { createParallelPotential, lennardJones, type LennardJonesOptions } from '../../potentials/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const LJ: LennardJonesOptions = { cutoff_A: 8.5, shift: true, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } };

/** max |a − b| / max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0, s = 0;
  for (let i = 0; i < b.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return m / s;
}

/** Argon-like atoms at liquid density in `box`: a jittered grid (no overlaps), or a sphere for a cluster. */
function argon(box: Box, n: number, seed: number, cluster = false): System {
  const rng = new Rng(seed);
  const side = Math.ceil(Math.cbrt(n));
  const pos: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = [i % side, Math.floor(i / side) % side, Math.floor(i / side / side)].map((v) => (v + 0.5 + 0.3 * (rng.uniform() - 0.5)) / side);
    if (cluster) pos.push(...g.map((f) => 4.0 * side * (f - 0.5)));
    else for (let k = 0; k < 3; k++) pos.push(g[0] * box.cell[k] + g[1] * box.cell[3 + k] + g[2] * box.cell[6 + k]);
  }
  return createSystem({ symbols: new Array(n).fill('Ar'), positions: pos, masses: new Array(n).fill(39.948), box });
}

const BOXES: [string, System][] = [
  ['periodic', argon(Box.orthorhombic(24, 24, 24), 343, 1)],
  ['triclinic', argon(new Box([24, 0, 0, 6, 23, 0, -5, 4, 25], [true, true, true]), 343, 2)],
  ['slab (periodic x, y; open z)', argon(new Box([24, 0, 0, 0, 24, 0, 0, 0, 16], [true, true, false]), 216, 3)],
  ['cluster (open)', argon(Box.open(), 216, 4, true)],
  ['thin box (7 Å along z, thinner than the 8.5 Å cutoff)', argon(Box.orthorhombic(26, 26, 7), 200, 5)],
];

async function evaluate(pot: Potential, system: System, radius_A = 8.5) {
  const list = createCellList({ radius_A, kind: 'half' }).build(system.positions, system.box);
  const out = createForceOutput(system.n);
  await pot.compute(system, list, out);
  return { energy: out.energy_eV, forces: Float64Array.from(out.forces), virial: Float64Array.from(out.virial) };
}

describe('Lennard-Jones decomposed over worker threads', () => {
  const pools = new Map<number, DecomposedPotential>();
  beforeAll(async () => {
    const made = await Promise.all([1, 2, 3].map((w) => createParallelPotential({ kind: 'lennard-jones', options: LJ }, ['Ar'], { workers: w })));
    made.forEach((p, k) => pools.set(k + 1, p));
  });
  afterAll(async () => { for (const p of pools.values()) await p.dispose(); });

  it.each(BOXES)('%s: energy, forces and virial equal the undecomposed ones to 1e-10', async (_name, system) => {
    const ref = await evaluate(lennardJones(LJ, system.typeNames), system);
    expect(Math.abs(ref.energy)).toBeGreaterThan(0.1);
    for (const [w, pot] of pools) {
      const got = await evaluate(pot, system);
      expect(Math.abs(got.energy - ref.energy) / Math.abs(ref.energy), `${w} workers`).toBeLessThan(1e-10);
      expect(relErr(got.forces, ref.forces), `${w} workers`).toBeLessThan(1e-10);
      expect(relErr(got.virial, ref.virial), `${w} workers`).toBeLessThan(1e-10);
      expect(pot.stats.owned.reduce((a, b) => a + b)).toBe(system.n);
    }
    // Pair potentials: the parts split the rows evenly, reach other parts' atoms (ghosts, read in
    // shared memory; in an open cluster only the first part does), and together list every pair once.
    const two = pools.get(2)!.stats;
    expect(two.owned).toEqual([Math.floor(system.n / 2), system.n - Math.floor(system.n / 2)]);
    expect(two.ghosts[0]).toBeGreaterThan(0);
    const pairs = createCellList({ radius_A: 8.5, kind: 'half' }).build(system.positions, system.box).nPairs;
    for (const w of [1, 2, 3]) expect(pools.get(w)!.stats.pairs.reduce((a, b) => a + b), `${w} workers`).toBe(pairs);
  });

  it('domain 0 in the main thread gives the bits of domain 0 in a worker thread', async () => {
    const system = BOXES[1][1];
    const threads = await createDecomposedPotential({ worker: new URL('../../potentials/lj-domain-worker.ts', import.meta.url), spec: { kind: 'lennard-jones', options: LJ }, typeNames: ['Ar'], workers: 2 });
    try {
      const a = await evaluate(threads, system), b = await evaluate(pools.get(2)!, system);
      expect(b.energy).toBe(a.energy);
      expect(Array.from(b.forces)).toEqual(Array.from(a.forces));
      expect(Array.from(b.virial)).toEqual(Array.from(a.virial));
    } finally {
      await threads.dispose();
    }
  });

  /** 256 hot argon atoms, 100 NVE steps with `pot` (a fresh copy of the starting state each time). */
  function melt(): System {
    const s = fccLattice({ cells: [4, 4, 4], latticeConstant_A: 3.405 * Math.cbrt(4 / 0.8442), symbol: 'Ar' });
    maxwellBoltzmann(s, (3 * 0.0104) / kB_eV_per_K, new Rng(87287));
    return s;
  }
  async function md(pot: Potential, steps: number, options: { restart?: SimulationState; system?: System; snapshotAt?: number } = {}) {
    const system = options.system ?? melt();
    let snapshot: SimulationState | undefined;
    const energies: number[] = [];
    const observers = [{ every: 10, observe: (f: import('../../engine/index.js').Frame) => { energies.push(f.totalEnergy_eV); if (f.step === options.snapshotAt) snapshot = f.state(); } }];
    const sim = createSimulation({ system, potential: pot, integrator: velocityVerlet({ timestep_fs: 10 }), neighbor: { skin_A: 1.0 }, observers, restart: options.restart });
    const summary = await sim.run(steps);
    return { system, energies, snapshot, builds: summary.neighborBuilds, potential_eV: (await sim.frame()).potentialEnergy_eV };
  }

  it('MD: the same worker count gives the same bits; other counts agree to 1e-9 after 100 steps; restarts are bit-exact', async () => {
    const serial = await md(lennardJones(LJ, ['Ar']), 100);
    const two = await md(pools.get(2)!, 100, { snapshotAt: 50 });
    const again = await md(pools.get(2)!, 100);
    const three = await md(pools.get(3)!, 100);
    expect(two.builds).toBeGreaterThan(2); // the atoms move: domains are rebuilt along the way
    expect(Array.from(again.system.positions)).toEqual(Array.from(two.system.positions));
    expect(Array.from(again.system.velocities)).toEqual(Array.from(two.system.velocities));
    expect(again.potential_eV).toBe(two.potential_eV);
    for (const other of [serial, three]) {
      expect(Math.abs(other.potential_eV - two.potential_eV) / Math.abs(two.potential_eV)).toBeLessThan(1e-9);
    }
    // Not bit-identical to the serial run: the sums are in another order (the test above is not vacuous).
    expect(Array.from(serial.system.positions)).not.toEqual(Array.from(two.system.positions));
    const restarted = await md(pools.get(2)!, 100, { restart: two.snapshot!, system: melt() });
    expect(Array.from(restarted.system.positions)).toEqual(Array.from(two.system.positions));
    expect(Array.from(restarted.system.velocities)).toEqual(Array.from(two.system.velocities));
  });

  it('NPT: the parts follow the deforming cell between builds as the serial list does (same builds, energies to 1e-9, bit-exact restart)', async () => {
    async function npt(pot: Potential, options: { restart?: SimulationState; snapshotAt?: number } = {}) {
      const system = melt();
      let snapshot: SimulationState | undefined;
      const observers = [{ every: 10, observe: (f: import('../../engine/index.js').Frame) => { if (f.step === options.snapshotAt) snapshot = f.state(); } }];
      const integrator = nptMtk({ timestep_fs: 10, temperature_K: 300, pressure_bar: 2000, tdamp_fs: 200, pdamp_fs: 400, couple: 'iso' });
      const sim = createSimulation({ system, potential: pot, integrator, neighbor: { skin_A: 1.0 }, observers, restart: options.restart });
      const summary = await sim.run(100);
      return { system, snapshot, builds: summary.neighborBuilds, potential_eV: (await sim.frame()).potentialEnergy_eV, volume: system.box.volume };
    }
    const serial = await npt(lennardJones(LJ, ['Ar']));
    const two = await npt(pools.get(2)!, { snapshotAt: 50 });
    expect(Math.abs(serial.volume / melt().box.volume - 1)).toBeGreaterThan(0.01); // the cell did move
    expect(two.builds).toBeLessThan(50); // not a re-decomposition at every step
    expect(two.builds).toBe(serial.builds);
    expect(Math.abs(two.potential_eV - serial.potential_eV) / Math.abs(serial.potential_eV)).toBeLessThan(1e-9);
    const restarted = await npt(pools.get(2)!, { restart: two.snapshot! });
    expect(Array.from(restarted.system.positions)).toEqual(Array.from(two.system.positions));
    expect(Array.from(restarted.system.box.cell)).toEqual(Array.from(two.system.box.cell));
  });

  it('MD: worker threads stepping in step loops give the bits of workers told each step by a message', async () => {
    const messages = await createDecomposedPotential({
      worker: new URL('../../potentials/lj-domain-worker.ts', import.meta.url), spec: { kind: 'lennard-jones', options: LJ }, typeNames: ['Ar'], workers: 2, mainThreadDomain: true,
    });
    try {
      const a = await md(messages, 60), b = await md(pools.get(2)!, 60);
      expect(b.builds).toBeLessThan(30); // most steps ran in the loops, between builds
      expect(Array.from(b.system.positions)).toEqual(Array.from(a.system.positions));
      expect(Array.from(b.system.velocities)).toEqual(Array.from(a.system.velocities));
      expect(b.potential_eV).toBe(a.potential_eV);
    } finally {
      await messages.dispose();
    }
  });

  // Domain 0 in the main thread (as Lennard-Jones runs it) or in a worker thread of its own; the
  // failing domain 1 always in a worker thread, stepping on messages or in a step loop (as
  // Lennard-Jones runs it); domain 0 failing in the main thread (it can throw, not exit).
  it.each([
    ['throw', 1, 'a worker thread', 'messages'], ['exit', 1, 'a worker thread', 'messages'], ['throw', 1, 'the main thread', 'messages'], ['exit', 1, 'the main thread', 'messages'],
    ['throw', 1, 'the main thread', 'step loops'], ['exit', 1, 'the main thread', 'step loops'], ['throw', 1, 'a worker thread', 'step loops'], ['throw', 0, 'the main thread', 'step loops'],
  ] as const)('a worker that %ss (domain %i; domain 0 in %s; workers on %s) stops the run with one message naming the worker, the step and the cause, and leaves no thread behind', (mode, slot, where, steps) => {
    const args = [mode, String(slot), where === 'the main thread' ? 'main' : 'worker', steps === 'step loops' ? 'loops' : 'messages'];
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'fixtures', 'failing-run.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error, 'the process did not end by itself').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; message: string; step: number; flushed: number; seen: number[] };
    expect(out.name).toBe('StepFailedError');
    expect(out.step).toBe(6);
    expect(out.message).toMatch(new RegExp(`^step 6 failed: worker ${slot} of 2 failed: `));
    expect(out.message).toMatch(mode === 'throw' ? /injected failure at evaluation 7/ : /worker 1 exited|code: 7|code 7/);
    expect(out.seen).toEqual([0, 4]);
    expect(out.flushed).toBe(5); // the last good frame went to the writers
  });
});
