/**
 * The neighbor list data type shared by every potential (DESIGN.md §1, §5).
 *
 * What a list holds (both kinds):
 * - Every pair (i, j, image) whose distance at build time is < `radius_A` (= interaction cutoff +
 *   Verlet skin when built by a VerletList), including pairs of an atom with its own periodic
 *   images, and several images of one pair when the box is narrower than twice the radius.
 *   Pairs in the skin (cutoff ≤ r < radius) ARE listed: kernels must test r < their cutoff.
 * - `full`: both directions, (i → j, shift) and (j → i, −shift). `half`: exactly one of them.
 * - Arrays are exact-length views (`neighbors.length === images.length === nPairs`); there is no
 *   separate capacity. They are reused by the next build: copy what must outlive it.
 *
 * Layout: LAMMPS-style compressed rows, one row per centre atom. ROW r IS NOT ATOM r: row r holds
 * the pairs of centre i = rowAtoms[r], at p ∈ [offsets[r], offsets[r+1]) of `neighbors` (j) and
 * `images` (which periodic image of j). Rows come in spatial (cell) order, so consecutive centres
 * share neighbours in cache. The edge vector is r_ij = pos[j] − pos[i] + imageShifts[images[p]]
 * (DESIGN.md §3), valid for the positions the list was built from and for any continuous motion
 * after (positions must not be wrapped between builds: the run loop wraps only when it rebuilds).
 *
 * Order within a row (a performance hint, not something to rely on for correctness): pairs with
 * image 0 first (`firstImaged[r]` marks the boundary), and within each of the two segments the
 * pairs that were within the interaction cutoff at build time first. A pair loop:
 *
 * ```ts
 * for (let r = 0; r < list.n; r++) {
 *   const i = list.rowAtoms[r];
 *   for (let p = list.offsets[r]; p < list.offsets[r + 1]; p++) {
 *     const j = list.neighbors[p], s = 3 * list.images[p];
 *     const dx = x[3 * j] - x[3 * i] + list.imageShifts[s]; // … dy, dz likewise
 *   }
 * }
 * ```
 *
 * For the ONNX contract, engine/edges.ts turns a list into `edge_index` and `edge_shift` (the pairs
 * within the model's cutoff, in list order).
 */

/** `half`: each unordered pair once (pair potentials). `full`: both directions i→j and j→i (learned models). */
export type NeighborListKind = 'half' | 'full';

/** Pairs within `radius_A` of each other, including pairs with periodic images of themselves. */
export interface NeighborList {
  readonly kind: NeighborListKind;
  /** Number of atoms N. */
  readonly n: number;
  /** List radius, Å: every pair closer than this at build time is listed (interaction cutoff + skin). */
  readonly radius_A: number;
  /** Number of pairs P (directed pairs for a full list). */
  readonly nPairs: number;
  /** (N,) centre atom of each row: a permutation of 0 … N−1. */
  readonly rowAtoms: Int32Array;
  /** (N+1,) pairs of row r are p ∈ [offsets[r], offsets[r+1]); offsets[N] = P. */
  readonly offsets: Int32Array;
  /** (N,) first pair of row r whose image is not 0; offsets[r] ≤ firstImaged[r] ≤ offsets[r+1]. */
  readonly firstImaged: Int32Array;
  /** (P,) neighbour atom j of each pair. */
  readonly neighbors: Int32Array;
  /** (P,) index into `imageShifts` of each pair; 0 means no shift. */
  readonly images: Uint16Array;
  /**
   * (K, 3) Cartesian shift, Å, of each image index; row 0 is (0, 0, 0). Always
   * `imageCells[k] · cell` of the box the list currently follows: a VerletList rewrites them in
   * place when the cell deforms between builds (NPT), so read them at every evaluation.
   */
  readonly imageShifts: Float64Array;
  /** (K, 3) integer lattice coefficients (along a, b, c) of each image index; row 0 is (0, 0, 0). */
  readonly imageCells: Int32Array;
}

/**
 * Rewrites `list.imageShifts` for another cell (rows a, b, c, Å; [3,3] row-major): shift k becomes
 * imageCells[k] · cell, the same expression the cell list builds them with, so a list built in a
 * box and one moved to it give the same bits.
 */
export function setImageShifts(list: NeighborList, cell: Float64Array): void {
  const { imageCells, imageShifts } = list;
  for (let k = 0; k < imageCells.length; k += 3) {
    const a = imageCells[k], b = imageCells[k + 1], c = imageCells[k + 2];
    imageShifts[k] = a * cell[0] + b * cell[3] + c * cell[6];
    imageShifts[k + 1] = a * cell[1] + b * cell[4] + c * cell[7];
    imageShifts[k + 2] = a * cell[2] + b * cell[5] + c * cell[8];
  }
}
