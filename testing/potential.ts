/**
 * The checks of testing/derivatives.ts applied to an e3md `Potential` on a `System`, and the E(3)
 * symmetry check of a whole potential (nequip's `assert_AtomicData_equivariant`): rotations and
 * inversion of positions and cell, translation and permutation of the atoms. Every evaluation is a
 * `singlePoint` on a fresh copy of the system, so the system passed in is never modified.
 */
import { Box, singlePoint, type Potential, type SinglePoint, type System } from '../engine/index.js';
import { randomOrthogonal, seededUniform, type UniformSource } from '../o3/index.js';
import { AssertionError } from './assertion.js';
import {
  assertForcesMatchFiniteDifference,
  assertVirialMatchesFiniteStrain,
  type CheckDType,
  type DerivativeReport,
  type FiniteDifferenceOptions,
  type FiniteStrainOptions,
} from './derivatives.js';

/**
 * A copy of `system` with other positions (Å, [N,3]) and box, and optionally its atoms reordered
 * (`order[i]` is the old index of new atom i). Shared-memory systems (engine/parallel) stay shared.
 */
function configuration(system: System, positions: ArrayLike<number>, box: Box, order?: readonly number[]): System {
  const n = system.n;
  const shared = system.positions.buffer instanceof SharedArrayBuffer;
  const vector = (): Float64Array => (shared ? new Float64Array(new SharedArrayBuffer(24 * n)) : new Float64Array(3 * n));
  const pos = vector();
  pos.set(positions);
  const velocities = vector();
  const masses = new Float64Array(n);
  const typeIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const from = order ? order[i]! : i;
    velocities.set(system.velocities.subarray(3 * from, 3 * from + 3), 3 * i);
    masses[i] = system.masses[from]!;
    typeIds[i] = system.typeIds[from]!;
  }
  return { n, positions: pos, velocities, forces: vector(), masses, typeIds, typeNames: system.typeNames, box };
}

/**
 * Asserts that `potential`'s forces on `system` are −∂E/∂x, by central finite differences of its
 * energy (see {@link assertForcesMatchFiniteDifference} for the options and their float32/float64
 * defaults). Each checked atom costs six evaluations; pick a few with `atoms` for large systems.
 * @throws AssertionError naming the atom, the component and both values
 *
 * @example
 * const pot = await createOnnxPotential({ model: 'model.onnx', typeNames: system.typeNames });
 * await assertPotentialForces(pot, system, { dtype: 'float32', atoms: [0, 1, 2] });
 */
export async function assertPotentialForces(potential: Potential, system: System, options: FiniteDifferenceOptions = {}): Promise<DerivativeReport> {
  return assertForcesMatchFiniteDifference((positions) => singlePoint(potential, configuration(system, positions, system.box)), system.positions, options);
}

/**
 * Asserts that `potential`'s virial on `system` is −∂E/∂ε, by finite homogeneous strains of
 * positions and cell (see {@link assertVirialMatchesFiniteStrain}). Any box works: an open box has
 * a zero cell, and only the positions are strained.
 * @throws AssertionError naming the component and both values
 *
 * @example
 * await assertPotentialVirial(pot, system, { dtype: 'float32' });
 */
export async function assertPotentialVirial(potential: Potential, system: System, options: FiniteStrainOptions = {}): Promise<DerivativeReport> {
  return assertVirialMatchesFiniteStrain((positions, box) => singlePoint(potential, configuration(system, positions, box)), system.positions, system.box, options);
}

/** Options of {@link assertPotentialEquivariant}. */
export interface PotentialEquivarianceOptions {
  /** Arithmetic of the model; chooses the default tolerance (float64 1e-9, float32 1e-4). */
  readonly dtype?: CheckDType;
  /** Bound on each deviation divided by max(1, its reference's largest magnitude) (eV for energies, eV/Å for forces). */
  readonly tolerance?: number;
  /** Random rotations, each tested proper and (unless `improper: false`) improper; default 3. */
  readonly rotations?: number;
  /** Also test improper rotations (inversion); default true. Set false for a chiral (SO(3)-only) model. */
  readonly improper?: boolean;
  /** Also test a random translation; default true. */
  readonly translation?: boolean;
  /** Also test a random permutation of the atoms; default true. */
  readonly permutation?: boolean;
  /** Random source of rotations, translation and permutation; default seeded, so a failure repeats. */
  readonly rand?: UniformSource;
  /**
   * Per-atom scalars (0e, length N) the potential exposes after each evaluation, checked like the
   * energy: unchanged by rotations and translation, carried along by a permutation. Each is read
   * right after its evaluation and copied. Example: `{ atomic_energy: () => pot.lastAtomicEnergy }`.
   */
  readonly perAtomScalars?: Readonly<Record<string, () => ArrayLike<number>>>;
}

/** The worst scaled deviations {@link assertPotentialEquivariant} measured, and the size of what it compared. */
export interface PotentialEquivarianceReport {
  readonly energyError: number;
  readonly forceError: number;
  readonly virialError: number;
  /** Worst deviation of the `perAtomScalars` (0 without them). */
  readonly perAtomError: number;
  /** Largest |F| of the reference, eV/Å: a potential with no forces passes trivially. */
  readonly maxForce_eV_A: number;
  /** The transformations tested, e.g. "proper rotation #0", "translation". */
  readonly transformations: readonly string[];
}

/** A single point and the per-atom scalars read after it. */
interface Evaluation extends SinglePoint {
  perAtom: Float64Array[];
}

/** Default tolerances of {@link assertPotentialEquivariant}. */
export const EQUIVARIANCE_TOLERANCE: Readonly<Record<CheckDType, number>> = { float64: 1e-9, float32: 1e-4 };

/** x · Rᵀ for every row of a [M, 3] array: each row vector rotated by R. */
function rotateRows(x: ArrayLike<number>, R: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length; r += 3) {
    for (let i = 0; i < 3; i++) out[r + i] = R[3 * i]! * x[r]! + R[3 * i + 1]! * x[r + 1]! + R[3 * i + 2]! * x[r + 2]!;
  }
  return out;
}

/** R W Rᵀ of a row-major 3×3 matrix: how a virial (a rank-2 tensor) transforms. */
function rotateMatrix(W: ArrayLike<number>, R: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += R[3 * a + i]! * W[3 * i + j]! * R[3 * b + j]!;
      out[3 * a + b] = s;
    }
  }
  return out;
}

/** The largest |got − want| / max(1, max |want|) and where it is. */
function deviation(got: ArrayLike<number>, want: ArrayLike<number>): { error: number; at: number } {
  let scale = 1;
  for (let k = 0; k < want.length; k++) scale = Math.max(scale, Math.abs(want[k]!));
  let error = 0, at = 0;
  for (let k = 0; k < want.length; k++) {
    const e = Math.abs(got[k]! - want[k]!) / scale;
    if (!(e <= error)) {
      error = e;
      at = k;
    }
  }
  return { error, at };
}

/**
 * Asserts that `potential` respects E(3) on `system`: under random rotations g of positions and
 * cell rows (proper, and improper g = −R), E(g·x) = E(x), F(g·x) = g·F(x) and W(g·x) = g W gᵀ; under
 * a translation and a permutation of the atoms the energy and virial are unchanged and the forces
 * (and `perAtomScalars`) move with their atoms. Deviations are scaled by max(1, the reference's
 * largest magnitude).
 * @throws AssertionError naming the transformation, the quantity and the worst atom and component
 *
 * @example
 * const report = await assertPotentialEquivariant(pot, system, { dtype: 'float32' });
 * if (report.maxForce_eV_A === 0) throw new Error('the model has no forces: the check proved nothing');
 */
export async function assertPotentialEquivariant(potential: Potential, system: System, options: PotentialEquivarianceOptions = {}): Promise<PotentialEquivarianceReport> {
  const dtype = options.dtype ?? 'float64';
  const tol = options.tolerance ?? EQUIVARIANCE_TOLERANCE[dtype];
  const rand = options.rand ?? seededUniform(1234);
  const n = system.n;
  const scalars = Object.entries(options.perAtomScalars ?? {});
  /** One evaluation, with copies of the per-atom scalars it left behind. */
  const evaluate = async (configured: System): Promise<Evaluation> => {
    const point = await singlePoint(potential, configured);
    const perAtom = scalars.map(([name, read]) => {
      const values = Float64Array.from(read());
      if (values.length !== n) throw new Error(`assertPotentialEquivariant: perAtomScalars.${name} has ${values.length} values for ${n} atoms`);
      return values;
    });
    return { ...point, perAtom };
  };
  const ref = await evaluate(configuration(system, system.positions, system.box));
  let energyError = 0, forceError = 0, virialError = 0, perAtomError = 0;
  const transformations: string[] = [];
  const compare = (what: string, got: Evaluation, want: Evaluation, order?: readonly number[]): void => {
    transformations.push(what);
    const fail = (detail: string, error: number): never => {
      throw new AssertionError(`${detail} under ${what}: off by ${error.toExponential(3)} (tolerance ${tol}, relative to max(1, the reference's largest magnitude); ${dtype})`);
    };
    const e = Math.abs(got.energy_eV - want.energy_eV) / Math.max(1, Math.abs(want.energy_eV));
    if (!(e <= tol)) fail(`energy ${got.energy_eV} eV instead of ${want.energy_eV} eV`, e);
    const f = deviation(got.forces, want.forces);
    if (!(f.error <= tol)) {
      const atom = Math.floor(f.at / 3), was = order ? ` (atom ${order[atom]} before)` : '';
      fail(`force on atom ${atom}${was} component ${'xyz'[f.at % 3]}: ${got.forces[f.at]} eV/Å instead of ${want.forces[f.at]} eV/Å`, f.error);
    }
    const w = deviation(got.virial, want.virial);
    if (!(w.error <= tol)) fail(`virial component ${'xyz'[Math.floor(w.at / 3)]}${'xyz'[w.at % 3]}: ${got.virial[w.at]} eV instead of ${want.virial[w.at]} eV`, w.error);
    scalars.forEach(([name], q) => {
      const d = deviation(got.perAtom[q]!, want.perAtom[q]!);
      if (!(d.error <= tol)) fail(`${name} of atom ${d.at}${order ? ` (atom ${order[d.at]} before)` : ''}: ${got.perAtom[q]![d.at]} instead of ${want.perAtom[q]![d.at]}`, d.error);
      perAtomError = Math.max(perAtomError, d.error);
    });
    energyError = Math.max(energyError, e);
    forceError = Math.max(forceError, f.error);
    virialError = Math.max(virialError, w.error);
  };

  const kinds = options.improper === false ? [false] : [false, true];
  for (let r = 0; r < (options.rotations ?? 3); r++) {
    for (const improper of kinds) {
      const R = randomOrthogonal(rand, improper);
      const got = await evaluate(configuration(system, rotateRows(system.positions, R), new Box(rotateRows(system.box.cell, R), system.box.pbc)));
      compare(`${improper ? 'improper' : 'proper'} rotation #${r}`, got, { ...ref, forces: rotateRows(ref.forces, R), virial: rotateMatrix(ref.virial, R) });
    }
  }
  if (options.translation !== false) {
    // A few ångström along each axis: atoms leave the cell on periodic axes, which must not matter.
    const t = [0, 1, 2].map(() => 8 * (rand() - 0.5));
    const got = await evaluate(configuration(system, system.positions.map((x, k) => x + t[k % 3]!), system.box));
    compare(`translation by (${t.map((x) => x.toFixed(3)).join(', ')}) Å`, got, ref);
  }
  if (options.permutation !== false && n > 1) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const permute = (x: ArrayLike<number>, width: number): Float64Array => {
      const out = new Float64Array(width * n);
      order.forEach((from, i) => { for (let k = 0; k < width; k++) out[width * i + k] = x[width * from + k]!; });
      return out;
    };
    const got = await evaluate(configuration(system, permute(system.positions, 3), system.box, order));
    compare('a permutation of the atoms', got, { ...ref, forces: permute(ref.forces, 3), perAtom: ref.perAtom.map((v) => permute(v, 1)) }, order);
  }
  let maxForce_eV_A = 0;
  for (const f of ref.forces) maxForce_eV_A = Math.max(maxForce_eV_A, Math.abs(f));
  return { energyError, forceError, virialError, perAtomError, maxForce_eV_A, transformations };
}
