/**
 * Langevin dynamics by BAOAB (Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34–56, and
 * J. Chem. Phys. 138, 174102 (2013), eq. 8): B(dt/2) A(dt/2) O(dt) A(dt/2) [forces] B(dt/2).
 * Its configurational sampling error is O(dt²) with a small constant, which is why it is preferred
 * to the older BBK or Vanden-Eijnden–Ciccotti schemes.
 */
import { Rng } from '../engine/index.js';
import type { Integrator } from '../engine/index.js';
import { checkMasses, drift, kick, ornsteinUhlenbeck } from './half-steps.js';

/** Options of Langevin BAOAB. */
export interface LangevinOptions {
  /** Time step, fs (> 0). */
  timestep_fs: number;
  /** Bath temperature, K (≥ 0). */
  temperature_K: number;
  /** Friction γ, 1/ps (> 0); 1/γ is the velocity relaxation time. */
  friction_per_ps: number;
  /** Seed of the noise stream (any safe integer). */
  seed: number;
}

/**
 * A Langevin BAOAB integrator (canonical ensemble at `temperature_K`).
 *
 * @example
 * const integrator = langevin({ timestep_fs: 1, temperature_K: 300, friction_per_ps: 1, seed: 1 });
 */
export function langevin(options: LangevinOptions): Integrator {
  const { timestep_fs: dt, temperature_K, friction_per_ps, seed } = options;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new Error(`langevin: timestep_fs must be a positive number, got ${dt}`);
  if (!(temperature_K >= 0) || !Number.isFinite(temperature_K)) throw new Error(`langevin: temperature_K must be ≥ 0, got ${temperature_K}`);
  if (!(friction_per_ps > 0) || !Number.isFinite(friction_per_ps)) throw new Error(`langevin: friction_per_ps must be a positive number, got ${friction_per_ps}`);
  let rng = new Rng(seed);
  const halfDt = 0.5 * dt;
  const gamma_per_fs = friction_per_ps / 1000;
  return {
    name: 'langevin',
    timestep_fs: dt,
    conservesMomentum: false,
    changesCell: false,
    init(system) {
      checkMasses(system, 'langevin');
    },
    step(system, computeForces) {
      kick(system, halfDt);
      drift(system, halfDt);
      ornsteinUhlenbeck(system, dt, gamma_per_fs, temperature_K, rng);
      drift(system, halfDt);
      const pending = computeForces();
      if (pending) return pending.then(() => kick(system, halfDt));
      kick(system, halfDt);
    },
    saveState: () => ({ rng: rng.state(), variables: {} }),
    restoreState(state) {
      if (state.rng === null) throw new Error('langevin: cannot restore from a state without a random-number state');
      rng = Rng.fromState(state.rng);
    },
  };
}
