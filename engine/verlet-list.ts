/**
 * Verlet neighbor list: a cell-list search with radius cutoff + skin, reused until some atom has
 * moved more than skin/2 since the build (then no pair can have crossed into the cutoff unseen).
 * Displacements are measured on the positions as integrated, never wrapped between builds, so
 * wrapping cannot hide a move.
 */
import type { Box } from './box.js';
import { createCellList } from './cell-list.js';
import type { NeighborList, NeighborListKind } from './neighbor-list.js';

/** Options of a Verlet list. */
export interface VerletListOptions {
  /** Interaction cutoff, Å. */
  cutoff_A: number;
  /** Extra radius, Å, so that the list stays valid while atoms move less than skin/2. ≥ 0. */
  skin_A: number;
  kind: NeighborListKind;
  /**
   * Rebuild policy. Default `{ every: 1, check: true }`: test the skin/2 criterion every step.
   * `{ every: 20, check: false }` rebuilds blindly every 20 steps like LAMMPS's `neigh_modify
   * every 20 check no` (benchmarks only: it is not safe in general).
   */
  rebuild?: { every?: number; check?: boolean };
}

/** A neighbor list plus the bookkeeping that decides when to rebuild it. */
export interface VerletList {
  readonly cutoff_A: number;
  readonly skin_A: number;
  readonly kind: NeighborListKind;
  /** The current list (null before the first build). */
  readonly list: NeighborList | null;
  /** (N, 3) positions, Å, at the last build (a copy). */
  readonly reference: Float64Array;
  /** Number of builds so far. */
  readonly builds: number;
  /** Builds the list for these positions and records them as the reference. */
  build(positions: Float64Array, box: Box): NeighborList;
  /**
   * True when the list must be rebuilt before computing forces at `positions` in `box`: no list
   * yet, a different atom count or box, or (per the policy) some atom moved > skin/2.
   * `stepsSinceBuild` feeds the `every` policy.
   *
   * @example
   * if (verlet.needsRebuild(sys.positions, sys.box)) { sys.box.wrap(sys.positions); verlet.build(sys.positions, sys.box); }
   */
  needsRebuild(positions: Float64Array, box: Box, stepsSinceBuild?: number): boolean;
}

/** A Verlet list over a cell-list search. */
export function createVerletList(options: VerletListOptions): VerletList {
  const { cutoff_A, skin_A, kind } = options;
  if (!(cutoff_A > 0) || !Number.isFinite(cutoff_A)) throw new Error(`createVerletList: cutoff_A must be a positive finite number, got ${cutoff_A}`);
  if (!(skin_A >= 0) || !Number.isFinite(skin_A)) throw new Error(`createVerletList: skin_A must be ≥ 0, got ${skin_A}`);
  const every = options.rebuild?.every ?? 1;
  const check = options.rebuild?.check ?? true;
  if (!Number.isInteger(every) || every < 1) throw new Error(`createVerletList: rebuild.every must be a positive integer, got ${every}`);
  const search = createCellList({ radius_A: cutoff_A + skin_A, cutoff_A, kind });
  const limit2 = 0.25 * skin_A * skin_A;
  let list: NeighborList | null = null;
  let reference = new Float64Array(0);
  let builtBox: Box | null = null;
  let builds = 0;

  return {
    cutoff_A,
    skin_A,
    kind,
    get list() { return list; },
    get reference() { return reference; },
    get builds() { return builds; },
    build(positions, box) {
      list = search.build(positions, box);
      if (reference.length !== positions.length) reference = new Float64Array(positions.length);
      reference.set(positions);
      builtBox = box;
      builds++;
      return list;
    },
    needsRebuild(positions, box, stepsSinceBuild = 0) {
      if (list === null || positions.length !== reference.length || box !== builtBox) return true;
      if (skin_A === 0) return true;
      if (stepsSinceBuild % every !== 0) return false;
      if (!check) return stepsSinceBuild > 0;
      for (let k = 0; k < positions.length; k += 3) {
        const dx = positions[k] - reference[k], dy = positions[k + 1] - reference[k + 1], dz = positions[k + 2] - reference[k + 2];
        if (dx * dx + dy * dy + dz * dz > limit2) return true;
      }
      return false;
    },
  };
}
