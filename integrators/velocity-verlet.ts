/**
 * Velocity Verlet (Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76, 637 (1982)), the
 * symplectic NVE scheme: B(dt/2) A(dt) [forces] B(dt/2).
 */
import type { Integrator } from '../engine/index.js';
import { checkMasses, checkStatelessRestore, kick, kickDrift } from './half-steps.js';

/** Options of velocity Verlet. */
export interface VelocityVerletOptions {
  /** Time step, fs (> 0). */
  timestep_fs: number;
}

/**
 * A velocity Verlet integrator (microcanonical: conserves energy and total momentum).
 *
 * @example
 * const integrator = velocityVerlet({ timestep_fs: 2 });
 */
export function velocityVerlet(options: VelocityVerletOptions): Integrator {
  const dt = options.timestep_fs;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new Error(`velocityVerlet: timestep_fs must be a positive number, got ${dt}`);
  const halfDt = 0.5 * dt;
  return {
    name: 'velocity-verlet',
    timestep_fs: dt,
    conservesMomentum: true,
    changesCell: false,
    init(system) {
      checkMasses(system, 'velocityVerlet');
    },
    step(system, computeForces) {
      kickDrift(system, halfDt, dt);
      const pending = computeForces();
      if (pending) return pending.then(() => kick(system, halfDt));
      kick(system, halfDt);
    },
    saveState: () => ({ rng: null, variables: {} }),
    restoreState: (state) => checkStatelessRestore(state, 'velocity-verlet'),
  };
}
