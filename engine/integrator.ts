/**
 * The integrator contract (STYLE.md §3, after jax-md's `(init, apply)` pairs): a factory returns
 * `{ init, step }`, and `step` is written as a sequence of named half-steps (kick, drift,
 * ornsteinUhlenbeck) around exactly one force evaluation.
 */
import type { RngState } from './random.js';
import type { System } from './system.js';

/**
 * Recomputes `system.forces` (and the run loop's energy/virial) for the current positions.
 * Returns a promise only when the potential is asynchronous.
 */
export type ComputeForces = () => void | Promise<void>;

/** A time-stepping scheme. */
export interface Integrator {
  /** Short name for logs, e.g. "velocity-verlet". */
  readonly name: string;
  /** Time step, fs. */
  readonly timestep_fs: number;
  /**
   * True when the scheme conserves total momentum (velocity Verlet), so that 3N − 3 degrees of
   * freedom count for the temperature; false for thermostats that exchange momentum with a bath (3N).
   */
  readonly conservesMomentum: boolean;
  /** Checks that the system can be integrated (positive finite masses). Call once before stepping. */
  init(system: System): void;
  /**
   * Advances positions and velocities by one time step. `system.forces` must hold the forces at the
   * current positions on entry and holds those at the new positions on return. `computeForces` is
   * called exactly once per step, after the positions have moved.
   */
  step(system: System, computeForces: ComputeForces): void | Promise<void>;
  /** Random-number state to checkpoint (null for deterministic schemes). */
  rngState(): RngState | null;
  /** Restores the state saved by `rngState()` so that a restarted run continues bit-identically. */
  restoreRngState(state: RngState | null): void;
}
