/** Instantaneous thermodynamic quantities from a System's arrays. */
import type { Box } from './box.js';
import type { System } from './system.js';
import { amu_per_A3_in_g_per_cm3, amuA2fs2_in_eV, eV_per_A3_in_bar, kB_eV_per_K } from './units.js';

/**
 * Kinetic energy, eV: Σ ½ m v² (m amu, v Å/fs).
 *
 * @example
 * const ke_eV = kineticEnergy(system);
 */
export function kineticEnergy(system: System): number {
  const v = system.velocities, m = system.masses;
  let sum = 0;
  for (let i = 0; i < system.n; i++) {
    const vx = v[3 * i], vy = v[3 * i + 1], vz = v[3 * i + 2];
    sum += m[i] * (vx * vx + vy * vy + vz * vz);
  }
  return 0.5 * sum * amuA2fs2_in_eV;
}

/**
 * Degrees of freedom for the temperature: 3N − 3 when total momentum is conserved and removed
 * (DESIGN.md §4), else 3N. At least 1, so a single atom does not divide by zero.
 */
export function degreesOfFreedom(n: number, momentumRemoved: boolean): number {
  return Math.max(1, momentumRemoved && n > 1 ? 3 * n - 3 : 3 * n);
}

/** Temperature, K, of kinetic energy `kineticEnergy_eV` spread over `dof` degrees of freedom: 2 KE / (dof kB). */
export function temperatureOf(kineticEnergy_eV: number, dof: number): number {
  return (2 * kineticEnergy_eV) / (dof * kB_eV_per_K);
}

/**
 * Instantaneous pressure, bar: P = (2 KE + tr W) / (3 V), with W the configurational virial (eV,
 * positive for repulsion). NaN when the box has no volume (open cluster).
 */
export function pressureOf(kineticEnergy_eV: number, virial: Float64Array, box: Box): number {
  if (!(box.volume > 0)) return NaN;
  return ((2 * kineticEnergy_eV + virial[0] + virial[4] + virial[8]) / (3 * box.volume)) * eV_per_A3_in_bar;
}

/**
 * Kinetic tensor, eV: K_ab = Σ m v_a v_b (twice the kinetic energy tensor; its trace is 2 KE), [3,3]
 * row-major, written into `out`.
 */
export function kineticTensor(system: System, out: Float64Array = new Float64Array(9)): Float64Array {
  const v = system.velocities, m = system.masses;
  let xx = 0, yy = 0, zz = 0, xy = 0, xz = 0, yz = 0;
  for (let i = 0; i < system.n; i++) {
    const vx = v[3 * i], vy = v[3 * i + 1], vz = v[3 * i + 2], mi = m[i];
    xx += mi * vx * vx; yy += mi * vy * vy; zz += mi * vz * vz;
    xy += mi * vx * vy; xz += mi * vx * vz; yz += mi * vy * vz;
  }
  const c = amuA2fs2_in_eV;
  out[0] = c * xx; out[1] = c * xy; out[2] = c * xz;
  out[3] = c * xy; out[4] = c * yy; out[5] = c * yz;
  out[6] = c * xz; out[7] = c * yz; out[8] = c * zz;
  return out;
}

/**
 * Instantaneous pressure tensor, bar: P_ab = (Σ m v_a v_b + W_ab) / V, kinetic plus configurational
 * virial W (eV), as LAMMPS's `compute pressure` gives pxx … pyz. Its trace over 3 is `pressureOf`.
 * NaN entries when the box has no volume.
 *
 * @example
 * const p = pressureTensor(system, out.virial); // p[0] = pxx, p[1] = pxy, … bar
 */
export function pressureTensor(system: System, virial: Float64Array, out: Float64Array = new Float64Array(9)): Float64Array {
  const volume = system.box.volume;
  if (!(volume > 0)) return out.fill(NaN);
  kineticTensor(system, out);
  const s = eV_per_A3_in_bar / volume;
  for (let k = 0; k < 9; k++) out[k] = (out[k] + virial[k]) * s;
  return out;
}

/**
 * Stress tensor as ASE reports it: σ = −W / V in eV/Å³ (configurational only, positive when the
 * cell pulls inwards: tension), [3,3] row-major; σ_ab = (1/V) ∂E/∂ε_ab for a homogeneous strain ε.
 * NaN entries when the box has no volume.
 *
 * @example
 * const stress = stressOf(virial, box); // eV/Å³; × eV_per_A3_in_bar for bar
 */
export function stressOf(virial: Float64Array, box: Box, out: Float64Array = new Float64Array(9)): Float64Array {
  if (!(box.volume > 0)) return out.fill(NaN);
  for (let k = 0; k < 9; k++) out[k] = -virial[k] / box.volume;
  return out;
}

/** Mass density, g/cm³: Σ m / V. NaN when the box has no volume. */
export function massDensity(system: System): number {
  if (!(system.box.volume > 0)) return NaN;
  let mass = 0;
  for (let i = 0; i < system.n; i++) mass += system.masses[i];
  return (mass / system.box.volume) * amu_per_A3_in_g_per_cm3;
}
