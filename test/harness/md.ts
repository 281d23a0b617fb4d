/**
 * Shared physics checks for every potential and integrator (STYLE.md §10): forces against central
 * finite differences of the energy, the virial against a finite homogeneous strain, energy
 * conservation of an NVE trajectory, and a thermostat's mean temperature.
 *
 * Each takes plain functions and arrays, so learned (ONNX) potentials reuse them unchanged.
 */
import { expect } from 'vitest';
import { Box } from '../../engine/box.js';

/** Energy (eV) and forces (eV/Å, [N,3]) of a configuration; may be async (ONNX Runtime). */
export type EnergyAndForces = (positions: Float64Array) => { energy_eV: number; forces: Float64Array } | Promise<{ energy_eV: number; forces: Float64Array }>;

/** Tolerances of `assertForcesMatchFiniteDifference`. */
export interface FiniteDifferenceOptions {
  /** Displacement h, Å (default 1e-5; use ~1e-3 for float32 models). */
  step_A?: number;
  /** Absolute tolerance, eV/Å (default 1e-6). */
  atol?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Atoms to check (default all). */
  atoms?: readonly number[];
}

/**
 * Asserts F = −∂E/∂x component by component, with the central difference
 * −(E(x + h) − E(x − h)) / 2h (error O(h²)).
 *
 * @example
 * await assertForcesMatchFiniteDifference((p) => evaluate(p), positions, { step_A: 1e-4 });
 */
export async function assertForcesMatchFiniteDifference(evaluate: EnergyAndForces, positions: Float64Array, options: FiniteDifferenceOptions = {}): Promise<void> {
  const h = options.step_A ?? 1e-5, atol = options.atol ?? 1e-6, rtol = options.rtol ?? 1e-5;
  const n = positions.length / 3;
  const analytic = Float64Array.from((await evaluate(Float64Array.from(positions))).forces);
  const atoms = options.atoms ?? Array.from({ length: n }, (_, i) => i);
  const p = Float64Array.from(positions);
  for (const i of atoms) {
    for (let k = 0; k < 3; k++) {
      const x0 = p[3 * i + k];
      p[3 * i + k] = x0 + h;
      const ePlus = (await evaluate(p)).energy_eV;
      p[3 * i + k] = x0 - h;
      const eMinus = (await evaluate(p)).energy_eV;
      p[3 * i + k] = x0;
      const numeric = -(ePlus - eMinus) / (2 * h);
      const a = analytic[3 * i + k];
      const ok = Math.abs(numeric - a) <= atol + rtol * Math.abs(a);
      if (!ok) expect.fail(`force on atom ${i} component ${'xyz'[k]}: analytic ${a} eV/Å, finite difference ${numeric} eV/Å`);
    }
  }
}

/** Energy (eV) and virial (eV, [3,3]) of positions in a box; may be async. */
export type EnergyAndVirial = (positions: Float64Array, box: Box) => { energy_eV: number; virial: Float64Array } | Promise<{ energy_eV: number; virial: Float64Array }>;

/**
 * Asserts W = −∂E/∂ε (nequip convention, DESIGN.md §3) with central differences over a homogeneous
 * strain ε applied to positions and cell alike (x → x (1 + ε), rows as vectors), component by component.
 *
 * @example
 * await assertVirialMatchesFiniteStrain(evaluate, positions, box, { atol: 1e-6 });
 */
export async function assertVirialMatchesFiniteStrain(
  evaluate: EnergyAndVirial, positions: Float64Array, box: Box, options: { strain?: number; atol?: number; rtol?: number } = {},
): Promise<void> {
  const e = options.strain ?? 1e-6, atol = options.atol ?? 1e-6, rtol = options.rtol ?? 1e-5;
  const analytic = Float64Array.from((await evaluate(Float64Array.from(positions), box)).virial);
  const strained = (a: number, b: number, amount: number): [Float64Array, Box] => {
    // Symmetric strain, so a rotation does not enter: ε_ab = ε_ba = amount/2 (or amount on the diagonal).
    const eps = new Float64Array(9);
    eps[3 * a + b] += a === b ? amount : amount / 2;
    if (a !== b) eps[3 * b + a] += amount / 2;
    const apply = (v: Float64Array): Float64Array => {
      const out = new Float64Array(v.length);
      for (let r = 0; r < v.length; r += 3) {
        for (let c = 0; c < 3; c++) out[r + c] = v[r + c] + v[r] * eps[c] + v[r + 1] * eps[3 + c] + v[r + 2] * eps[6 + c];
      }
      return out;
    };
    return [apply(positions), new Box(apply(box.cell), box.pbc)];
  };
  for (let a = 0; a < 3; a++) {
    for (let b = a; b < 3; b++) {
      const [pp, bp] = strained(a, b, e);
      const [pm, bm] = strained(a, b, -e);
      const dE = ((await evaluate(pp, bp)).energy_eV - (await evaluate(pm, bm)).energy_eV) / (2 * e);
      // For a symmetric strain the energy derivative picks up (W_ab + W_ba)/2 off the diagonal.
      const w = a === b ? analytic[4 * a] : 0.5 * (analytic[3 * a + b] + analytic[3 * b + a]);
      if (Math.abs(-dE - w) > atol + rtol * Math.abs(w)) expect.fail(`virial component ${'xyz'[a]}${'xyz'[b]}: analytic ${w} eV, −dE/dε ${-dE} eV`);
    }
  }
}

/** Bounds of `assertEnergyConserved`. */
export interface EnergyConservationOptions {
  /** Number of atoms (bounds are per atom). */
  atoms: number;
  /** Largest allowed |E(t) − E(0)| per atom, eV. */
  maxDeviation_eV_per_atom: number;
  /** Largest allowed |slope| of a least-squares line through E(t), per atom, eV/ps. */
  maxDrift_eV_per_atom_per_ps: number;
}

/**
 * Asserts that a total-energy time series of an NVE run neither wanders (deviation) nor drifts
 * (least-squares slope).
 *
 * @example
 * assertEnergyConserved(times_fs, energies_eV, { atoms: 108, maxDeviation_eV_per_atom: 1e-4, maxDrift_eV_per_atom_per_ps: 1e-4 });
 */
export function assertEnergyConserved(time_fs: readonly number[], totalEnergy_eV: readonly number[], options: EnergyConservationOptions): { deviation_eV_per_atom: number; drift_eV_per_atom_per_ps: number } {
  const m = time_fs.length;
  if (m < 3 || totalEnergy_eV.length !== m) throw new Error(`assertEnergyConserved: need ≥ 3 samples of time and energy, got ${m} and ${totalEnergy_eV.length}`);
  let deviation = 0;
  for (const e of totalEnergy_eV) {
    if (!Number.isFinite(e)) expect.fail('assertEnergyConserved: the total energy is not finite');
    deviation = Math.max(deviation, Math.abs(e - totalEnergy_eV[0]));
  }
  const tMean = time_fs.reduce((s, t) => s + t, 0) / m, eMean = totalEnergy_eV.reduce((s, e) => s + e, 0) / m;
  let sxy = 0, sxx = 0;
  for (let k = 0; k < m; k++) {
    sxy += (time_fs[k] - tMean) * (totalEnergy_eV[k] - eMean);
    sxx += (time_fs[k] - tMean) ** 2;
  }
  const slope_per_ps = (sxy / sxx) * 1000;
  const result = { deviation_eV_per_atom: deviation / options.atoms, drift_eV_per_atom_per_ps: Math.abs(slope_per_ps) / options.atoms };
  expect(result.deviation_eV_per_atom, 'largest |E(t) − E(0)| per atom, eV').toBeLessThanOrEqual(options.maxDeviation_eV_per_atom);
  expect(result.drift_eV_per_atom_per_ps, 'energy drift per atom, eV/ps').toBeLessThanOrEqual(options.maxDrift_eV_per_atom_per_ps);
  return result;
}

/**
 * Asserts that the mean of temperature samples (K, one per step or per stride, in time order)
 * matches `target_K` within `sigmas` standard errors. The standard error comes from block averages
 * (Flyvbjerg & Petersen, J. Chem. Phys. 91, 461 (1989)) so that correlated samples are not
 * mistaken for independent ones; `minTolerance_K` guards against a lucky tiny error estimate.
 *
 * @example
 * assertMeanTemperature(samples, 300, { sigmas: 4, blocks: 10 });
 */
export function assertMeanTemperature(samples_K: readonly number[], target_K: number, options: { sigmas?: number; blocks?: number; minTolerance_K?: number } = {}): { mean_K: number; standardError_K: number } {
  const sigmas = options.sigmas ?? 4, blocks = options.blocks ?? 10;
  const per = Math.floor(samples_K.length / blocks);
  if (per < 1) throw new Error(`assertMeanTemperature: ${samples_K.length} samples cannot fill ${blocks} blocks`);
  const means: number[] = [];
  for (let b = 0; b < blocks; b++) {
    let s = 0;
    for (let k = b * per; k < (b + 1) * per; k++) s += samples_K[k];
    means.push(s / per);
  }
  const mean = means.reduce((s, x) => s + x, 0) / blocks;
  const variance = means.reduce((s, x) => s + (x - mean) ** 2, 0) / (blocks - 1);
  const standardError = Math.sqrt(variance / blocks);
  const tolerance = Math.max(sigmas * standardError, options.minTolerance_K ?? 0);
  expect(Math.abs(mean - target_K), `mean temperature ${mean.toFixed(2)} K vs ${target_K} K (standard error ${standardError.toFixed(2)} K)`).toBeLessThanOrEqual(tolerance);
  return { mean_K: mean, standardError_K: standardError };
}
