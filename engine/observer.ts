/**
 * What the run loop shows the outside world: a Frame at step 0 and every `every` steps, given to
 * Observers (thermo log, trajectory writers, checkpoints), and the SimulationState a restart needs.
 */
import type { Box } from './box.js';
import type { RngState } from './random.js';
import type { System } from './system.js';

/**
 * Everything needed to continue a run bit-identically (checkpoint contents). Arrays are copies,
 * owned by the state.
 */
export interface SimulationState {
  /** Number of steps done. */
  step: number;
  /** (N, 3) positions, Å, exactly as in memory (wrapped only at neighbor-list rebuilds). */
  positions: Float64Array;
  /** (N, 3) velocities, Å/fs. */
  velocities: Float64Array;
  box: Box;
  /** Integrator random state (Langevin); null for deterministic integrators. */
  rng: RngState | null;
  /**
   * (N, 3) periodic images: the lattice vectors each atom was wrapped back by since the run began,
   * so that positions + images · cell is its unwrapped position (LAMMPS's image flags). Zero for open
   * axes. Absent (taken as zero) in states made before image flags existed.
   */
  images?: Int32Array;
  /**
   * (N, 3) positions, Å, at the last neighbor-list build. A restart rebuilds the list from these,
   * which reproduces the same pairs in the same order, so forces sum in the same order and the
   * run continues bit-identically; it also keeps the rebuild schedule (skin/2 test) unchanged.
   */
  neighborReference: Float64Array;
}

/** One observed moment of a run. The object and its arrays are reused: copy what must outlive `observe`. */
export interface Frame {
  /** Steps done. */
  step: number;
  /** step × timestep, fs. */
  time_fs: number;
  /** The live system (positions Å, velocities Å/fs, forces eV/Å). Do not modify. */
  system: System;
  /** (N, 3) periodic images of the atoms (SimulationState.images): unwrapped = positions + images · cell. Do not modify. */
  images: Int32Array;
  potentialEnergy_eV: number;
  kineticEnergy_eV: number;
  totalEnergy_eV: number;
  /** Instantaneous temperature, K: 2 KE / (dof kB), dof = 3N − 3 when the integrator conserves momentum, else 3N. */
  temperature_K: number;
  /** (3, 3) configurational virial, eV (ForceOutput convention). */
  virial: Float64Array;
  /** Instantaneous pressure, bar: (2 KE + tr W) / (3 V); NaN for a box with no volume. */
  pressure_bar: number;
  /** A snapshot of the state for checkpoints (allocates copies). */
  state(): SimulationState;
}

/** Something that watches a run: thermo log, trajectory writer, checkpoint writer, progress. */
export interface Observer {
  /** Observe at step 0 (of a fresh run) and whenever step % every === 0. Positive integer. */
  readonly every: number;
  observe(frame: Frame): void | Promise<void>;
  /**
   * Called once when the run stops because the energy became NaN or infinite, with the last frame
   * whose energy was finite — only if this observer has not already observed that step.
   * Writers should write it so the last good configuration is kept on disk.
   */
  flush?(lastGoodFrame: Frame): void | Promise<void>;
  /** Called by `simulation.close()` when the caller is done with the run (normally or after an error). Close files here. */
  close?(): void | Promise<void>;
}
