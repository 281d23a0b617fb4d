/**
 * A domain's own neighbour lists, cut down to the pairs it must evaluate (DESIGN.md §7).
 *
 * A domain's local atoms (owned first, then ghosts; engine/parallel/decomposition.ts) are listed
 * by the ordinary cell list in the domain's own box, then cut down to what a chunk needs (pair
 * potentials do not use ghost-shell domains: they share the system's memory, see protocol.ts
 * Layout.parts):
 *
 * - Message-passing models (full lists), `receptiveChunk`: the owned atoms of a chunk plus every
 *   atom within `depth` hops (a hop is a listed pair), and only the pairs whose centre is fewer
 *   than `depth` hops away: messages flow from neighbour (edge_index row 1) to centre (row 0), so
 *   edges of farther centres feed features that never reach an owned energy. Exact, because a
 *   listed pair (closer than cutoff + skin at the build) is a superset of every model edge
 *   (closer than the cutoff) while atoms move less than skin/2.
 */
import { Box, PartRenumber, type NeighborList } from '../index.js';
import type { Domain } from './decomposition.js';

/**
 * Writes the local positions of `domain` into `out` [M,3]: x[atoms[k]] + cells[k] · cell.
 * @example gatherLocalPositions(domain, system.positions, system.box.cell, local);
 */
export function gatherLocalPositions(domain: Domain, positions: Float64Array, cell: Float64Array, out: Float64Array): void {
  const { atoms, cells } = domain;
  for (let k = 0; k < atoms.length; k++) {
    const i3 = 3 * atoms[k], a = cells[3 * k], b = cells[3 * k + 1], c = cells[3 * k + 2];
    out[3 * k] = positions[i3] + a * cell[0] + b * cell[3] + c * cell[6];
    out[3 * k + 1] = positions[i3 + 1] + a * cell[1] + b * cell[4] + c * cell[7];
    out[3 * k + 2] = positions[i3 + 2] + a * cell[2] + b * cell[5] + c * cell[8];
  }
}

/** The box a domain is evaluated in: the cell, periodic only along the domain's uncut periodic axes. */
export function domainBox(domain: Domain, cell: Float64Array, pbcOfCell: readonly boolean[]): Box {
  const periodic = domain.pbc[0] || domain.pbc[1] || domain.pbc[2];
  // An open cluster has no cell; any cell with all axes open behaves the same for the search.
  if (!periodic && !(pbcOfCell[0] || pbcOfCell[1] || pbcOfCell[2])) return Box.open();
  return new Box(cell, [domain.pbc[0], domain.pbc[1], domain.pbc[2]]);
}

/** One model evaluation's worth of a domain: chunk-local atoms (owned first) and their pairs. */
export interface Chunk {
  /** (m,) domain-local index of each chunk-local atom; the chunk's owned atoms come first. */
  readonly atoms: Int32Array;
  /** Chunk-owned atoms: chunk-local [0, owned). The rest are context (energy_mask 0). */
  readonly owned: number;
  /** Full list over the chunk-local atoms: only centres within depth − 1 hops have pairs. */
  readonly list: NeighborList;
  /** Pairs of the list closer than `cutoff_A` at the positions given: the model's edge count then. */
  readonly edges: number;
  /** Largest number of such pairs at one centre (segment sums pad to it). */
  readonly maxDegree: number;
}

/**
 * The chunk of a domain whose owned atoms are `chunkOwned` (domain-local indices, increasing):
 * those atoms, every atom within `depth` hops of them in the full list `list` over the domain,
 * and the pairs of centres within depth − 1 hops. `positions` are the local positions the list
 * was built from, used to count edges closer than `cutoff_A` (for memory estimates).
 *
 * @example
 * const chunk = receptiveChunk(domainList, Int32Array.from({ length: domain.owned }, (_, k) => k), 1, local, 5.0);
 */
export function receptiveChunk(list: NeighborList, chunkOwned: Int32Array, depth: number, positions: Float64Array, cutoff_A: number): Chunk {
  if (list.kind !== 'full') throw new Error(`receptiveChunk: needs a full list, got a ${list.kind} one`);
  if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`receptiveChunk: depth must be a positive integer, got ${depth}`);
  const n = list.n;
  const { rowAtoms, offsets, neighbors, images, imageShifts } = list;
  const rowOf = new Int32Array(n);
  for (let r = 0; r < n; r++) rowOf[rowAtoms[r]] = r;
  const far = depth + 1;
  const hops = new Int32Array(n).fill(far);
  let frontier: number[] = [];
  for (const a of chunkOwned) { hops[a] = 0; frontier.push(a); }
  // Breadth-first, one hop per pass.
  for (let h = 1; h <= depth && frontier.length > 0; h++) {
    const next: number[] = [];
    for (const a of frontier) {
      const r = rowOf[a];
      for (let p = offsets[r]; p < offsets[r + 1]; p++) {
        const b = neighbors[p];
        if (hops[b] === far) { hops[b] = h; next.push(b); }
      }
    }
    frontier = next;
  }
  const index = new Int32Array(n).fill(-1);
  const atoms: number[] = [];
  for (const a of chunkOwned) { index[a] = atoms.length; atoms.push(a); }
  for (let a = 0; a < n; a++) if (hops[a] > 0 && hops[a] <= depth) { index[a] = atoms.length; atoms.push(a); }
  const m = atoms.length;

  let pairs = 0;
  for (const a of atoms) if (hops[a] < depth) pairs += offsets[rowOf[a] + 1] - offsets[rowOf[a]];
  const outRows = new Int32Array(m), outOffsets = new Int32Array(m + 1), outFirst = new Int32Array(m);
  const outNb = new Int32Array(pairs), outImg = new Uint16Array(pairs);
  const c2 = cutoff_A * cutoff_A;
  let q = 0, row = 0, edges = 0, maxDegree = 0;
  // Rows in the domain list's (spatial) order, restricted to the chunk's atoms.
  for (let r = 0; r < n; r++) {
    const a = rowAtoms[r];
    if (index[a] < 0) continue;
    outRows[row] = index[a];
    outOffsets[row] = q;
    outFirst[row] = q;
    if (hops[a] < depth) {
      let degree = 0;
      for (let p = offsets[r]; p < offsets[r + 1]; p++) {
        const b = neighbors[p], s = 3 * images[p];
        if (p === list.firstImaged[r]) outFirst[row] = q;
        outNb[q] = index[b];
        outImg[q++] = images[p];
        const dx = positions[3 * b] - positions[3 * a] + imageShifts[s];
        const dy = positions[3 * b + 1] - positions[3 * a + 1] + imageShifts[s + 1];
        const dz = positions[3 * b + 2] - positions[3 * a + 2] + imageShifts[s + 2];
        if (dx * dx + dy * dy + dz * dz < c2) degree++;
      }
      if (list.firstImaged[r] === offsets[r + 1]) outFirst[row] = q;
      edges += degree;
      if (degree > maxDegree) maxDegree = degree;
    }
    row++;
  }
  outOffsets[m] = q;
  const chunkList: NeighborList = {
    kind: 'full', n: m, radius_A: list.radius_A, nPairs: q, rowAtoms: outRows, offsets: outOffsets, firstImaged: outFirst,
    neighbors: outNb, images: outImg, imageShifts, imageCells: list.imageCells,
  };
  return { atoms: Int32Array.from(atoms), owned: chunkOwned.length, list: chunkList, edges, maxDegree };
}

/** Reusable buffers of {@link localPartList} for one part (N = the system's atoms): the WebAssembly renumbering and its memory. */
export interface PartScratch {
  /** The system's atom count N. */
  readonly n: number;
  readonly renumber: PartRenumber;
}

/** Buffers for a part of a system of `n` atoms. */
export function createPartScratch(n: number): PartScratch {
  return { n, renumber: new PartRenumber(n) };
}

/**
 * A part of a half list (its rows [r0, r1) over the whole system, engine/cell-list.ts ListPart)
 * renumbered to the part's local atoms, in one pass over its pairs: local atom k < owned = r1 − r0
 * is the atom of list row r0 + k (local row k); the atoms its pairs reach follow in the order they
 * are met, with empty rows. The pairs keep their order and images (the image arrays are shared
 * with `list`), so a kernel gives each pair the same arithmetic as over the whole list, while it
 * reads and writes only M = atoms.length positions and forces instead of all N. The returned list
 * and atoms are views of `scratch` (and of `list`'s images): valid until the next call with it.
 *
 * @example const { atoms, list: local } = localPartList(list, r0, r1, createPartScratch(n));
 */
export function localPartList(list: NeighborList, r0: number, r1: number, scratch: PartScratch): { atoms: Int32Array; list: NeighborList } {
  const owned = r1 - r0;
  const base = list.offsets[r0], nPairs = list.offsets[r1] - base;
  const renumber = scratch.renumber;
  renumber.reserve(nPairs);
  const { localOf, atoms } = renumber;
  for (let k = 0; k < owned; k++) {
    const i = list.rowAtoms[r0 + k];
    localOf[i] = k;
    atoms[k] = i;
  }
  const { m, local: neighbors } = renumber.run(list.neighbors.subarray(base, base + nPairs), owned);
  // Leave localOf all −1 for the next call.
  for (let k = 0; k < m; k++) localOf[atoms[k]] = -1;
  const offsets = new Int32Array(m + 1), firstImaged = new Int32Array(m);
  for (let k = 0; k < owned; k++) {
    offsets[k] = list.offsets[r0 + k] - base;
    firstImaged[k] = list.firstImaged[r0 + k] - base;
  }
  offsets.fill(nPairs, owned);
  firstImaged.fill(nPairs, owned);
  const rowAtoms = new Int32Array(m);
  for (let k = 0; k < m; k++) rowAtoms[k] = k;
  return {
    atoms: atoms.subarray(0, m),
    list: {
      kind: 'half', n: m, radius_A: list.radius_A, nPairs, rowAtoms, offsets, firstImaged, neighbors,
      images: list.images.subarray(base, base + nPairs), imageShifts: list.imageShifts, imageCells: list.imageCells,
    },
  };
}
