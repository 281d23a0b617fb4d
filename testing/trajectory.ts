/**
 * Checks of a trajectory's statistics: energy conservation of an NVE run (no wandering, no drift)
 * and a thermostat's mean temperature within block-averaged standard errors.
 */
import { check } from './assertion.js';

/** Bounds of {@link assertEnergyConserved}. */
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
 * (least-squares slope). Returns what it measured.
 * @throws AssertionError naming the bound that was exceeded
 *
 * @example
 * assertEnergyConserved(times_fs, energies_eV, { atoms: 108, maxDeviation_eV_per_atom: 1e-4, maxDrift_eV_per_atom_per_ps: 1e-4 });
 */
export function assertEnergyConserved(time_fs: readonly number[], totalEnergy_eV: readonly number[], options: EnergyConservationOptions): { deviation_eV_per_atom: number; drift_eV_per_atom_per_ps: number } {
  const m = time_fs.length;
  if (m < 3 || totalEnergy_eV.length !== m) throw new Error(`assertEnergyConserved: need ≥ 3 samples of time and energy, got ${m} and ${totalEnergy_eV.length}`);
  if (!(options.atoms >= 1)) throw new Error(`assertEnergyConserved: atoms must be ≥ 1, got ${options.atoms}`);
  for (let k = 1; k < m; k++) {
    if (!(time_fs[k]! > time_fs[k - 1]!)) throw new Error(`assertEnergyConserved: times must increase, but sample ${k} is at ${time_fs[k]} fs after ${time_fs[k - 1]} fs`);
  }
  let deviation = 0, worst = 0;
  for (let k = 0; k < m; k++) {
    const e = totalEnergy_eV[k]!;
    check(Number.isFinite(e), () => `assertEnergyConserved: the total energy at ${time_fs[k]} fs (sample ${k}) is ${e}`);
    const d = Math.abs(e - totalEnergy_eV[0]!);
    if (d > deviation) {
      deviation = d;
      worst = k;
    }
  }
  const tMean = time_fs.reduce((s, t) => s + t, 0) / m, eMean = totalEnergy_eV.reduce((s, e) => s + e, 0) / m;
  let sxy = 0, sxx = 0;
  for (let k = 0; k < m; k++) {
    sxy += (time_fs[k] - tMean) * (totalEnergy_eV[k] - eMean);
    sxx += (time_fs[k] - tMean) ** 2;
  }
  const slope_per_ps = (sxy / sxx) * 1000;
  const result = { deviation_eV_per_atom: deviation / options.atoms, drift_eV_per_atom_per_ps: Math.abs(slope_per_ps) / options.atoms };
  check(result.deviation_eV_per_atom <= options.maxDeviation_eV_per_atom, () =>
    `total energy not conserved: |E(t) − E(0)| per atom is ${result.deviation_eV_per_atom.toExponential(3)} eV at ${time_fs[worst]} fs, above ${options.maxDeviation_eV_per_atom} eV`);
  check(result.drift_eV_per_atom_per_ps <= options.maxDrift_eV_per_atom_per_ps, () =>
    `total energy drifts: ${result.drift_eV_per_atom_per_ps.toExponential(3)} eV/ps per atom (least-squares slope over ${m} samples), above ${options.maxDrift_eV_per_atom_per_ps} eV/ps`);
  return result;
}

/** Options of {@link assertMeanTemperature}. */
export interface MeanTemperatureOptions {
  /** Allowed distance from the target in standard errors (default 4). */
  sigmas?: number;
  /** Number of blocks the samples are averaged in (default 10; samples past the last full block are dropped). */
  blocks?: number;
  /** Smallest tolerance, K, whatever the standard error (default 0). */
  minTolerance_K?: number;
}

/**
 * Asserts that the mean of temperature samples (K, one per step or per stride, in time order)
 * matches `target_K` within `sigmas` standard errors. The standard error comes from block averages
 * (Flyvbjerg & Petersen, J. Chem. Phys. 91, 461 (1989)) so that correlated samples are not
 * mistaken for independent ones; `minTolerance_K` guards against a lucky tiny error estimate.
 * @throws AssertionError with the mean, the target and the standard error
 *
 * @example
 * assertMeanTemperature(samples, 300, { sigmas: 4, blocks: 10 });
 */
export function assertMeanTemperature(samples_K: readonly number[], target_K: number, options: MeanTemperatureOptions = {}): { mean_K: number; standardError_K: number } {
  const sigmas = options.sigmas ?? 4, blocks = options.blocks ?? 10;
  if (!Number.isInteger(blocks) || blocks < 2) throw new Error(`assertMeanTemperature: blocks must be an integer ≥ 2, got ${blocks}`);
  const per = Math.floor(samples_K.length / blocks);
  if (per < 1) throw new Error(`assertMeanTemperature: ${samples_K.length} samples cannot fill ${blocks} blocks`);
  const bad = samples_K.findIndex((t) => !Number.isFinite(t));
  check(bad < 0, () => `assertMeanTemperature: temperature sample ${bad} is ${samples_K[bad]}`);
  const means: number[] = [];
  for (let b = 0; b < blocks; b++) {
    let s = 0;
    for (let k = b * per; k < (b + 1) * per; k++) s += samples_K[k]!;
    means.push(s / per);
  }
  const mean = means.reduce((s, x) => s + x, 0) / blocks;
  const variance = means.reduce((s, x) => s + (x - mean) ** 2, 0) / (blocks - 1);
  const standardError = Math.sqrt(variance / blocks);
  const tolerance = Math.max(sigmas * standardError, options.minTolerance_K ?? 0);
  check(Math.abs(mean - target_K) <= tolerance, () => `mean temperature ${mean.toFixed(2)} K vs ${target_K} K: off by more than ${tolerance.toFixed(2)} K (standard error ${standardError.toFixed(2)} K)`);
  return { mean_K: mean, standardError_K: standardError };
}
