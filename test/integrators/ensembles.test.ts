/**
 * Nosé–Hoover chains and the two NPT schemes: their conserved quantities at small time steps
 * (bounded, and second order in dt), bit-exact restarts through a checkpoint, the cell forms they
 * keep, and the option checks.
 */
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import type { Integrator } from '../../engine/integrator.js';
import { fccLattice } from '../../engine/lattice.js';
import type { Frame } from '../../engine/observer.js';
import { createForceOutput } from '../../engine/potential.js';
import { Rng } from '../../engine/random.js';
import { createSimulation } from '../../engine/simulation.js';
import { createSystem, type System } from '../../engine/system.js';
import { maxwellBoltzmann } from '../../integrators/maxwell-boltzmann.js';
import { noseHoover } from '../../integrators/nose-hoover.js';
import { nptCRescale } from '../../integrators/npt-c-rescale.js';
import { nptMtk } from '../../integrators/npt-mtk.js';
import { createThermostatChain } from '../../integrators/thermostat-chain.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../io/checkpoint.js';
import { lennardJones } from '../../potentials/lennard-jones.js';

/** 108 argon atoms, jittered fcc at 5.5 Å in a sheared cell (so tri has shears to move), 80 K. */
function argon(): System {
  const s = fccLattice({ cells: [3, 3, 3], latticeConstant_A: 5.5, symbol: 'Ar' });
  const frac = s.box.toFractional(s.positions);
  s.box = new Box([16.5, 0, 0, 0.8, 16.4, 0, -0.5, 0.6, 16.6], [true, true, true]);
  s.box.toCartesian(frac, s.positions);
  const r = new Rng(5);
  for (let k = 0; k < s.positions.length; k++) s.positions[k] += 0.1 * r.normal();
  maxwellBoltzmann(s, 80, new Rng(1));
  return s;
}

const lj = (s: System) => lennardJones({ cutoff_A: 7.5, shift: true, all: { epsilon_eV: 0.010341, sigma_A: 3.4 } }, s.typeNames);

/** Runs `integrator` for `time_fs` and returns the largest |conserved(t) − conserved(0)| per atom and the volume range. */
async function conservation(make: (dt: number) => Integrator, dt: number, time_fs: number): Promise<{ deviation: number; vMin: number; vMax: number }> {
  const system = argon();
  let e0 = NaN, deviation = 0, vMin = Infinity, vMax = 0;
  const observe = (f: Frame): void => {
    if (Number.isNaN(e0)) e0 = f.conservedEnergy_eV;
    deviation = Math.max(deviation, Math.abs(f.conservedEnergy_eV - e0) / system.n);
    vMin = Math.min(vMin, f.system.box.volume);
    vMax = Math.max(vMax, f.system.box.volume);
  };
  const sim = createSimulation({ system, potential: lj(system), integrator: make(dt), observers: [{ every: 1, observe }] });
  await sim.run(Math.round(time_fs / dt));
  expect(Number.isFinite(e0)).toBe(true);
  return { deviation, vMin, vMax };
}

const schemes: [string, (dt: number) => Integrator, number][] = [
  ['Nosé–Hoover chain', (dt) => noseHoover({ timestep_fs: dt, temperature_K: 100, tdamp_fs: 100, chain: 3 }), 2e-6],
  ['MTK iso', (dt) => nptMtk({ timestep_fs: dt, temperature_K: 100, pressure_bar: 500, tdamp_fs: 100, pdamp_fs: 400, couple: 'iso' }), 6e-6],
  ['MTK aniso', (dt) => nptMtk({ timestep_fs: dt, temperature_K: 100, pressure_bar: 500, tdamp_fs: 100, pdamp_fs: 400, couple: 'aniso' }), 6e-6],
  ['MTK tri', (dt) => nptMtk({ timestep_fs: dt, temperature_K: 100, pressure_bar: 500, tdamp_fs: 100, pdamp_fs: 400, couple: 'tri' }), 6e-6],
];

describe.each(schemes)('%s', (name, make, bound) => {
  it('conserves its extended energy to a bound at 2 fs, with an error of second order in dt', async () => {
    const coarse = await conservation(make, 4, 1200);
    const fine = await conservation(make, 2, 1200);
    expect(fine.deviation, `${name}: largest conserved-energy deviation per atom, eV`).toBeLessThan(bound);
    // Halving dt divides a second-order error by 4.
    expect(coarse.deviation / fine.deviation).toBeGreaterThan(3);
    expect(coarse.deviation / fine.deviation).toBeLessThan(5.5);
    if (name.startsWith('MTK')) expect(fine.vMax / fine.vMin).toBeGreaterThan(1.05); // the cell really moved
  });
});

/** 60 steps straight, or 30 + checkpoint (encoded and decoded) + 30 into fresh objects: the same bits. */
async function restartsBitExact(make: () => Integrator): Promise<void> {
  const straight = argon();
  await createSimulation({ system: straight, potential: lj(straight), integrator: make(), neighbor: { skin_A: 0.5 } }).run(60);

  const first = argon();
  const a = createSimulation({ system: first, potential: lj(first), integrator: make(), neighbor: { skin_A: 0.5 } });
  await a.run(30);
  const bytes = encodeCheckpoint({ state: a.state(), typeNames: first.typeNames, typeIds: first.typeIds, masses: first.masses, integrator: 'x', timestep_fs: 2 });
  const saved = decodeCheckpoint(bytes).state;
  const fresh = argon();
  fresh.velocities.fill(0);
  const b = createSimulation({ system: fresh, potential: lj(fresh), integrator: make(), neighbor: { skin_A: 0.5 }, restart: saved });
  await b.run(60);
  expect(Array.from(fresh.positions)).toEqual(Array.from(straight.positions));
  expect(Array.from(fresh.velocities)).toEqual(Array.from(straight.velocities));
  expect(Array.from(fresh.box.cell)).toEqual(Array.from(straight.box.cell));
  expect(b.state().integrator).toEqual((await (async () => {
    const again = argon();
    const s = createSimulation({ system: again, potential: lj(again), integrator: make(), neighbor: { skin_A: 0.5 } });
    await s.run(60);
    return s.state().integrator;
  })()));
}

describe('restarts', () => {
  it.each([
    ['nose-hoover', () => noseHoover({ timestep_fs: 2, temperature_K: 100, tdamp_fs: 100 })],
    ['npt mtk tri', () => nptMtk({ timestep_fs: 2, temperature_K: 100, pressure_bar: 2000, tdamp_fs: 100, pdamp_fs: 300, couple: 'tri' })],
    ['npt c-rescale aniso', () => nptCRescale({ timestep_fs: 2, temperature_K: 100, pressure_bar: 2000, tdamp_fs: 100, pdamp_fs: 300, couple: 'aniso', seed: 4, compressibility_per_bar: 1e-3 })],
  ] as [string, () => Integrator][])('%s: 60 steps = 30 + checkpoint + 30, bit for bit (positions, velocities, cell, thermostat/barostat state)', async (_n, make) => {
    await restartsBitExact(make);
  });

  it('restoring a state of another shape names what does not fit', () => {
    const s = argon();
    const nh = noseHoover({ timestep_fs: 2, temperature_K: 100, tdamp_fs: 100, chain: 4 });
    nh.init(s, createForceOutput(s.n));
    const three = noseHoover({ timestep_fs: 2, temperature_K: 100, tdamp_fs: 100, chain: 3 });
    three.init(s, createForceOutput(s.n));
    expect(() => nh.restoreState(three.saveState())).toThrow(/thermostat_xi" has 3 thermostats, this run's chain has 4/);
    const iso = nptMtk({ timestep_fs: 2, temperature_K: 100, pressure_bar: 1, tdamp_fs: 100, pdamp_fs: 1000, couple: 'iso' });
    const tri = nptMtk({ timestep_fs: 2, temperature_K: 100, pressure_bar: 1, tdamp_fs: 100, pdamp_fs: 1000, couple: 'tri' });
    iso.init(s, createForceOutput(s.n));
    tri.init(s, createForceOutput(s.n));
    expect(() => tri.restoreState(iso.saveState())).toThrow(/barostat has 1 cell modes, couple "tri" has 6/);
    expect(() => iso.restoreState(three.saveState())).toThrow(/no "barostat_thermostat_xi"/);
    expect(() => nh.saveState()).not.toThrow();
    expect(() => noseHoover({ timestep_fs: 2, temperature_K: 100, tdamp_fs: 100 }).saveState()).toThrow(/init/);
  });
});

describe('cells', () => {
  it('MTK tri keeps a LAMMPS-form (lower-triangular) cell in that form; iso keeps its shape', async () => {
    for (const couple of ['tri', 'iso'] as const) {
      const s = argon();
      const start = Float64Array.from(s.box.cell);
      await createSimulation({ system: s, potential: lj(s), integrator: nptMtk({ timestep_fs: 4, temperature_K: 100, pressure_bar: 3000, tdamp_fs: 100, pdamp_fs: 200, couple }) }).run(100);
      const c = s.box.cell;
      expect([c[1], c[2], c[5]]).toEqual([0, 0, 0]);
      if (couple === 'iso') {
        const scale = c[0] / start[0];
        for (let k = 0; k < 9; k++) expect(c[k]).toBeCloseTo(start[k] * scale, 10);
        expect(Math.abs(scale - 1)).toBeGreaterThan(1e-3);
      } else {
        expect(Math.abs(c[3] / c[4] - start[3] / start[4])).toBeGreaterThan(1e-4); // the shear moved
      }
    }
  });

  it('c-rescale compresses towards a high target pressure and expands towards a negative one', async () => {
    const volumes: number[] = [];
    for (const p of [20000, -2000]) {
      const s = argon();
      const v0 = s.box.volume;
      await createSimulation({ system: s, potential: lj(s), integrator: nptCRescale({ timestep_fs: 4, temperature_K: 100, pressure_bar: p, tdamp_fs: 100, pdamp_fs: 200, seed: 2, compressibility_per_bar: 1e-4 }) }).run(100);
      volumes.push(s.box.volume / v0);
    }
    expect(volumes[0]).toBeLessThan(0.97);
    expect(volumes[1]).toBeGreaterThan(1.0);
  });
});

describe('option checks', () => {
  const common = { timestep_fs: 2, temperature_K: 300, pressure_bar: 1, tdamp_fs: 100, pdamp_fs: 1000 };
  it('rejects bad settings with the key named', () => {
    expect(() => nptMtk({ ...common, pdamp_fs: -5 })).toThrow(/pdamp_fs must be a positive number, got -5/);
    expect(() => nptMtk({ ...common, tdamp_fs: 0 })).toThrow(/tdamp_fs/);
    expect(() => nptMtk({ ...common, temperature_K: 0 })).toThrow(/temperature_K/);
    expect(() => nptMtk({ ...common, pressure_bar: NaN })).toThrow(/pressure_bar/);
    expect(() => nptCRescale({ ...common, couple: 'tri', seed: 1 })).toThrow(/couple "tri".*mtk/);
    expect(() => nptCRescale({ ...common, seed: 1, compressibility_per_bar: -1 })).toThrow(/compressibility_per_bar/);
    expect(() => noseHoover({ timestep_fs: 1, temperature_K: 300, tdamp_fs: -1 })).toThrow(/tdamp_fs/);
    expect(() => noseHoover({ timestep_fs: 1, temperature_K: 300, tdamp_fs: 100, chain: 0 })).toThrow(/chain/);
    expect(() => createThermostatChain({ length: 2, dof: 0, temperature_K: 300, tdamp_fs: 100 })).toThrow(/degree of freedom/);
  });

  it('NPT needs a cell periodic in all three directions', () => {
    const cluster = createSystem({ symbols: ['Ar', 'Ar'], positions: [0, 0, 0, 3.8, 0, 0], masses: [39.948, 39.948], box: Box.open() });
    expect(() => nptMtk(common).init(cluster, createForceOutput(2))).toThrow(/periodic along a, b and c.*pbc="F F F" and no cell/);
    const slab = createSystem({ symbols: ['Ar'], positions: [0, 0, 0], masses: [39.948], box: Box.orthorhombic(10, 10, 10, [true, true, false]) });
    expect(() => nptCRescale({ ...common, seed: 1 }).init(slab, createForceOutput(1))).toThrow(/pbc="T T F"/);
  });
});
