/**
 * Stress and pressure: the pressure tensor (kinetic + virial, bar) against LAMMPS's pxx … pyz, and
 * ASE's stress σ = −W/V against the finite-strain derivative (1/V) ∂E/∂ε of Lennard-Jones and of
 * learned (ONNX) potentials in triclinic cells.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { createCellList } from '../../engine/cell-list.js';
import { createForceOutput, type Potential } from '../../engine/potential.js';
import { createSystem, type System } from '../../engine/system.js';
import { kineticEnergy, massDensity, pressureOf, pressureTensor, stressOf } from '../../engine/thermo.js';
import { eV_per_A3_in_bar } from '../../engine/units.js';
import { lennardJones } from '../../potentials/lennard-jones.js';
import type { OnnxPotential } from '../../potentials/onnx-potential.js';
import { potentialOf, systemOf, TINY_MODELS } from '../models/helpers.js';

interface Fixture {
  cutoff_A: number; shift: boolean; species: Record<string, { epsilon_eV: number; sigma_A: number }>; cell: number[]; symbols: string[];
  positions: number[]; masses_amu: number[]; velocities_A_per_fs: number[]; virial: number[]; pressure_tensor_bar: number[]; pressure_bar: number; volume_A3: number;
}
// Made by tools/lj-reference/make_fixture.py with LAMMPS (lj/cut, units metal, thermo pxx … pyz and press).
const fx = JSON.parse(readFileSync(new URL('../fixtures/lj/lammps-triclinic.json', import.meta.url), 'utf8')) as Fixture;

/** Energy and virial of `system` under `potential` with a fresh list. */
async function energyAndVirial(potential: Potential, system: System): Promise<{ energy: number; virial: Float64Array }> {
  const out = createForceOutput(system.n);
  await potential.compute(system, createCellList({ radius_A: potential.cutoff_A, kind: potential.neighborKind }).build(system.positions, system.box), out);
  return { energy: out.energy_eV, virial: Float64Array.from(out.virial) };
}

/** A copy of `system` under the homogeneous symmetric strain ε_ab = ε_ba = amount/2 (amount on the diagonal). */
function strained(system: System, a: number, b: number, amount: number): System {
  const eps = new Float64Array(9);
  eps[3 * a + b] += a === b ? amount : amount / 2;
  if (a !== b) eps[3 * b + a] += amount / 2;
  const apply = (v: Float64Array): Float64Array => {
    const out = new Float64Array(v.length);
    for (let r = 0; r < v.length; r += 3) for (let c = 0; c < 3; c++) out[r + c] = v[r + c] + v[r] * eps[c] + v[r + 1] * eps[3 + c] + v[r + 2] * eps[6 + c];
    return out;
  };
  return { ...system, positions: apply(system.positions), box: new Box(apply(system.box.cell), system.box.pbc), forces: new Float64Array(3 * system.n) };
}

/** Asserts stressOf(W) = (1/V) ∂E/∂ε (eV/Å³) by central differences, component by component. */
async function assertStressIsStrainDerivative(potential: Potential, system: System, step: number, tol_eV_A3: number): Promise<void> {
  const { virial } = await energyAndVirial(potential, system);
  const stress = stressOf(virial, system.box);
  let largest = 0;
  for (let a = 0; a < 3; a++) {
    for (let b = a; b < 3; b++) {
      const plus = await energyAndVirial(potential, strained(system, a, b, step));
      const minus = await energyAndVirial(potential, strained(system, a, b, -step));
      const numeric = (plus.energy - minus.energy) / (2 * step) / system.box.volume;
      const analytic = 0.5 * (stress[3 * a + b] + stress[3 * b + a]);
      largest = Math.max(largest, Math.abs(analytic));
      expect(Math.abs(numeric - analytic), `stress ${'xyz'[a]}${'xyz'[b]}: ${analytic} vs (1/V) dE/dε ${numeric} eV/Å³`).toBeLessThan(tol_eV_A3);
    }
  }
  expect(largest).toBeGreaterThan(100 * tol_eV_A3); // a stress worth checking
}

function fixtureSystem(): System {
  return createSystem({ symbols: fx.symbols, positions: fx.positions, masses: fx.masses_amu, velocities: fx.velocities_A_per_fs, box: new Box(fx.cell, [true, true, true]) });
}

describe('pressure tensor', () => {
  it('matches LAMMPS pxx … pyz and press (kinetic + virial) for two species in a triclinic box', async () => {
    const system = fixtureSystem();
    const lj = lennardJones({ cutoff_A: fx.cutoff_A, shift: fx.shift, species: fx.species }, system.typeNames);
    const { virial } = await energyAndVirial(lj, system);
    const p = pressureTensor(system, virial);
    // LAMMPS's metal constants (nktv2p, mvv2e) carry ~8 significant digits.
    for (let k = 0; k < 9; k++) expect(Math.abs(p[k] - fx.pressure_tensor_bar[k]), `component ${k}`).toBeLessThan(2e-7 * Math.abs(fx.pressure_bar));
    expect(Math.abs(pressureOf(kineticEnergy(system), virial, system.box) - fx.pressure_bar)).toBeLessThan(2e-7 * fx.pressure_bar);
    expect((p[0] + p[4] + p[8]) / 3).toBeCloseTo(pressureOf(kineticEnergy(system), virial, system.box), 8);
    // The kinetic part alone is Σ m v⊗v / V: with the virial zeroed, the trace is 2 KE / V.
    const kin = pressureTensor(system, new Float64Array(9));
    expect(((kin[0] + kin[4] + kin[8]) * system.box.volume) / eV_per_A3_in_bar).toBeCloseTo(2 * kineticEnergy(system), 10);
  });

  it('is NaN for a cluster, and the density is mass over volume', () => {
    const cluster = createSystem({ symbols: ['Ar', 'Ar'], positions: [0, 0, 0, 3.8, 0, 0], masses: [39.948, 39.948], box: Box.open() });
    expect(Array.from(pressureTensor(cluster, new Float64Array(9))).every(Number.isNaN)).toBe(true);
    expect(Array.from(stressOf(new Float64Array(9), cluster.box)).every(Number.isNaN)).toBe(true);
    expect(massDensity(cluster)).toBeNaN();
    // 1 mol of argon in 22.4 L would be 1.78e-3 g/cm³; here 4 atoms in a (10 Å)³ box.
    const gas = createSystem({ symbols: Array(4).fill('Ar'), positions: new Float64Array(12), masses: Array(4).fill(39.948), box: Box.orthorhombic(10, 10, 10) });
    expect(massDensity(gas)).toBeCloseTo((4 * 39.948 * 1.6605390666e-24) / 1e-21, 12);
  });
});

describe('stress = (1/V) ∂E/∂ε (finite strain)', () => {
  it('Lennard-Jones, two species, triclinic cell narrower than twice the cutoff', async () => {
    const system = fixtureSystem();
    const lj = lennardJones({ cutoff_A: fx.cutoff_A, shift: fx.shift, species: fx.species }, system.typeNames);
    await assertStressIsStrainDerivative(lj, system, 1e-6, 1e-10);
  });

  describe.each(TINY_MODELS)('ONNX %s (float64)', (_arch, make) => {
    let pot: OnnxPotential;
    beforeAll(async () => {
      pot = await potentialOf(make(), 'float64', ['O', 'H']);
    });
    it('a distorted water crystal in a triclinic cell thinner than r_max', async () => {
      const cell = [3.1, 0, 0, 0.7, 2.9, 0, -0.4, 0.5, 3.3];
      const system = systemOf(['O', 'H', 'H', 'O', 'H', 'H'], [
        0.1, 0.2, 0.15, 0.85, 0.75, 0.3, -0.35, 0.9, 0.55,
        1.7, 1.6, 1.8, 2.4, 2.2, 1.9, 1.2, 2.1, 2.2,
      ], new Box(Float64Array.from(cell, (v) => 1.6 * v), [true, true, true]));
      await assertStressIsStrainDerivative(pot, system, 1e-6, 1e-9);
      await pot.dispose!();
    });
  });
});
