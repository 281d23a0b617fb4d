/**
 * e3md/testing's Potential adapters: Lennard-Jones in a triclinic periodic box passes the force,
 * virial and E(3) checks; potentials broken on purpose fail the check that should catch them, with
 * a message naming the transformation and the culprit — and pass the checks that cannot see them
 * (a sign error commutes with rotations; a chiral term is invariant under proper rotations).
 */
import { describe, expect, it } from 'vitest';
import { Box, createSystem, type ForceOutput, type NeighborList, type Potential, type System } from '../../engine/index.js';
import { lennardJones } from '../../potentials/index.js';
import { AssertionError, assertPotentialEquivariant, assertPotentialForces, assertPotentialVirial } from '../../testing/index.js';

const argon = { epsilon_eV: 0.0104, sigma_A: 3.405 };

/** Two fcc cells of argon-like atoms (32), jittered, in a tilted periodic box (Å). */
function crystal(): System {
  const a = 5.3, pos: number[] = [];
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  let s = 1;
  const jitter = () => 0.3 * (((s = (s * 16807) % 2147483647) / 2147483647) - 0.5);
  for (let x = 0; x < 2; x++) for (let y = 0; y < 2; y++) for (let z = 0; z < 2; z++) for (const b of basis) pos.push((x + b[0]!) * a + jitter(), (y + b[1]!) * a + jitter(), (z + b[2]!) * a + jitter());
  const L = 2 * a;
  const symbols = pos.filter((_, k) => k % 3 === 0).map((_, i) => (i % 3 === 0 ? 'Kr' : 'Ar'));
  return createSystem({ symbols, positions: pos, masses: symbols.map(() => 40), box: new Box([L, 0, 0, 0.1 * L, L, 0, 0, -0.15 * L, L], [true, true, true]) });
}

/** Six atoms of a jittered octahedron in vacuum (Å). */
function cluster(): System {
  const pos = [3.6, 0, 0, -3.5, 0.2, 0, 0.1, 3.7, 0, 0, -3.6, 0.3, 0.2, 0, 3.5, 0, -0.1, -3.8];
  return createSystem({ symbols: pos.filter((_, k) => k % 3 === 0).map(() => 'Ar'), positions: pos, masses: new Array(6).fill(40), box: Box.open() });
}

const lj = (system: System): Potential => lennardJones({ cutoff_A: 8.5, shift: true, species: { Ar: argon, Kr: { epsilon_eV: 0.0141, sigma_A: 3.65 } } }, system.typeNames);

/** `base` plus a term of the positions alone (open boxes); the term's virial is Σ x ⊗ F = −∂E/∂ε. */
function plus(base: Potential, term: (x: Float64Array) => { energy_eV: number; forces: Float64Array }, spoil: (out: ForceOutput) => void = () => {}): Potential {
  return {
    name: `${base.name}+term`,
    cutoff_A: base.cutoff_A,
    neighborKind: base.neighborKind,
    compute(system: System, neighbors: NeighborList, out: ForceOutput): void {
      void base.compute(system, neighbors, out);
      const t = term(system.positions);
      out.energy_eV += t.energy_eV;
      for (let i = 0; i < system.n; i++) {
        for (let k = 0; k < 3; k++) {
          out.forces[3 * i + k] += t.forces[3 * i + k]!;
          for (let l = 0; l < 3; l++) out.virial[3 * k + l] += system.positions[3 * i + k]! * t.forces[3 * i + l]!;
        }
      }
      spoil(out);
    },
  };
}

const cross = (a: number[], b: number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];

/** κ a·(b × c) with a, b, c the bonds from atom 0 to atoms 1, 2, 3: a pseudoscalar, chiral energy. */
function chiral(x: Float64Array) {
  const kappa = 1e-3;
  const bond = (j: number) => [0, 1, 2].map((k) => x[3 * j + k]! - x[k]!);
  const [a, b, c] = [bond(1), bond(2), bond(3)];
  const bc = cross(b, c), ca = cross(c, a), ab = cross(a, b);
  const forces = new Float64Array(x.length);
  for (let k = 0; k < 3; k++) {
    forces[3 + k] = -kappa * bc[k]!;
    forces[6 + k] = -kappa * ca[k]!;
    forces[9 + k] = -kappa * ab[k]!;
    forces[k] = kappa * (bc[k]! + ca[k]! + ab[k]!);
  }
  return { energy_eV: kappa * (a[0]! * bc[0]! + a[1]! * bc[1]! + a[2]! * bc[2]!), forces };
}

/** Springs along the atoms in index order, ½ k Σ |x_{i+1} − x_i|²: E(3)-invariant, not permutation-invariant. */
function chain(x: Float64Array) {
  const k = 0.05, n = x.length / 3, forces = new Float64Array(x.length);
  let energy_eV = 0;
  for (let i = 0; i + 1 < n; i++) {
    for (let c = 0; c < 3; c++) {
      const d = x[3 * (i + 1) + c]! - x[3 * i + c]!;
      energy_eV += 0.5 * k * d * d;
      forces[3 * i + c] += k * d;
      forces[3 * (i + 1) + c] -= k * d;
    }
  }
  return { energy_eV, forces };
}

describe('the Potential adapters pass a correct potential', () => {
  it('Lennard-Jones, two species, triclinic periodic box: forces, virial and E(3) symmetry, without touching the system', async () => {
    const system = crystal();
    const before = Float64Array.from(system.positions);
    const pot = lj(system);
    const f = await assertPotentialForces(pot, system, { atoms: [0, 3, 17, 30], atol: 1e-8, rtol: 1e-6 });
    expect(f.maxAnalytic).toBeGreaterThan(1e-3);
    await assertPotentialVirial(pot, system, { atol: 1e-8, rtol: 1e-6 });
    const sym = await assertPotentialEquivariant(pot, system);
    expect(sym.maxForce_eV_A).toBeGreaterThan(1e-3);
    expect(sym.forceError).toBeLessThan(1e-12);
    expect(sym.transformations).toEqual([0, 1, 2].flatMap((r) => [`proper rotation #${r}`, `improper rotation #${r}`]).concat([expect.stringMatching(/^translation by/), 'a permutation of the atoms']));
    expect(system.positions).toEqual(before);
  });

  it('a shared-memory system (engine/parallel) is copied into shared memory', async () => {
    const c = cluster();
    const shared = createSystem({ symbols: new Array(c.n).fill('Ar'), positions: c.positions, masses: c.masses, box: c.box, shared: true });
    const seen: boolean[] = [];
    const pot = lj(c);
    const spy: Potential = { ...pot, compute: (s, l, o) => { seen.push(s.positions.buffer instanceof SharedArrayBuffer); return pot.compute(s, l, o); } };
    await assertPotentialEquivariant(spy, shared, { rotations: 1 });
    expect(seen.length).toBe(5);
    expect(seen.every(Boolean)).toBe(true);
  });
});

describe('perAtomScalars', () => {
  /** Lennard-Jones that also leaves a per-atom array behind: a smooth coordination number, and each atom's x. */
  const exposing = (c: System) => {
    const base = lj(c);
    const last = { coordination: new Float64Array(c.n), x: new Float64Array(c.n) };
    const pot: Potential = {
      ...base,
      compute(s, l, o) {
        void base.compute(s, l, o);
        for (let i = 0; i < s.n; i++) {
          last.x[i] = s.positions[3 * i]!;
          last.coordination[i] = 0;
          for (let j = 0; j < s.n; j++) if (j !== i) last.coordination[i] += Math.exp(-Math.hypot(...[0, 1, 2].map((k) => s.positions[3 * j + k]! - s.positions[3 * i + k]!)) / 3);
        }
      },
    };
    return { pot, last };
  };

  it('are checked as invariants that move with their atoms', async () => {
    const c = cluster();
    const { pot, last } = exposing(c);
    const r = await assertPotentialEquivariant(pot, c, { perAtomScalars: { coordination: () => last.coordination } });
    expect(r.perAtomError).toBeLessThan(1e-12);
    await expect(assertPotentialEquivariant(pot, c, { perAtomScalars: { x: () => last.x } })).rejects.toThrow(/^x of atom \d: .* under proper rotation #0/);
    await expect(assertPotentialEquivariant(pot, c, { perAtomScalars: { short: () => last.x.subarray(1) } })).rejects.toThrow(/perAtomScalars.short has 5 values for 6 atoms/);
  });
});

describe('the Potential adapters fail a broken potential, naming the culprit', () => {
  it('forces of the wrong sign fail the finite-difference check (and pass the symmetry check: −F rotates like F)', async () => {
    const c = cluster();
    const flipped = plus(lj(c), () => ({ energy_eV: 0, forces: new Float64Array(18) }), (out) => out.forces.forEach((f, k) => (out.forces[k] = -f)));
    await expect(assertPotentialForces(flipped, c)).rejects.toThrow(/^force on atom 0 component x: analytic/);
    await expect(assertPotentialEquivariant(flipped, c)).resolves.toBeDefined();
  });

  it('a virial that forgot its off-diagonal part fails the finite-strain check', async () => {
    const system = crystal();
    const pot = lj(system);
    const diagonal: Potential = { ...pot, compute: (s, l, o) => { void pot.compute(s, l, o); for (const k of [1, 2, 3, 5, 6, 7]) o.virial[k] = 0; } };
    await expect(assertPotentialVirial(diagonal, system)).rejects.toThrow(/^virial component (xy|xz|yx|yz|zx|zy): analytic 0 eV/);
  });

  it('a chiral energy passes forces, virial and proper rotations, and fails under an improper rotation', async () => {
    const c = cluster();
    const pot = plus(lj(c), chiral);
    await assertPotentialForces(pot, c);
    await assertPotentialVirial(pot, c);
    await expect(assertPotentialEquivariant(pot, c, { improper: false, permutation: false })).resolves.toBeDefined();
    const failure = assertPotentialEquivariant(pot, c, { permutation: false });
    await expect(failure).rejects.toThrow(AssertionError);
    await expect(failure).rejects.toThrow(/^energy -?[\d.e-]+ eV instead of -?[\d.e-]+ eV under improper rotation #0: off by/);
  });

  it('an external field fails under the first proper rotation', async () => {
    const c = cluster();
    const field = plus(lj(c), (x) => ({ energy_eV: 0.05 * x.filter((_, k) => k % 3 === 2).reduce((s, z) => s + z, 0), forces: Float64Array.from(x, (_, k) => (k % 3 === 2 ? -0.05 : 0)) }));
    await assertPotentialForces(field, c); // its forces are right
    await expect(assertPotentialEquivariant(field, c)).rejects.toThrow(/under proper rotation #0/);
    await expect(assertPotentialEquivariant(field, c, { rotations: 0 })).rejects.toThrow(/^energy .* under translation by \(/);
  });

  it('an energy that depends on atom order fails only the permutation', async () => {
    const c = cluster();
    const ordered = plus(lj(c), chain);
    await assertPotentialForces(ordered, c);
    await expect(assertPotentialEquivariant(ordered, c, { permutation: false })).resolves.toBeDefined();
    await expect(assertPotentialEquivariant(ordered, c)).rejects.toThrow(/^energy .* under a permutation of the atoms/);
  });

  it('a force tied to an atom index fails the permutation, naming the atom and its index before', async () => {
    const c = cluster();
    const tied = plus(lj(c), () => ({ energy_eV: 0, forces: new Float64Array(18) }), (out) => { for (let i = 0; i < 6; i++) out.forces[3 * i] += 0.01 * i; });
    await expect(assertPotentialEquivariant(tied, c, { rotations: 0, translation: false })).rejects.toThrow(/^force on atom \d \(atom \d before\) component x: .* under a permutation of the atoms/);
  });
});
