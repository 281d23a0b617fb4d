/**
 * Neighbour list → edge tensors (DESIGN.md §5): the pairs of a list that lie strictly inside a
 * cutoff, as `edge_index` (row 0 centre i, row 1 neighbour j) and `edge_shift` (Cartesian shift,
 * Å: r_ij = pos[j] − pos[i] + shift). A list holds pairs up to its radius (cutoff + Verlet skin),
 * and a model gains nothing from edges whose cutoff envelope is zero, so every consumer filters;
 * this is the one place that does it. Edges keep the list's order (rows in spatial order, which
 * keeps a model's gathers cache-friendly).
 *
 * The kernel is one flat loop writing into caller-owned typed arrays, with no allocation; int64
 * indices are written through an Int32 view (low word, high word 0) instead of one BigInt per
 * element.
 */
import type { NeighborList } from './neighbor-list.js';

/** Where {@link writeEdges} writes: caller-owned arrays of room for `capacity` edges. */
export interface EdgeArrays {
  /**
   * `edge_index` [2, capacity] as 32-bit words: an Int32Array (`wordsPerIndex` 1), or the Int32
   * view of a BigInt64Array (`wordsPerIndex` 2: the high words are written 0). On return the first
   * 2·E indices are the [2, E] tensor: row 1 is moved to start right after the E centres.
   */
  readonly index: Int32Array;
  readonly wordsPerIndex: 1 | 2;
  /** (capacity, 3) shifts, Å, in the model's float type. */
  readonly shifts: Float32Array | Float64Array;
  /** Edges there is room for; at least the list's `nPairs`. */
  readonly capacity: number;
}

/**
 * Writes the pairs of `list` with |r_ij| < `cutoff_A` (at `positions`, Å, [N, 3]) as edges and
 * returns their number E.
 * @throws when `out` has room for fewer edges than the list has pairs
 * @example const E = writeEdges(list, system.positions, model.rMax_A, { index, wordsPerIndex: 1, shifts, capacity });
 */
export function writeEdges(list: NeighborList, positions: Float64Array, cutoff_A: number, out: EdgeArrays): number {
  const { index: idx, wordsPerIndex: w, shifts, capacity: cap } = out;
  if (cap < list.nPairs || idx.length < 2 * w * cap || shifts.length < 3 * cap) throw new Error(`writeEdges: room for ${cap} edges, the list has ${list.nPairs} pairs`);
  const { rowAtoms, offsets, neighbors, images, imageShifts } = list;
  const x = positions;
  const r2max = cutoff_A * cutoff_A;
  // One pass: centres go to row 0 in place; E is not known yet, so neighbours go to row 1 of the
  // capacity-wide buffer and are moved to start at E afterwards.
  const row1 = w * cap;
  let e = 0;
  for (let r = 0; r < list.n; r++) {
    const i = rowAtoms[r]!;
    const xi = x[3 * i]!, yi = x[3 * i + 1]!, zi = x[3 * i + 2]!;
    for (let p = offsets[r]!; p < offsets[r + 1]!; p++) {
      const j = neighbors[p]!;
      const s = 3 * images[p]!;
      const sx = imageShifts[s]!, sy = imageShifts[s + 1]!, sz = imageShifts[s + 2]!;
      const dx = x[3 * j]! - xi + sx, dy = x[3 * j + 1]! - yi + sy, dz = x[3 * j + 2]! - zi + sz;
      if (dx * dx + dy * dy + dz * dz >= r2max) continue;
      idx[w * e] = i;
      idx[row1 + w * e] = j;
      if (w === 2) {
        idx[2 * e + 1] = 0;
        idx[row1 + 2 * e + 1] = 0;
      }
      shifts[3 * e] = sx;
      shifts[3 * e + 1] = sy;
      shifts[3 * e + 2] = sz;
      e++;
    }
  }
  if (e < cap) idx.copyWithin(w * e, row1, row1 + w * e);
  return e;
}

/** Exact-size edges of one structure (see {@link edgesWithin}). */
export interface Edges {
  /** Number of edges E. */
  readonly nEdges: number;
  /** (2, E) row 0 centre i, row 1 neighbour j. */
  readonly edgeIndex: Int32Array;
  /** (E, 3) Cartesian periodic shift of each edge, Å. */
  readonly edgeShift: Float64Array;
}

/**
 * The edges of `list` within `cutoff_A`, in arrays of their own (for data kept across steps:
 * training structures, checks at input time).
 * @example const { nEdges, edgeIndex } = edgesWithin(createCellList({ radius_A: 4, kind: 'full' }).build(pos, box), pos, 4);
 */
export function edgesWithin(list: NeighborList, positions: Float64Array, cutoff_A: number): Edges {
  const capacity = list.nPairs;
  const index = new Int32Array(2 * capacity);
  const shifts = new Float64Array(3 * capacity);
  const E = writeEdges(list, positions, cutoff_A, { index, wordsPerIndex: 1, shifts, capacity });
  return { nEdges: E, edgeIndex: index.slice(0, 2 * E), edgeShift: shifts.slice(0, 3 * E) };
}

/** Growing `edge_index` (int64) and `edge_shift` tensors reused from call to call; see {@link createEdgeTensors}. */
export interface EdgeTensors {
  /**
   * Writes the edges of `list` within `cutoff_A` and returns E; the arrays grow (25 % headroom)
   * only when the list has more pairs than ever before.
   */
  fill(list: NeighborList, positions: Float64Array, cutoff_A: number): number;
  /** The whole buffer; its first 2·E entries are `edge_index` [2, E] after `fill`. Replaced when it grows. */
  readonly edgeIndex: BigInt64Array;
  /** The whole buffer; its first 3·E entries are `edge_shift` [E, 3] after `fill`. Replaced when it grows. */
  readonly edgeShift: Float32Array | Float64Array;
}

/**
 * Edge tensors for a model of float type `dtype`, for a potential evaluated every step.
 * @example const edges = createEdgeTensors('float32'); const E = edges.fill(list, x, rMax); edges.edgeIndex.subarray(0, 2 * E);
 */
export function createEdgeTensors(dtype: 'float32' | 'float64'): EdgeTensors {
  let capacity = 0;
  let edgeIndex = new BigInt64Array(0);
  let out: EdgeArrays = { index: new Int32Array(0), wordsPerIndex: 2, shifts: new Float64Array(0), capacity: 0 };
  return {
    fill(list, positions, cutoff_A) {
      if (list.nPairs > capacity) {
        capacity = Math.max(list.nPairs, Math.ceil(capacity * 1.25));
        edgeIndex = new BigInt64Array(2 * capacity);
        out = { index: new Int32Array(edgeIndex.buffer), wordsPerIndex: 2, shifts: dtype === 'float64' ? new Float64Array(3 * capacity) : new Float32Array(3 * capacity), capacity };
      }
      return writeEdges(list, positions, cutoff_A, out);
    },
    get edgeIndex() { return edgeIndex; },
    get edgeShift() { return out.shifts; },
  };
}
