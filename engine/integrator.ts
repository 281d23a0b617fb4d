/**
 * The integrator contract (STYLE.md §3, after jax-md's `(init, apply)` pairs): a factory returns
 * `{ init, step }`, and `step` is written as a sequence of named half-steps (kick, drift,
 * ornsteinUhlenbeck, thermostat and barostat updates) around exactly one force evaluation.
 *
 * Everything an integrator carries between steps — random state, thermostat and barostat
 * variables — is an `IntegratorState` of plain numbers, so a checkpoint can hold it and a restart
 * continues bit-identically. The cell is not part of it: a scheme that changes the cell (NPT)
 * replaces `system.box`, which the run loop and the checkpoint already carry.
 */
import type { ForceOutput } from './potential.js';
import type { RngState } from './random.js';
import type { System } from './system.js';

/**
 * Recomputes `system.forces` (and the run loop's energy/virial) for the current positions and box.
 * Returns a promise only when the potential is asynchronous.
 */
export type ComputeForces = () => void | Promise<void>;

/**
 * What an integrator carries from step to step, as plain data (checkpoints, restarts).
 *
 * @example
 * { rng: null, variables: { thermostat_xi: [0.1, 0, 0], thermostat_v_per_fs: [1e-4, 0, 0] } }
 */
export interface IntegratorState {
  /** Random-number state of a stochastic scheme (Langevin, stochastic cell rescaling), else null. */
  rng: RngState | null;
  /**
   * Extended-system variables by name (thermostat positions and velocities, barostat momenta),
   * float64, in the units their names carry. Empty for schemes without any.
   */
  variables: Readonly<Record<string, readonly number[]>>;
}

/** A time-stepping scheme. */
export interface Integrator {
  /** Short name for logs and checkpoints, e.g. "velocity-verlet". */
  readonly name: string;
  /** Time step, fs. */
  readonly timestep_fs: number;
  /**
   * True when the scheme conserves total momentum (velocity Verlet, Nosé–Hoover, MTK), so that
   * 3N − 3 degrees of freedom count for the temperature; false for thermostats that exchange
   * momentum with a bath (Langevin: 3N).
   */
  readonly conservesMomentum: boolean;
  /**
   * True when `step` changes the cell (NPT): it then assigns a new Box to `system.box` and moves
   * positions and velocities with it. The run loop follows (neighbour list, thermo columns).
   */
  readonly changesCell: boolean;
  /**
   * Checks that the system can be integrated (positive finite masses, a periodic box for NPT) and
   * sizes the scheme to it (degrees of freedom, barostat masses). Call once before stepping.
   * `forces` is the run loop's force output: after every `computeForces()` it holds the energy,
   * forces and virial at the new positions (a barostat reads the virial from it).
   */
  init(system: System, forces: Readonly<ForceOutput>): void;
  /**
   * Advances positions and velocities (and, when `changesCell`, the cell) by one time step.
   * `system.forces` must hold the forces at the current positions on entry and holds those at the
   * new positions on return. `computeForces` is called exactly once per step, after the positions
   * have moved.
   */
  step(system: System, computeForces: ComputeForces): void | Promise<void>;
  /**
   * Energy of the extended system, eV — thermostat and barostat kinetic and potential terms and
   * P_ext·V — such that potential + kinetic + this is conserved by the exact dynamics (Nosé–Hoover
   * chains, MTK). Absent for schemes whose conserved quantity is the total energy itself (NVE) or
   * that have none (stochastic schemes).
   */
  extendedEnergy?(system: System): number;
  /** Everything to checkpoint (copies). Call after `init`. */
  saveState(): IntegratorState;
  /**
   * Restores a state saved by `saveState()` of the same scheme with the same settings, so that a
   * restarted run continues bit-identically. Call after `init`. Throws a message naming what
   * does not fit (a missing variable, another chain length).
   */
  restoreState(state: IntegratorState): void;
}
