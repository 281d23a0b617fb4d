import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { fccLattice } from '../../engine/lattice.js';
import type { Frame, Observer, SimulationState } from '../../engine/observer.js';
import { Rng } from '../../engine/random.js';
import { createSimulation, NonFiniteEnergyError } from '../../engine/simulation.js';
import type { System } from '../../engine/system.js';
import { langevin } from '../../integrators/langevin.js';
import { maxwellBoltzmann } from '../../integrators/maxwell-boltzmann.js';
import { velocityVerlet } from '../../integrators/velocity-verlet.js';
import type { Integrator } from '../../engine/integrator.js';
import { lennardJones } from '../../potentials/lennard-jones.js';
import type { Potential } from '../../engine/potential.js';
import { assertEnergyConserved } from '../../testing/index.js';

const argon = { epsilon_eV: 0.0104, sigma_A: 3.405 };

/** 108-atom argon crystal (3×3×3 fcc cells, 5.26 Å) at `T` K: a box thinner than twice the 8.5 Å cutoff. */
function argonCrystal(T: number, seed = 42, cells = 3): System {
  const sys = fccLattice({ cells: [cells, cells, cells], latticeConstant_A: 5.26, symbol: 'Ar' });
  maxwellBoltzmann(sys, T, new Rng(seed));
  return sys;
}

function ljArgon(sys: System): Potential {
  return lennardJones({ cutoff_A: 8.5, shift: true, all: argon }, sys.typeNames);
}

/** Records every observed frame's scalar fields. */
function recorder(every: number): Observer & { rows: { step: number; time_fs: number; total: number; T: number; P: number }[]; flushed: number[] } {
  const rows: { step: number; time_fs: number; total: number; T: number; P: number }[] = [];
  const flushed: number[] = [];
  return {
    every, rows, flushed,
    observe(f: Frame) { rows.push({ step: f.step, time_fs: f.time_fs, total: f.totalEnergy_eV, T: f.temperature_K, P: f.pressure_bar }); },
    flush(f: Frame) { flushed.push(f.step); expect(Number.isFinite(f.potentialEnergy_eV)).toBe(true); },
  };
}

describe('run loop', () => {
  it('conserves energy for liquid-ish argon under velocity Verlet (drift bound)', async () => {
    const sys = argonCrystal(300); // melts within a picosecond and settles near 150 K: a liquid
    const rec = recorder(10);
    const sim = createSimulation({ system: sys, potential: ljArgon(sys), integrator: velocityVerlet({ timestep_fs: 4 }), neighbor: { skin_A: 1 }, observers: [rec] });
    const summary = await sim.run(2000);
    expect(summary.toStep).toBe(2000);
    expect(summary.neighborBuilds).toBeGreaterThan(1); // atoms moved: the skin test fired
    expect(rec.rows.length).toBe(201);
    expect(rec.rows[0].T).toBeCloseTo(300, 6); // Maxwell–Boltzmann rescaled to exactly T over 3N − 3
    expect(rec.rows[200].T).toBeLessThan(200);
    // Measured: deviation 1.1e-5 eV/atom, drift 2e-9 eV/atom/ps (dt 4 fs, shifted 8.5 Å cutoff). A
    // wrong force, a missed pair or a stale list shows up as a jump or a drift far above these bounds.
    assertEnergyConserved(rec.rows.map((r) => r.time_fs), rec.rows.map((r) => r.total), { atoms: sys.n, maxDeviation_eV_per_atom: 4e-5, maxDrift_eV_per_atom_per_ps: 2e-6 });
    // Wrapped at rebuilds: no atom far outside the cell.
    for (let k = 0; k < sys.positions.length; k++) expect(Math.abs(sys.positions[k] - 7.89)).toBeLessThan(7.89 + 1);
  });

  for (const [name, make] of [
    ['velocity Verlet', () => velocityVerlet({ timestep_fs: 5 })],
    ['Langevin', () => langevin({ timestep_fs: 5, temperature_K: 150, friction_per_ps: 2, seed: 7 })],
  ] as [string, () => Integrator][]) {
    it(`restarts bit-identically (${name}): 200 steps = 100 + restart + 100`, async () => {
      const straight = argonCrystal(150);
      const sim = createSimulation({ system: straight, potential: ljArgon(straight), integrator: make(), neighbor: { skin_A: 0.6 } });
      await sim.run(200);

      const first = argonCrystal(150);
      const simA = createSimulation({ system: first, potential: ljArgon(first), integrator: make(), neighbor: { skin_A: 0.6 } });
      await simA.run(100);
      // What a checkpoint file carries, rebuilt into fresh objects.
      const s = simA.state();
      const saved: SimulationState = {
        ...structuredClone({ ...s, box: null, neighborReferenceBox: null }),
        box: new Box(s.box.cell, s.box.pbc), neighborReferenceBox: new Box(s.neighborReferenceBox.cell, s.neighborReferenceBox.pbc),
      };
      expect(saved.step).toBe(100);

      const fresh = argonCrystal(10, 999); // different starting state: everything must come from the checkpoint
      const rec = recorder(50);
      const simB = createSimulation({ system: fresh, potential: ljArgon(fresh), integrator: make(), neighbor: { skin_A: 0.6 }, restart: saved, observers: [rec] });
      await simB.run(200);
      expect(rec.rows.map((r) => r.step)).toEqual([150, 200]); // the checkpoint step is not observed again
      expect(sim.neighbors.builds).toBeGreaterThan(2);
      expect(Array.from(fresh.positions)).toEqual(Array.from(straight.positions));
      expect(Array.from(fresh.velocities)).toEqual(Array.from(straight.velocities));
    });
  }

  it('observes step 0 and every `every` steps, reports a pressure, and runs on in chunks', async () => {
    const sys = argonCrystal(50, 1, 2);
    const a = recorder(3), b = recorder(5);
    const sim = createSimulation({ system: sys, potential: ljArgon(sys), integrator: velocityVerlet({ timestep_fs: 2 }), observers: [a, b] });
    await sim.run(7);
    await sim.run(10);
    expect(a.rows.map((r) => r.step)).toEqual([0, 3, 6, 9]);
    expect(b.rows.map((r) => r.step)).toEqual([0, 5, 10]);
    expect(Number.isFinite(a.rows[0].P)).toBe(true);
    expect(sim.step).toBe(10);
    await expect(sim.run(5)).rejects.toThrow(/already at step 10/);
  });

  it('stops with the step named when the energy becomes NaN, after flushing the last good frame', async () => {
    const sys = argonCrystal(50, 1, 2);
    const lj = ljArgon(sys);
    let calls = 0;
    const failing: Potential = { ...lj, compute(s, l, o) { lj.compute(s, l, o); if (++calls > 8) o.energy_eV = NaN; } };
    const everyStep = recorder(1), sparse = recorder(4);
    const sim = createSimulation({ system: sys, potential: failing, integrator: velocityVerlet({ timestep_fs: 2 }), observers: [everyStep, sparse] });
    const err = await sim.run(100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteEnergyError);
    expect((err as NonFiniteEnergyError).step).toBe(8);
    expect((err as Error).message).toMatch(/step 8/);
    expect(everyStep.flushed).toEqual([]); // it already has step 7
    expect(sparse.flushed).toEqual([7]);
    expect(sparse.rows.map((r) => r.step)).toEqual([0, 4]);
  });
});

describe('run loop blow-ups', () => {
  it('stops with NonFiniteEnergyError (not a neighbor-list error) when positions become infinite', async () => {
    const sys = argonCrystal(50, 1, 2);
    const lj = ljArgon(sys);
    let calls = 0;
    // Fake a blow-up: after the 5th evaluation (step 4) an atom is flung to infinity.
    const exploding: Potential = { ...lj, compute(s, l, o) { lj.compute(s, l, o); if (++calls === 5) s.positions[0] = Infinity; } };
    const rec = recorder(2);
    const sim = createSimulation({ system: sys, potential: exploding, integrator: velocityVerlet({ timestep_fs: 2 }), observers: [rec] });
    const err = await sim.run(100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteEnergyError);
    expect((err as NonFiniteEnergyError).step).toBe(5);
    expect(rec.rows.map((r) => r.step)).toEqual([0, 2, 4]);
  });
});

describe('run loop and the event loop', () => {
  it('lets a timer abort a synchronous run through the signal', async () => {
    const sys = argonCrystal(50, 1, 2);
    const sim = createSimulation({ system: sys, potential: ljArgon(sys), integrator: velocityVerlet({ timestep_fs: 2 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const summary = await sim.run(10_000_000, { signal: controller.signal });
    expect(summary.aborted).toBe(true);
    expect(summary.toStep).toBeLessThan(10_000_000);
    expect(sim.step).toBe(summary.toStep);
  });
});

describe('step-0 temperature', () => {
  for (const [name, make] of [
    ['velocity Verlet (3N − 3)', () => velocityVerlet({ timestep_fs: 2 })],
    ['Langevin (3N)', () => langevin({ timestep_fs: 2, temperature_K: 300, friction_per_ps: 1, seed: 1 })],
  ] as [string, () => Integrator][]) {
    it(`equals the requested temperature for ${name}, even for 6 atoms`, async () => {
      const sys = fccLattice({ cells: [1, 1, 1], latticeConstant_A: 5.26, symbol: 'Ar' });
      const extra = fccLattice({ cells: [1, 1, 1], latticeConstant_A: 5.26, symbol: 'Ar' });
      const six: System = { ...sys, n: 6, positions: Float64Array.of(...sys.positions, ...extra.positions.subarray(0, 6).map((x) => x + 2.6)),
        velocities: new Float64Array(18), forces: new Float64Array(18), masses: new Float64Array(6).fill(39.948), typeIds: new Int32Array(6) };
      const integrator = make();
      maxwellBoltzmann(six, 300, new Rng(3), { conservesMomentum: integrator.conservesMomentum });
      const rec = recorder(1);
      const sim = createSimulation({ system: six, potential: ljArgon(six), integrator, observers: [rec] });
      await sim.run(0);
      expect(rec.rows[0].T).toBeCloseTo(300, 8);
    });
  }
});
