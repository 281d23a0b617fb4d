import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { createCellList } from '../../engine/cell-list.js';
import { Rng } from '../../engine/random.js';
import { createSystem, type System } from '../../engine/system.js';
import { lennardJones, lennardJonesTable, type LennardJonesOptions } from '../../potentials/lennard-jones.js';
import { createForceOutput, type Potential } from '../../engine/potential.js';
import { assertForcesMatchFiniteDifference, assertVirialMatchesFiniteStrain } from '../../testing/index.js';

const argon = { epsilon_eV: 0.0104, sigma_A: 3.405 };

/** Energy, forces and virial of `potential` for positions in a box, with a freshly built list. */
function evaluator(potential: Potential, system: System, skin_A = 0.5) {
  const search = createCellList({ radius_A: potential.cutoff_A + skin_A, kind: potential.neighborKind });
  return (positions: Float64Array, box: Box = system.box) => {
    const s: System = { ...system, positions: Float64Array.from(positions), box, forces: new Float64Array(positions.length) };
    const out = createForceOutput(s.n, s.forces);
    void potential.compute(s, search.build(s.positions, box), out);
    return out;
  };
}

/** A jittered fcc lattice of `cells`³ conventional cells, lattice constant a (Å), in a triclinic-ish box. */
function jitteredCrystal(cells: number, a: number, symbols: (i: number) => string, rng: Rng, tilt = 0): System {
  const pos: number[] = [];
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  for (let x = 0; x < cells; x++) for (let y = 0; y < cells; y++) for (let z = 0; z < cells; z++) {
    for (const b of basis) pos.push((x + b[0]) * a + 0.15 * (rng.uniform() - 0.5), (y + b[1]) * a + 0.15 * (rng.uniform() - 0.5), (z + b[2]) * a + 0.15 * (rng.uniform() - 0.5));
  }
  const L = cells * a;
  const box = new Box([L, 0, 0, tilt * L, L, 0, 0, -tilt * L, L], [true, true, true]);
  const n = pos.length / 3;
  const syms = Array.from({ length: n }, (_, i) => symbols(i));
  return createSystem({ symbols: syms, positions: pos, masses: syms.map(() => 39.948), box });
}

describe('Lennard-Jones', () => {
  it('gives the analytic energy and force of a dimer, with and without shift', () => {
    const r = 3.9, rc = 8.5;
    const sys = createSystem({ symbols: ['Ar', 'Ar'], positions: [0, 0, 0, r, 0, 0], masses: [39.948, 39.948], box: Box.open() });
    const e = (x: number) => 4 * argon.epsilon_eV * ((argon.sigma_A / x) ** 12 - (argon.sigma_A / x) ** 6);
    const de = (x: number) => 4 * argon.epsilon_eV * (-12 * argon.sigma_A ** 12 / x ** 13 + 6 * argon.sigma_A ** 6 / x ** 7);
    for (const shift of [false, true]) {
      const out = evaluator(lennardJones({ cutoff_A: rc, shift, all: argon }, sys.typeNames), sys)(sys.positions);
      expect(out.energy_eV).toBeCloseTo(e(r) - (shift ? e(rc) : 0), 14);
      expect(out.forces[3]).toBeCloseTo(-de(r), 13); // on atom 1, along +x
      expect(out.forces[0]).toBeCloseTo(de(r), 13);
      expect(out.virial[0]).toBeCloseTo(-de(r) * r, 13); // W_xx = −r ∂E/∂r
    }
    const far = createSystem({ symbols: ['Ar', 'Ar'], positions: [0, 0, 0, 8.6, 0, 0], masses: [1, 1], box: Box.open() });
    expect(evaluator(lennardJones({ cutoff_A: rc, all: argon }, far.typeNames), far)(far.positions).energy_eV).toBe(0);
  });

  it('mixes species by Lorentz–Berthelot and names a species without parameters', () => {
    const opts: LennardJonesOptions = { cutoff_A: 9, species: { Ar: argon, Kr: { epsilon_eV: 0.0141, sigma_A: 3.65 } } };
    const t = lennardJonesTable(opts, ['Ar', 'Kr']);
    expect(t.sigma_A[1]).toBeCloseTo((3.405 + 3.65) / 2, 15);
    expect(t.epsilon_eV[2]).toBeCloseTo(Math.sqrt(0.0104 * 0.0141), 15);
    expect(() => lennardJones(opts, ['Ar', 'Xe'])).toThrow(/"Xe"/);
    expect(() => lennardJones({ cutoff_A: 9, all: { epsilon_eV: 0.01, sigma_A: -1 } }, ['Ar'])).toThrow(/sigma_A of "Ar"/);
    expect(() => lennardJones({ cutoff_A: 0, all: argon }, ['Ar'])).toThrow(/cutoff_A/);
  });

  it('has forces equal to −∇E (central finite differences), two species, triclinic periodic box', async () => {
    const rng = new Rng(3);
    const sys = jitteredCrystal(2, 5.4, (i) => (i % 3 === 0 ? 'Kr' : 'Ar'), rng, 0.1); // 10.8 Å box: several images within 8.5 Å
    const lj = lennardJones({ cutoff_A: 8.5, shift: true, species: { Ar: argon, Kr: { epsilon_eV: 0.0141, sigma_A: 3.65 } } }, sys.typeNames);
    await assertForcesMatchFiniteDifference(evaluator(lj, sys), sys.positions, { step_A: 1e-5, atol: 1e-8, rtol: 1e-6, atoms: [0, 1, 5, 17, 31] });
  });

  it('has a virial equal to −∂E/∂ε (finite strain) and zero net force', async () => {
    const rng = new Rng(4);
    const sys = jitteredCrystal(2, 5.3, () => 'Ar', rng, 0.15);
    const lj = lennardJones({ cutoff_A: 8.5, all: argon }, sys.typeNames);
    const evaluate = evaluator(lj, sys);
    await assertVirialMatchesFiniteStrain(evaluate, sys.positions, sys.box, { strain: 1e-6, atol: 1e-8, rtol: 1e-6 });
    const f = evaluate(sys.positions).forces;
    for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let i = 0; i < sys.n; i++) s += f[3 * i + k];
      expect(Math.abs(s)).toBeLessThan(1e-12);
    }
  });

  it('does not depend on where atoms sit across periodic boundaries', () => {
    const rng = new Rng(8);
    const sys = jitteredCrystal(2, 5.4, () => 'Ar', rng, 0.1);
    const lj = lennardJones({ cutoff_A: 8.5, all: argon }, sys.typeNames);
    const a = evaluator(lj, sys)(sys.positions);
    const moved = Float64Array.from(sys.positions);
    for (let i = 0; i < sys.n; i += 2) for (let k = 0; k < 3; k++) moved[3 * i + k] += sys.box.cell[3 * ((i / 2) % 3) + k]; // shift some atoms by a lattice vector
    const b = evaluator(lj, sys)(moved);
    expect(b.energy_eV).toBeCloseTo(a.energy_eV, 12);
    for (let k = 0; k < a.forces.length; k++) expect(b.forces[k]).toBeCloseTo(a.forces[k], 12);
  });
});
