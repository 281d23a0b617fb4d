/**
 * Which atoms of a ghost-shell graph need edges. With owned atoms plus ghosts as one graph and
 * energy_mask 1 on the owned atoms only (DESIGN.md §5, §7), the masked energy of a model with L
 * message-passing layers depends on the features of atoms up to L hops from an owned atom, and
 * those features are aggregated at the atoms up to L − 1 hops away: messages flow from
 * edge_index row 1 (neighbour) to row 0 (centre). Edges whose centre is L or more hops away feed
 * only features that never reach an owned atom's energy, so they can be dropped — exactly, not
 * approximately. For Allegro (L = 1) only owned atoms are centres; for NequIP the ghosts near the
 * owned region are, the outer ghosts only lend their positions and species.
 */
import type { NeighborList } from '../../engine/index.js';

/** Reusable working arrays of {@link restrictCentres}. */
export interface CentreScratch {
  hops: Int32Array;
  rowOf: Int32Array;
  offsets: Int32Array;
  firstImaged: Int32Array;
  neighbors: Int32Array;
  images: Uint16Array;
}

/** Empty scratch arrays; they grow on demand. */
export function createCentreScratch(): CentreScratch {
  return { hops: new Int32Array(0), rowOf: new Int32Array(0), offsets: new Int32Array(0), firstImaged: new Int32Array(0), neighbors: new Int32Array(0), images: new Uint16Array(0) };
}

/**
 * The pairs of `list` whose centre lies fewer than `depth` hops from an owned atom (atoms
 * [0, owned)), one hop being a listed pair. Rows keep their order; rows of other centres are
 * empty. `list` must hold only pairs closer than r_max (a list built with radius r_max), so that
 * a hop is an edge of the model's graph.
 *
 * The result shares buffers with `scratch` and is valid until the next call.
 * @example
 * const edges = restrictCentres(createCellList({ radius_A: rMax, kind: 'full' }).build(x, Box.open()), nOwned, 1, createCentreScratch());
 */
export function restrictCentres(list: NeighborList, owned: number, depth: number, scratch: CentreScratch): NeighborList {
  const n = list.n;
  if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`restrictCentres: depth must be a positive integer, got ${depth}`);
  if (!(Number.isInteger(owned) && owned >= 0 && owned <= n)) throw new Error(`restrictCentres: owned must be in [0, ${n}], got ${owned}`);
  if (scratch.hops.length < n) {
    scratch.hops = new Int32Array(n);
    scratch.rowOf = new Int32Array(n);
    scratch.offsets = new Int32Array(n + 1);
    scratch.firstImaged = new Int32Array(n);
  }
  const { hops, rowOf } = scratch;
  const { rowAtoms, offsets, neighbors, images, firstImaged } = list;
  const far = depth; // "depth or more hops away": not a centre
  for (let i = 0; i < n; i++) hops[i] = i < owned ? 0 : far;
  for (let r = 0; r < n; r++) rowOf[rowAtoms[r]!] = r;
  // Breadth-first, one layer per pass: atoms at hop h − 1 mark their neighbours as hop h.
  for (let h = 1; h < depth; h++) {
    for (let r = 0; r < n; r++) {
      if (hops[rowAtoms[r]!] !== h - 1) continue;
      for (let p = offsets[r]!; p < offsets[r + 1]!; p++) {
        const j = neighbors[p]!;
        if (hops[j]! > h) hops[j] = h;
      }
    }
  }
  let pairs = 0;
  for (let r = 0; r < n; r++) if (hops[rowAtoms[r]!]! < far) pairs += offsets[r + 1]! - offsets[r]!;
  if (scratch.neighbors.length < pairs) {
    const cap = Math.max(pairs, Math.ceil(scratch.neighbors.length * 1.25));
    scratch.neighbors = new Int32Array(cap);
    scratch.images = new Uint16Array(cap);
  }
  const outOffsets = scratch.offsets, outFirst = scratch.firstImaged, outNb = scratch.neighbors, outImg = scratch.images;
  let q = 0;
  for (let r = 0; r < n; r++) {
    outOffsets[r] = q;
    if (hops[rowAtoms[r]!]! < far) {
      const a = offsets[r]!, b = offsets[r + 1]!;
      outFirst[r] = q + (firstImaged[r]! - a);
      outNb.set(neighbors.subarray(a, b), q);
      outImg.set(images.subarray(a, b), q);
      q += b - a;
    } else {
      outFirst[r] = q;
    }
  }
  outOffsets[n] = q;
  return {
    kind: list.kind,
    n,
    radius_A: list.radius_A,
    nPairs: q,
    rowAtoms,
    offsets: outOffsets.subarray(0, n + 1),
    firstImaged: outFirst.subarray(0, n),
    neighbors: outNb.subarray(0, q),
    images: outImg.subarray(0, q),
    imageShifts: list.imageShifts,
  };
}
