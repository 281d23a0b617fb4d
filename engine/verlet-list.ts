/**
 * Verlet neighbor list: a cell-list search with radius cutoff + skin, reused until some atom has
 * moved more than skin/2 since the build (then no pair can have crossed into the cutoff unseen).
 * Displacements are measured on the positions as integrated, never wrapped between builds, so
 * wrapping cannot hide a move.
 *
 * The cell may deform between builds (NPT, cell relaxation). With H⁰ the cell at the build and H
 * the current one, M = (H⁰)⁻¹H maps the old lattice onto the new. A pair left out at the build had
 * |r⁰| ≥ R = cutoff + skin; now r = r⁰M + δ_j − δ_i, with δ_i = x_i − x⁰_i M the motion of atom i
 * beyond the affine deformation. Since |r⁰M| ≥ σ_min(M) |r⁰| and σ_min(M) ≥ 1 − ‖M − I‖_F, the
 * list still holds every pair within the cutoff while max |δ_i| ≤ ((1 − ‖M − I‖_F) R − cutoff) / 2,
 * which is the skin/2 test again when the cell has not changed. Between builds the list's image
 * shifts follow the cell (`followBox`).
 */
import type { Box } from './box.js';
import { createCellList } from './cell-list.js';
import { setImageShifts, type NeighborList, type NeighborListKind } from './neighbor-list.js';

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
  /** The box of the last build (null before it). */
  readonly referenceBox: Box | null;
  /** The box the list's image shifts are for: the build's, or the last one given to `followBox`. */
  readonly box: Box | null;
  /** Number of builds so far. */
  readonly builds: number;
  /** Builds the list for these positions and records them (and the box) as the reference. */
  build(positions: Float64Array, box: Box): NeighborList;
  /**
   * True when the list must be rebuilt before computing forces at `positions` in `box`: no list
   * yet, a different atom count or periodicity, or (per the policy) some atom moved more than the
   * skin allows — skin/2 in an unchanged cell, less when the cell has deformed since the build.
   * `stepsSinceBuild` feeds the `every` policy.
   *
   * @example
   * if (verlet.needsRebuild(sys.positions, sys.box)) { sys.box.wrap(sys.positions); verlet.build(sys.positions, sys.box); }
   * else if (sys.box !== verlet.box) verlet.followBox(sys.box);
   */
  needsRebuild(positions: Float64Array, box: Box, stepsSinceBuild?: number): boolean;
  /**
   * Moves the image shifts to `box`, a deformation of the build's box with the same periodicity,
   * for which `needsRebuild` said no rebuild is needed. Pairs, order and images are unchanged.
   */
  followBox(box: Box): void;
}

/**
 * The rebuild bookkeeping of a Verlet list: the reference positions and box of the last build and
 * the test that says when the pairs can no longer be trusted (the file comment's criterion). Shared
 * by {@link createVerletList} and lists kept elsewhere (engine/parallel's domain lists).
 */
export interface RebuildCriterion {
  /** (N, 3) positions, Å, at the last build (a copy). */
  readonly reference: Float64Array;
  /** The box of the last build (null before it). */
  readonly referenceBox: Box | null;
  /** Records a build at `positions` in `box`. */
  built(positions: Float64Array, box: Box): void;
  /** VerletList.needsRebuild, for a list built at the recorded reference (true before any build). */
  needsRebuild(positions: Float64Array, box: Box, stepsSinceBuild?: number): boolean;
}

/** The rebuild criterion of a list of radius cutoff + skin, with `options.rebuild`'s policy; `who` names the caller in errors. */
export function createRebuildCriterion(options: VerletListOptions, who = 'createVerletList'): RebuildCriterion {
  const { cutoff_A, skin_A } = options;
  if (!(cutoff_A > 0) || !Number.isFinite(cutoff_A)) throw new Error(`${who}: cutoff_A must be a positive finite number, got ${cutoff_A}`);
  if (!(skin_A >= 0) || !Number.isFinite(skin_A)) throw new Error(`${who}: skin_A must be ≥ 0, got ${skin_A}`);
  const every = options.rebuild?.every ?? 1;
  const check = options.rebuild?.check ?? true;
  if (!Number.isInteger(every) || every < 1) throw new Error(`${who}: rebuild.every must be a positive integer, got ${every}`);
  const limit2 = 0.25 * skin_A * skin_A;
  const radius = cutoff_A + skin_A;
  let reference = new Float64Array(0);
  let builtBox: Box | null = null;
  const m = new Float64Array(9);

  /** Largest allowed non-affine move² since the build for a deformation M, or −1 when the list cannot survive it. */
  function deformedLimit2(box: Box): number {
    const inv = builtBox!.inverse, c = box.cell;
    let dev2 = 0;
    for (let r = 0; r < 3; r++) {
      for (let col = 0; col < 3; col++) {
        const v = inv[3 * r] * c[col] + inv[3 * r + 1] * c[3 + col] + inv[3 * r + 2] * c[6 + col];
        m[3 * r + col] = v;
        const d = v - (r === col ? 1 : 0);
        dev2 += d * d;
      }
    }
    const margin = (1 - Math.sqrt(dev2)) * radius - cutoff_A;
    return margin > 0 ? 0.25 * margin * margin : -1;
  }

  return {
    get reference() { return reference; },
    get referenceBox() { return builtBox; },
    built(positions, box) {
      if (reference.length !== positions.length) reference = new Float64Array(positions.length);
      reference.set(positions);
      builtBox = box;
    },
    needsRebuild(positions, box, stepsSinceBuild = 0) {
      if (builtBox === null || positions.length !== reference.length) return true;
      if (box !== builtBox && !box.samePeriodicity(builtBox)) return true;
      const deformed = box !== builtBox && !box.sameCell(builtBox);
      if (skin_A === 0) return true;
      if (stepsSinceBuild % every !== 0) return false;
      if (!check) return stepsSinceBuild > 0;
      if (!deformed) {
        for (let k = 0; k < positions.length; k += 3) {
          const dx = positions[k] - reference[k], dy = positions[k + 1] - reference[k + 1], dz = positions[k + 2] - reference[k + 2];
          if (dx * dx + dy * dy + dz * dz > limit2) return true;
        }
        return false;
      }
      const allowed2 = deformedLimit2(box);
      if (allowed2 < 0) return true;
      for (let k = 0; k < positions.length; k += 3) {
        const x = reference[k], y = reference[k + 1], z = reference[k + 2];
        const dx = positions[k] - (x * m[0] + y * m[3] + z * m[6]);
        const dy = positions[k + 1] - (x * m[1] + y * m[4] + z * m[7]);
        const dz = positions[k + 2] - (x * m[2] + y * m[5] + z * m[8]);
        if (dx * dx + dy * dy + dz * dz > allowed2) return true;
      }
      return false;
    },
  };
}

/** A Verlet list over a cell-list search. */
export function createVerletList(options: VerletListOptions): VerletList {
  const { cutoff_A, skin_A, kind } = options;
  const criterion = createRebuildCriterion(options);
  const search = createCellList({ radius_A: cutoff_A + skin_A, cutoff_A, kind });
  let list: NeighborList | null = null;
  let shiftsBox: Box | null = null;
  let builds = 0;

  return {
    cutoff_A,
    skin_A,
    kind,
    get list() { return list; },
    get reference() { return criterion.reference; },
    get referenceBox() { return criterion.referenceBox; },
    get box() { return shiftsBox; },
    get builds() { return builds; },
    build(positions, box) {
      list = search.build(positions, box);
      criterion.built(positions, box);
      shiftsBox = box;
      builds++;
      return list;
    },
    needsRebuild(positions, box, stepsSinceBuild = 0) {
      return list === null || criterion.needsRebuild(positions, box, stepsSinceBuild);
    },
    followBox(box) {
      const builtBox = criterion.referenceBox;
      if (list === null || builtBox === null) throw new Error('VerletList.followBox: no list has been built yet');
      if (!box.samePeriodicity(builtBox)) throw new Error('VerletList.followBox: the box has another periodicity than the build box; rebuild instead');
      if (box === shiftsBox) return;
      // An open cluster's list is binned on Cartesian axes and has only the zero image.
      if (builtBox.volume > 0) setImageShifts(list, box.cell);
      shiftsBox = box;
    },
  };
}
