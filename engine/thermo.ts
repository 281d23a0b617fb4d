/** Instantaneous thermodynamic quantities from a System's arrays. */
import type { Box } from './box.js';
import type { System } from './system.js';
import { amuA2fs2_in_eV, eV_per_A3_in_bar, kB_eV_per_K } from './units.js';

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
