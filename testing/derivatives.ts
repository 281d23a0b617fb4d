/**
 * The derivative checks of a potential: forces against central finite differences of the energy,
 * and the virial against a finite homogeneous strain. They take plain functions and arrays (see
 * testing/potential.ts for a Potential's), so any energy model can be checked.
 */
import { Box } from '../engine/index.js';
import { check } from './assertion.js';

/** Arithmetic of the model under test; chooses the default step and tolerances of a check. */
export type CheckDType = 'float64' | 'float32';

/** Energy (eV) and forces (eV/Å, [N,3]) of a configuration; may be async (ONNX Runtime). */
export type EnergyAndForces = (positions: Float64Array) => { energy_eV: number; forces: ArrayLike<number> } | Promise<{ energy_eV: number; forces: ArrayLike<number> }>;

/** Energy (eV) and virial (eV, [3,3] row-major) of positions in a box; may be async. */
export type EnergyAndVirial = (positions: Float64Array, box: Box) => { energy_eV: number; virial: ArrayLike<number> } | Promise<{ energy_eV: number; virial: ArrayLike<number> }>;

/** Options of {@link assertForcesMatchFiniteDifference}; each default depends on `dtype` (see {@link FORCE_DEFAULTS}). */
export interface FiniteDifferenceOptions {
  /** Arithmetic of the model (default 'float64'). */
  dtype?: CheckDType;
  /** Displacement h, Å. */
  step_A?: number;
  /** Absolute tolerance, eV/Å. */
  atol?: number;
  /** Relative tolerance (of |F|). */
  rtol?: number;
  /** Rounding error of one energy, eV (default: {@link energyRoundoff} of the first energy); the tolerance grows by it / h. */
  energyRoundoff_eV?: number;
  /** Atoms to check (default all: 6 energy evaluations per atom). */
  atoms?: readonly number[];
}

/** Options of {@link assertVirialMatchesFiniteStrain}; each default depends on `dtype` (see {@link VIRIAL_DEFAULTS}). */
export interface FiniteStrainOptions {
  /** Arithmetic of the model (default 'float64'). */
  dtype?: CheckDType;
  /** Strain ε (dimensionless). */
  strain?: number;
  /** Absolute tolerance, eV. */
  atol?: number;
  /** Relative tolerance (of the largest |W| component: the virial's scale, not each entry's). */
  rtol?: number;
  /** Rounding error of one energy, eV (default: {@link energyRoundoff} of the first energy); the tolerance grows by it / ε. */
  energyRoundoff_eV?: number;
}

/** What a derivative check measured (eV/Å for forces, eV for the virial). */
export interface DerivativeReport {
  /** The worst |analytic − finite difference|. */
  readonly maxError: number;
  /** The largest |analytic|. */
  readonly maxAnalytic: number;
  /** The energy rounding the tolerance allowed for, eV. */
  readonly energyRoundoff_eV: number;
}

/**
 * Default step and tolerances of the force check. float32: the positions and x ± h are rounded to
 * float32 before the model sees them, and the difference is divided by the rounded step, so the
 * step itself adds no error. What remains is truncation, O(h²), and the rounding of the energies,
 * allowed for on top of atol + rtol·|F| (see {@link energyRoundoff}).
 */
export const FORCE_DEFAULTS: Readonly<Record<CheckDType, Required<Omit<FiniteDifferenceOptions, 'atoms' | 'dtype' | 'energyRoundoff_eV'>>>> = {
  float64: { step_A: 1e-4, atol: 1e-6, rtol: 1e-5 },
  float32: { step_A: 2 ** -9, atol: 2e-3, rtol: 1e-2 },
};

/** Default strain and tolerances of the virial check (the energies' rounding is allowed for on top, as for forces). */
export const VIRIAL_DEFAULTS: Readonly<Record<CheckDType, Required<Omit<FiniteStrainOptions, 'dtype' | 'energyRoundoff_eV'>>>> = {
  float64: { strain: 1e-5, atol: 1e-6, rtol: 1e-5 },
  float32: { strain: 1e-3, atol: 1e-2, rtol: 1e-2 },
};

/** Unit roundoff of each arithmetic. */
const UNIT_ROUNDOFF: Readonly<Record<CheckDType, number>> = { float64: 2 ** -53, float32: 2 ** -24 };

/**
 * An estimate of the rounding error of a total energy E of N atoms, eV, which a finite difference
 * divides by its step: N atomic energies of about |E|/N, each rounded in the model's arithmetic
 * (unit roundoff u) at random, give u·|E|/√N; their float64 sum adds 2⁻⁵³·|E|·√N. Twice that, about
 * six standard deviations of the noise of a central difference, so that the worst of hundreds of
 * checked components stays inside. It matters for large energies: a float32 water model trained
 * on DFT totals (about −430 eV per O) rounds each atomic energy by ~1e-5 eV, which at h ≈ 2e-3 Å is
 * ~1e-2 eV/Å of finite-difference noise.
 * @example energyRoundoff(-2.9e4, 192, 'float32') // ≈ 2.5e-4 eV
 */
export function energyRoundoff(energy_eV: number, atoms: number, dtype: CheckDType): number {
  const rootN = Math.sqrt(Math.max(1, atoms));
  return 2 * Math.abs(energy_eV) * (UNIT_ROUNDOFF[dtype] / rootN + UNIT_ROUNDOFF.float64 * rootN);
}

const XYZ = 'xyz';

/**
 * Asserts F = −∂E/∂x component by component, with the central difference
 * −(E(x + h) − E(x − h)) / 2h (error O(h²)); passes when |F − F_fd| ≤ atol + rtol·|F| + δE/h,
 * δE the energy rounding (`energyRoundoff_eV`, estimated by {@link energyRoundoff} unless given).
 * @throws AssertionError naming the atom, the component and both values
 * @throws Error when the arrays do not fit (positions not [N,3], forces of another length, an atom out of range)
 *
 * @example
 * await assertForcesMatchFiniteDifference((p) => evaluate(p), positions, { atoms: [0, 5] });
 * await assertForcesMatchFiniteDifference(evaluate32, positions, { dtype: 'float32' });
 */
export async function assertForcesMatchFiniteDifference(evaluate: EnergyAndForces, positions: ArrayLike<number>, options: FiniteDifferenceOptions = {}): Promise<DerivativeReport> {
  const dtype = options.dtype ?? 'float64';
  const { step_A: h, atol, rtol } = { ...FORCE_DEFAULTS[dtype], ...definedOf(options) };
  if (positions.length % 3 !== 0 || positions.length === 0) throw new Error(`assertForcesMatchFiniteDifference: positions must be [N, 3] with N ≥ 1, got ${positions.length} numbers`);
  if (!(h > 0)) throw new Error(`assertForcesMatchFiniteDifference: step_A must be > 0, got ${h}`);
  const n = positions.length / 3;
  // float32: the positions and the displaced coordinates are float32 numbers, so the model sees them exactly.
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  const p = Float64Array.from(positions, round);
  const atoms = options.atoms ?? Array.from({ length: n }, (_, i) => i);
  for (const i of atoms) if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`assertForcesMatchFiniteDifference: atom ${i} is not in 0..${n - 1}`);
  const at0 = await evaluate(Float64Array.from(p));
  if (at0.forces.length !== 3 * n) throw new Error(`assertForcesMatchFiniteDifference: evaluate returned ${at0.forces.length} force components for ${n} atoms`);
  const analytic = Float64Array.from(at0.forces);
  const roundoff = options.energyRoundoff_eV ?? energyRoundoff(at0.energy_eV, n, dtype);
  let maxError = 0, maxAnalytic = 0;
  for (const i of atoms) {
    for (let k = 0; k < 3; k++) {
      const x0 = p[3 * i + k]!;
      // Divided by the step the model sees: x0 ± h rounded to its arithmetic.
      const xPlus = round(x0 + h), xMinus = round(x0 - h);
      p[3 * i + k] = xPlus;
      const ePlus = (await evaluate(Float64Array.from(p))).energy_eV;
      p[3 * i + k] = xMinus;
      const eMinus = (await evaluate(Float64Array.from(p))).energy_eV;
      p[3 * i + k] = x0;
      const numeric = -(ePlus - eMinus) / (xPlus - xMinus);
      const a = analytic[3 * i + k]!;
      const error = Math.abs(numeric - a);
      const noise = (2 * roundoff) / (xPlus - xMinus);
      check(error <= atol + rtol * Math.abs(a) + noise, () =>
        `force on atom ${i} component ${XYZ[k]}: analytic ${a} eV/Å, finite difference ${numeric} eV/Å ` +
          `(off by ${error.toExponential(3)}; step ${h} Å, tolerance ${atol} + ${rtol}·|F| + ${noise.toExponential(2)} for energy rounding, ${dtype})`);
      maxError = Math.max(maxError, error);
      maxAnalytic = Math.max(maxAnalytic, Math.abs(a));
    }
  }
  return { maxError, maxAnalytic, energyRoundoff_eV: roundoff };
}

/** v · (I + ε) for every row of v ([M, 3], rows as vectors): a homogeneous deformation. */
function deform(v: Float64Array, eps: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let r = 0; r < v.length; r += 3) {
    for (let c = 0; c < 3; c++) out[r + c] = v[r + c]! + v[r]! * eps[c]! + v[r + 1]! * eps[3 + c]! + v[r + 2]! * eps[6 + c]!;
  }
  return out;
}

/**
 * Asserts W = −∂E/∂ε (nequip's convention, docs/units.md) for all nine components: positions and
 * cell rows are deformed alike, x → x (I + ε) with the single entry ε_ab = ±strain, and
 * −(E(+) − E(−)) / 2·strain is compared with W_ab. The strain is not symmetrized, so every entry is
 * checked on its own (rotation invariance makes W symmetric; a wrong off-diagonal entry still
 * fails). Passes when |W_ab − W_fd| ≤ atol + rtol·max|W| + δE/ε, δE the energy rounding as for forces.
 * @throws AssertionError naming the component and both values
 * @throws Error when the arrays do not fit
 *
 * @example
 * await assertVirialMatchesFiniteStrain((p, box) => evaluate(p, box), positions, box);
 */
export async function assertVirialMatchesFiniteStrain(evaluate: EnergyAndVirial, positions: ArrayLike<number>, box: Box, options: FiniteStrainOptions = {}): Promise<DerivativeReport> {
  const dtype = options.dtype ?? 'float64';
  const { strain, atol, rtol } = { ...VIRIAL_DEFAULTS[dtype], ...definedOf(options) };
  if (positions.length % 3 !== 0 || positions.length === 0) throw new Error(`assertVirialMatchesFiniteStrain: positions must be [N, 3] with N ≥ 1, got ${positions.length} numbers`);
  if (!(strain > 0)) throw new Error(`assertVirialMatchesFiniteStrain: strain must be > 0, got ${strain}`);
  const p = Float64Array.from(positions);
  const at0 = await evaluate(Float64Array.from(p), box);
  if (at0.virial.length !== 9) throw new Error(`assertVirialMatchesFiniteStrain: evaluate returned a virial of ${at0.virial.length} numbers, expected 9 ([3, 3])`);
  const analytic = Float64Array.from(at0.virial);
  let scale = 0;
  for (const w of analytic) scale = Math.max(scale, Math.abs(w));
  const roundoff = options.energyRoundoff_eV ?? energyRoundoff(at0.energy_eV, p.length / 3, dtype);
  const tolerance = atol + rtol * scale + roundoff / strain;
  const energyAt = async (a: number, b: number, amount: number): Promise<number> => {
    const eps = new Float64Array(9);
    eps[3 * a + b] = amount;
    return (await evaluate(deform(p, eps), new Box(deform(box.cell, eps), box.pbc))).energy_eV;
  };
  let maxError = 0;
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const numeric = -((await energyAt(a, b, strain)) - (await energyAt(a, b, -strain))) / (2 * strain);
      const w = analytic[3 * a + b]!;
      const error = Math.abs(numeric - w);
      check(error <= tolerance, () =>
        `virial component ${XYZ[a]}${XYZ[b]}: analytic ${w} eV, −∂E/∂ε by finite strain ${numeric} eV ` +
          `(off by ${error.toExponential(3)}; strain ${strain}, tolerance ${atol} + ${rtol}·max|W| + ${(roundoff / strain).toExponential(2)} for energy rounding = ${tolerance.toExponential(3)}, ${dtype})`);
      maxError = Math.max(maxError, error);
    }
  }
  return { maxError, maxAnalytic: scale, energyRoundoff_eV: roundoff };
}

/** The options that are set (an explicit `undefined` must not override a default when spread). */
function definedOf<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
