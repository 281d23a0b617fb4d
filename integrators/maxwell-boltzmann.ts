/** Initial velocities drawn from the Maxwell–Boltzmann distribution. */
import { type Rng, type System, degreesOfFreedom, kineticEnergy, temperatureOf, amuA2fs2_in_eV, kB_eV_per_K } from '../engine/index.js';
import { checkMasses } from './half-steps.js';

/** Options of `maxwellBoltzmann`. */
export interface MaxwellBoltzmannOptions {
  /**
   * The temperature convention of the integrator that will run (`integrator.conservesMomentum`):
   * true (default) counts 3N − 3 degrees of freedom, as velocity Verlet reports; false counts 3N, as
   * Langevin reports. The rescaling uses the same count, so step 0 shows exactly the requested T.
   */
  conservesMomentum?: boolean;
}

/**
 * Sets `system.velocities` (Å/fs) to Maxwell–Boltzmann deviates at `temperature_K`, removes the
 * total momentum, then rescales so that the instantaneous temperature, counted the way the
 * integrator will count it, is exactly `temperature_K` (as LAMMPS's `velocity create`). A single
 * atom under a momentum-conserving integrator keeps zero velocity.
 *
 * @example
 * maxwellBoltzmann(system, 300, new Rng(42), { conservesMomentum: integrator.conservesMomentum });
 */
export function maxwellBoltzmann(system: System, temperature_K: number, rng: Rng, options: MaxwellBoltzmannOptions = {}): void {
  if (!(temperature_K >= 0) || !Number.isFinite(temperature_K)) throw new Error(`maxwellBoltzmann: temperature_K must be ≥ 0, got ${temperature_K}`);
  checkMasses(system, 'maxwellBoltzmann');
  const n = system.n, v = system.velocities, m = system.masses;
  const kT_per_amu = (kB_eV_per_K * temperature_K) / amuA2fs2_in_eV;
  let px = 0, py = 0, pz = 0, mass = 0;
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(kT_per_amu / m[i]);
    v[3 * i] = s * rng.normal();
    v[3 * i + 1] = s * rng.normal();
    v[3 * i + 2] = s * rng.normal();
    px += m[i] * v[3 * i];
    py += m[i] * v[3 * i + 1];
    pz += m[i] * v[3 * i + 2];
    mass += m[i];
  }
  // Zero total momentum: subtract the centre-of-mass velocity.
  for (let i = 0; i < n; i++) {
    v[3 * i] -= px / mass;
    v[3 * i + 1] -= py / mass;
    v[3 * i + 2] -= pz / mass;
  }
  const t = temperatureOf(kineticEnergy(system), degreesOfFreedom(n, options.conservesMomentum ?? true));
  const scale = t > 0 ? Math.sqrt(temperature_K / t) : 0;
  for (let k = 0; k < 3 * n; k++) v[k] *= scale;
}
