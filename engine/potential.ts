/**
 * The contract every force field meets (DESIGN.md §1): given a system and a neighbor list, write
 * the potential energy, the forces and the virial. Pair potentials consume half lists; learned
 * models consume full directed lists with Cartesian shifts (DESIGN.md §5).
 */
import type { NeighborList, NeighborListKind } from './neighbor-list.js';
import type { System } from './system.js';
import type { VerletList, VerletListOptions } from './verlet-list.js';

/** What `Potential.compute` writes. One object is reused for every step: no allocation per step. */
export interface ForceOutput {
  /** Total potential energy, eV (summed in float64). */
  energy_eV: number;
  /** (N, 3) forces, eV/Å. The run loop passes `system.forces` here, so forces land in the system. */
  forces: Float64Array;
  /**
   * (3, 3) row-major virial, eV, nequip convention: W = −Σ_pairs r_ij ⊗ ∂E/∂r_ij = −∂E/∂ε
   * (ε a homogeneous strain of positions and cell) = −stress × volume. Its trace over 3V is the
   * configurational part of the pressure; positive for repulsion.
   */
  virial: Float64Array;
}

/** A force field. */
export interface Potential {
  /** Short name for logs and thermo headers, e.g. "lennard-jones". */
  readonly name: string;
  /** Interaction range, Å: pairs farther apart than this do not contribute. */
  readonly cutoff_A: number;
  /** Which neighbor list `compute` expects: `half` (each pair once) for pair potentials, `full` for learned models. */
  readonly neighborKind: NeighborListKind;
  /**
   * Writes energy, forces and virial for the current positions into `out` (overwriting, not adding).
   * `neighbors` was built with a radius ≥ `cutoff_A` (cutoff + skin) and the kind asked for;
   * pairs beyond `cutoff_A` must be skipped. May return a promise (ONNX Runtime runs async); the
   * run loop awaits it only when one is returned, so synchronous potentials cost no allocation.
   */
  compute(system: System, neighbors: NeighborList, out: ForceOutput): void | Promise<void>;
  /**
   * Optional, for potentials that list their own pairs (engine/parallel's decomposed potential:
   * each worker lists its domain's): the neighbour bookkeeping the run loop uses instead of its
   * own cell-list Verlet list. The loop drives it exactly like its own — rebuild tests, wrapping
   * at builds, the reference positions it checkpoints and restarts from — and hands its `list`
   * to `compute`.
   */
  createNeighbors?(options: VerletListOptions): VerletList;
  /** Releases native resources (ONNX sessions, worker threads). */
  dispose?(): void | Promise<void>;
}

/** A ForceOutput for `n` atoms with its own forces array (tests, single-point evaluations). */
export function createForceOutput(n: number, forces: Float64Array = new Float64Array(3 * n)): ForceOutput {
  if (forces.length !== 3 * n) throw new Error(`createForceOutput: forces has ${forces.length} entries, expected 3 × ${n}`);
  return { energy_eV: 0, forces, virial: new Float64Array(9) };
}
