/**
 * O(N) neighbor search with a cell (bin) list, for orthorhombic, triclinic, partly periodic and
 * open boxes, including boxes narrower than twice the radius (several images of one pair, and
 * atoms paired with their own images).
 *
 * Atoms are binned on fractional coordinates of the cell, bins at least radius / binsPerRadius
 * wide. A displacement Δr changes fractional coordinate k by at most |Δr| / h_k (h_k the distance
 * between the cell faces normal to axis k), so every partner lies within ±m_k bins,
 * m_k = ⌈radius / perpendicular bin width⌉; stencil offsets whose bins cannot hold a partner (the
 * gap between them already exceeds the radius) are dropped. On periodic axes the stencil wraps,
 * and each wrap is a distinct periodic image.
 *
 * Half lists walk only the "upper" half of the stencil (offsets lexicographically > 0, plus later
 * atoms of the same bin), so each unordered pair is met exactly once. Rows are produced bin by
 * bin, so consecutive centres are close in space. A half list can also be built in parts
 * (`ListPart`): runs of rows in bin order, for workers that share one system's memory.
 */
import type { Box } from './box.js';
import type { NeighborList, NeighborListKind } from './neighbor-list.js';
import { CellSearch, SORTED_PAD, type SearchViews } from './cell-search/search.js';

/** Options of a neighbor search. */
export interface CellListOptions {
  /** List radius, Å (interaction cutoff + skin). */
  radius_A: number;
  kind: NeighborListKind;
  /**
   * Interaction cutoff, Å (≤ radius; default: the radius). Within each row, pairs closer than this
   * at build time are put before the others (in each of the image-0 and imaged segments), so a
   * kernel's `r² < r_c²` test is taken in long runs instead of at random: in a liquid this saves
   * about a quarter of a Lennard-Jones force evaluation in branch mispredictions.
   */
  cutoff_A?: number;
  /** Bins per radius along each axis (default 1, the fastest for dense liquids; see BINS_PER_RADIUS). */
  binsPerRadius?: number;
}

/** Reusable neighbor search: keeps its scratch arrays between builds, so rebuilding allocates little. */
export interface CellList {
  readonly radius_A: number;
  readonly kind: NeighborListKind;
  /** Rows [start, end) that the last build's part holds (all rows without a part). */
  readonly partRows: readonly [number, number];
  /**
   * Lists every pair closer than `radius_A` for these positions. The returned list shares buffers
   * with this builder and stays valid until the next `build`. Positions are not modified; atoms
   * outside the cell on periodic axes are fine (their wrap is folded into the shifts).
   *
   * @example
   * const search = createCellList({ radius_A: 9.5, kind: 'half' });
   * const list = search.build(system.positions, system.box);
   */
  build(positions: Float64Array, box: Box, part?: ListPart): NeighborList;
}

/**
 * One of `count` parts of a half list (shared-memory parallel pair potentials): the rows (atoms in
 * bin order, so a part is a compact region of space) are cut into `count` runs of N / count atoms
 * (rounded), and only part `index`'s rows get pairs; every other row is empty. Each pair of the
 * whole list lies in exactly one part, so `count` workers that each list and evaluate one part
 * together evaluate every pair once, and the cut depends only on the positions, never on thread
 * timing.
 */
export interface ListPart {
  readonly index: number;
  readonly count: number;
}

/**
 * Bins per list radius along each axis. LAMMPS uses bins of half the neighbor cutoff; here that
 * halves the candidates but, at ~3 atoms per bin, the per-bin bookkeeping costs more than it
 * saves: the melt benchmark's build took 56 ms with 1, 72 ms with 2 and 160 ms with 3 in the
 * JavaScript search, and 83, 104 and 224–269 ms (medians on a noisier day) in the WebAssembly one,
 * whose finer grids pay mostly for the per-bin stencil set-up in JavaScript (stencilOf).
 * Finer values stay supported (the stencil and its pruning are general).
 */
const BINS_PER_RADIUS = 1;
/** Cap on bins per atom, so a sparse gas or an open cluster does not allocate a huge empty grid. */
const MAX_BINS_PER_ATOM = 2;
const MAX_IMAGES = 65536;

/** Per-build working arrays, grown on demand and kept between builds; the search's own arrays live in its WebAssembly memory. */
class Scratch {
  n = -1;
  wrap = new Int32Array(0); // (N,3) integer wrap of each atom on periodic axes
  frac = new Float64Array(0); // (N,3) wrapped fractional coordinates
  binOf = new Int32Array(0); // (N,) bin of each atom
  order = new Int32Array(0); // (N,) atom in each slot (bin order) = the list's rowAtoms
  binStart = new Int32Array(0);
  /** The pair search (cell-search/): its memory holds the sorted positions, the stencil and the pairs. */
  readonly search = new CellSearch();
  /** Rows of the last build's part. */
  partRows: [number, number] = [0, 0];

  resizeAtoms(n: number): void {
    if (n === this.n) return;
    this.n = n;
    this.wrap = new Int32Array(3 * n);
    this.frac = new Float64Array(3 * n);
    this.binOf = new Int32Array(n);
    this.order = new Int32Array(n);
  }
}

/** A neighbor search for pairs within `radius_A`. */
export function createCellList(options: CellListOptions): CellList {
  const radius = options.radius_A;
  const kind = options.kind;
  if (!(radius > 0) || !Number.isFinite(radius)) throw new Error(`createCellList: radius_A must be a positive finite number, got ${radius}`);
  if (kind !== 'half' && kind !== 'full') throw new Error(`createCellList: kind must be 'half' or 'full', got ${String(kind)}`);
  const inner = options.cutoff_A ?? radius;
  if (!(inner > 0) || !(inner <= radius)) throw new Error(`createCellList: cutoff_A must be in (0, radius_A = ${radius}], got ${inner}`);
  const binsPerRadius = options.binsPerRadius ?? BINS_PER_RADIUS;
  if (!(binsPerRadius >= 1) || !Number.isInteger(binsPerRadius)) throw new Error(`createCellList: binsPerRadius must be a positive integer, got ${binsPerRadius}`);
  const scratch = new Scratch();
  return {
    radius_A: radius, kind,
    get partRows() { return scratch.partRows; },
    build: (positions, box, part) => {
      if (part !== undefined) {
        if (kind !== 'half') throw new Error('CellList.build: a part is only defined for half lists (a full list holds every pair twice)');
        if (!(Number.isInteger(part.count) && part.count >= 1 && Number.isInteger(part.index) && part.index >= 0 && part.index < part.count)) {
          throw new Error(`CellList.build: part must be { index, count } with 0 ≤ index < count, got ${JSON.stringify(part)}`);
        }
      }
      return buildList(positions, box, radius, inner, binsPerRadius, kind, scratch, part ?? { index: 0, count: 1 });
    },
  };
}

function buildList(positions: Float64Array, box: Box, radius: number, inner: number, binsPerRadius: number, kind: NeighborListKind, sc: Scratch, part: ListPart): NeighborList {
  const n = positions.length / 3;
  if (!Number.isInteger(n)) throw new Error(`CellList.build: positions has ${positions.length} entries, not a multiple of 3`);
  sc.resizeAtoms(n);
  const pbc = box.pbc;
  // The binning frame: the cell when it spans space, else Cartesian axes (open cluster).
  const frame = box.volume > 0 ? box.cell : Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const frameInv = box.volume > 0 ? box.inverse : frame;
  const widths = box.volume > 0 ? box.perpendicularWidths() : [1, 1, 1];

  // Fractional coordinates, wrapped on periodic axes; extents on open axes.
  const { wrap, frac } = sc;
  const lo = [0, 0, 0], hi = [0, 0, 0], wMin = [0, 0, 0], wMax = [0, 0, 0];
  for (let k = 0; k < 3; k++) if (!pbc[k]) { lo[k] = Infinity; hi[k] = -Infinity; }
  for (let i0 = 0; i0 < n; i0 += SLICE) fractional(positions, i0, Math.min(n, i0 + SLICE), frameInv, pbc, frac, wrap, lo, hi, wMin, wMax);
  const extent = [1, 1, 1];
  for (let k = 0; k < 3; k++) {
    if (pbc[k]) continue;
    if (n === 0) lo[k] = 0;
    else extent[k] = Math.max(hi[k] - lo[k], 1e-300);
  }

  // Bins per axis: at least radius / BINS_PER_RADIUS wide, fewer when the grid would be mostly empty.
  const nb = [1, 1, 1];
  let binWidth = radius / binsPerRadius;
  for (;;) {
    for (let k = 0; k < 3; k++) nb[k] = Math.max(1, Math.floor((extent[k] * widths[k]) / binWidth));
    if (nb[0] * nb[1] * nb[2] <= Math.max(27, MAX_BINS_PER_ATOM * n)) break;
    binWidth *= 1.26;
  }
  const perp = [0, 0, 0], reach = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    perp[k] = (extent[k] * widths[k]) / nb[k];
    reach[k] = Math.max(1, Math.ceil(radius / perp[k] - 1e-9));
    if (!pbc[k]) reach[k] = Math.min(reach[k], nb[k] - 1);
  }
  const nBins = nb[0] * nb[1] * nb[2];

  // Counting sort of atoms into bins (the largest bin sizes the search's holding areas).
  if (sc.binStart.length < nBins + 1) sc.binStart = new Int32Array(nBins + 1);
  const { binOf, order, binStart } = sc;
  binStart.fill(0, 0, nBins + 1);
  for (let i0 = 0; i0 < n; i0 += SLICE) assignBins(frac, i0, Math.min(n, i0 + SLICE), lo, extent, nb, binOf, binStart);
  let largestBin = 0;
  for (let b = 0; b < nBins; b++) {
    if (binStart[b + 1] > largestBin) largestBin = binStart[b + 1];
    binStart[b + 1] += binStart[b];
  }
  for (let i = 0; i < n; i++) order[binStart[binOf[i]]++] = i;
  for (let b = nBins; b > 0; b--) binStart[b] = binStart[b - 1];
  binStart[0] = 0;

  const stencil = makeStencil(reach, perp, radius, kind === 'half', isOrthogonal(frame));
  const nStencil = stencil.length / 3 + 1;
  // Each offset as a bin-index difference, for bins whose whole stencil lies inside the grid.
  const deltas = new Int32Array(stencil.length / 3);
  for (let e = 0; e < deltas.length; e++) deltas[e] = (stencil[3 * e] * nb[1] + stencil[3 * e + 1]) * nb[2] + stencil[3 * e + 2];

  // The search's memory: first build sizes the pairs from the density, so they rarely have to grow.
  const search = sc.search;
  const perAtom = box.volume > 0 ? ((n / box.volume) * 4 * Math.PI * radius ** 3) / 3 : 16;
  search.begin(n, nBins, nStencil, nStencil * largestBin + SEARCH_SPARE, search.pairCap > 0 ? 0 : Math.ceil((n / part.count) * perAtom * (kind === 'half' ? 0.5 : 1) * 1.1) + 1024);
  let v = search.views;
  v.order.set(order.subarray(0, n));
  v.binStart.set(binStart.subarray(0, nBins + 1));
  for (let s0 = 0; s0 < n; s0 += SLICE) sortPositions(positions, s0, Math.min(n, s0 + SLICE), order, wrap, frame, v.sorted, v.sortedWrap, n + SORTED_PAD);

  // Image table: a pair's shift t = image of the stencil bin + w_i − w_j, each component within ±R_k.
  const R = [0, 0, 0];
  for (let k = 0; k < 3; k++) if (pbc[k]) R[k] = Math.ceil(reach[k] / nb[k]) + (wMax[k] - wMin[k]);
  const nImages = (2 * R[0] + 1) * (2 * R[1] + 1) * (2 * R[2] + 1);
  if (nImages > MAX_IMAGES) {
    throw new Error(
      `CellList.build: atoms lie up to ${Math.max(wMax[0] - wMin[0], wMax[1] - wMin[1], wMax[2] - wMin[2])} cells apart across ` +
        `the periodic boundaries (${nImages} distinct shifts, at most ${MAX_IMAGES}); wrap the positions into the cell (Box.wrap) first`,
    );
  }
  const imageShifts = new Float64Array(3 * nImages);
  const imageCells = new Int32Array(3 * nImages);
  for (let a = -R[0]; a <= R[0]; a++) {
    for (let b = -R[1]; b <= R[1]; b++) {
      for (let c = -R[2]; c <= R[2]; c++) {
        const id = imageId(a, b, c, R[0], R[1], R[2]);
        imageCells[3 * id] = a;
        imageCells[3 * id + 1] = b;
        imageCells[3 * id + 2] = c;
        imageShifts[3 * id] = a * frame[0] + b * frame[3] + c * frame[6];
        imageShifts[3 * id + 1] = a * frame[1] + b * frame[4] + c * frame[7];
        imageShifts[3 * id + 2] = a * frame[2] + b * frame[5] + c * frame[8];
      }
    }
  }

  // This part's rows (slots) [slotLo, slotHi): an even share of the atoms, in bin order.
  const slotLo = Math.floor((part.index * n) / part.count), slotHi = Math.floor(((part.index + 1) * n) / part.count);
  sc.partRows = [slotLo, slotHi];
  // When no atom lies outside the cell (the run loop wraps at every rebuild), a pair's image is
  // that of its stencil entry; otherwise (−1) the search works it out per pair from the atoms' wraps.
  const wrapped = wMin[0] === 0 && wMax[0] === 0 && wMin[1] === 0 && wMax[1] === 0 && wMin[2] === 0 && wMax[2] === 0;
  const r2 = radius * radius, inner2 = inner * inner, half = kind === 'half';
  let nPairs = 0;
  for (let bin = 0; bin < nBins; bin++) {
    const a0 = binStart[bin], a1 = binStart[bin + 1];
    if (a0 === a1) continue;
    if (a1 <= slotLo || a0 >= slotHi) {
      // Another part's rows: empty here.
      for (let a = a0; a < a1; a++) { v.offsets[a] = nPairs; v.firstImaged[a] = nPairs; }
      continue;
    }
    const m = stencilOf(bin, nb, pbc, stencil, reach, deltas, frame, R, wrapped, v);
    let candidates = 0;
    for (let e = 0; e < m; e++) candidates += binStart[v.nbBin[e] + 1] - binStart[v.nbBin[e]];
    // Room for every candidate of every atom of this bin: the search makes no capacity checks.
    const room = nPairs + (a1 - a0) * candidates + SEARCH_SPARE;
    if (search.views.neighbors.length < room) {
      search.ensurePairs(room, nPairs);
      v = search.views;
    }
    nPairs = search.searchBin(m, a0, a1, slotLo, slotHi, nPairs, r2, inner2, half, R);
  }
  v.offsets[n] = nPairs;

  return {
    kind,
    n,
    radius_A: radius,
    nPairs,
    rowAtoms: sc.order,
    offsets: v.offsets,
    firstImaged: v.firstImaged,
    neighbors: v.neighbors.subarray(0, nPairs),
    images: v.images.subarray(0, nPairs),
    imageShifts,
    imageCells,
  };
}

/**
 * Writes bin `bin`'s stencil into the search's tables: entry 0 the bin itself, then each stencil
 * offset's bin (wrapped on periodic axes, dropped past an open face) with its integer image,
 * Cartesian shift and image id (−1 when positions are not wrapped: then per pair). Returns the
 * number of entries.
 */
function stencilOf(
  bin: number, nb: number[], pbc: readonly boolean[], stencil: Int32Array, reach: number[], deltas: Int32Array, frame: Float64Array, R: number[], wrapped: boolean, v: SearchViews,
): number {
  const { nbBin, nbImg, nbShift, nbId } = v;
  const nbx = nb[0], nby = nb[1], nbz = nb[2];
  const bz = bin % nbz, by = ((bin - bz) / nbz) % nby, bx = (bin - bz - by * nbz) / (nby * nbz);
  nbBin[0] = bin;
  nbImg[0] = 0; nbImg[1] = 0; nbImg[2] = 0;
  nbShift[0] = 0; nbShift[1] = 0; nbShift[2] = 0;
  nbId[0] = wrapped ? 0 : -1;
  if (bx >= reach[0] && bx + reach[0] < nbx && by >= reach[1] && by + reach[1] < nby && bz >= reach[2] && bz + reach[2] < nbz) {
    // Inside the grid: no wrap, no dropped offset, image 0 (what the general loop below gives).
    const id = wrapped ? 0 : -1;
    for (let e = 0; e < deltas.length; e++) {
      const m = e + 1;
      nbBin[m] = bin + deltas[e];
      nbImg[3 * m] = 0; nbImg[3 * m + 1] = 0; nbImg[3 * m + 2] = 0;
      nbShift[3 * m] = 0; nbShift[3 * m + 1] = 0; nbShift[3 * m + 2] = 0;
      nbId[m] = id;
    }
    return deltas.length + 1;
  }
  let m = 1;
  for (let e = 0; e < stencil.length / 3; e++) {
    let cx = bx + stencil[3 * e], cy = by + stencil[3 * e + 1], cz = bz + stencil[3 * e + 2];
    let ix = 0, iy = 0, iz = 0;
    if (cx < 0 || cx >= nbx) { if (!pbc[0]) continue; ix = Math.floor(cx / nbx); cx -= ix * nbx; }
    if (cy < 0 || cy >= nby) { if (!pbc[1]) continue; iy = Math.floor(cy / nby); cy -= iy * nby; }
    if (cz < 0 || cz >= nbz) { if (!pbc[2]) continue; iz = Math.floor(cz / nbz); cz -= iz * nbz; }
    nbBin[m] = (cx * nby + cy) * nbz + cz;
    nbImg[3 * m] = ix; nbImg[3 * m + 1] = iy; nbImg[3 * m + 2] = iz;
    nbShift[3 * m] = ix * frame[0] + iy * frame[3] + iz * frame[6];
    nbShift[3 * m + 1] = ix * frame[1] + iy * frame[4] + iz * frame[7];
    nbShift[3 * m + 2] = ix * frame[2] + iy * frame[5] + iz * frame[8];
    nbId[m] = wrapped ? imageId(ix, iy, iz, R[0], R[1], R[2]) : -1;
    m++;
  }
  return m;
}

/**
 * Entries past the most a bin's search can list, in its holding areas and in the pairs: the
 * search tests candidates two at a time and, when the first of two is listed, writes the second
 * too (without counting it), which may be one past the entry's last slot (cell-search/wat.ts).
 */
const SEARCH_SPARE = 2;

/** Atoms per call of the per-atom passes: the engine then optimizes each pass early in a build, not by on-stack replacement late in it. */
const SLICE = 4096;

/**
 * Fractional coordinates of atoms [i0, i1) in `frac`, wrapped into [0, 1) on periodic axes (the
 * wrap in `wrap`); widens [wMin, wMax] (periodic) and [lo, hi] (open axes).
 */
function fractional(
  positions: Float64Array, i0: number, i1: number, frameInv: Float64Array, pbc: readonly boolean[],
  frac: Float64Array, wrap: Int32Array, lo: number[], hi: number[], wMin: number[], wMax: number[],
): void {
  for (let i = i0; i < i1; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    if (!Number.isFinite(x + y + z)) throw new Error(`CellList.build: atom ${i} has a non-finite position (${x}, ${y}, ${z})`);
    for (let k = 0; k < 3; k++) {
      let f = x * frameInv[k] + y * frameInv[3 + k] + z * frameInv[6 + k];
      let w = 0;
      if (pbc[k]) {
        w = Math.floor(f);
        f -= w;
        if (f >= 1) { f = 0; w += 1; } // rounding can leave f == 1 for a tiny negative input
        if (w < wMin[k]) wMin[k] = w;
        if (w > wMax[k]) wMax[k] = w;
      } else {
        if (f < lo[k]) lo[k] = f;
        if (f > hi[k]) hi[k] = f;
      }
      frac[3 * i + k] = f;
      wrap[3 * i + k] = w;
    }
  }
}

/** Bin of atoms [i0, i1) in `binOf`, counted in binStart[bin + 1]. */
function assignBins(frac: Float64Array, i0: number, i1: number, lo: number[], extent: number[], nb: number[], binOf: Int32Array, binStart: Int32Array): void {
  for (let i = i0; i < i1; i++) {
    let b = 0;
    for (let k = 0; k < 3; k++) {
      let c = Math.floor(((frac[3 * i + k] - lo[k]) / extent[k]) * nb[k]);
      if (c >= nb[k]) c = nb[k] - 1;
      if (c < 0) c = 0;
      b = b * nb[k] + c;
    }
    binOf[i] = b;
    binStart[b + 1]++;
  }
}

/** Wrapped Cartesian positions (columns x, y, z of `stride` entries in `sorted`) and wraps of slots [s0, s1), in slot (bin) order. */
function sortPositions(
  positions: Float64Array, s0: number, s1: number, order: Int32Array, wrap: Int32Array, frame: Float64Array, sorted: Float64Array, sortedWrap: Int32Array, stride: number,
): void {
  for (let s = s0; s < s1; s++) {
    const i = order[s];
    const wa = wrap[3 * i], wb = wrap[3 * i + 1], wc = wrap[3 * i + 2];
    sorted[s] = positions[3 * i] - (wa * frame[0] + wb * frame[3] + wc * frame[6]);
    sorted[stride + s] = positions[3 * i + 1] - (wa * frame[1] + wb * frame[4] + wc * frame[7]);
    sorted[2 * stride + s] = positions[3 * i + 2] - (wa * frame[2] + wb * frame[5] + wc * frame[8]);
    sortedWrap[3 * s] = wa;
    sortedWrap[3 * s + 1] = wb;
    sortedWrap[3 * s + 2] = wc;
  }
}

/**
 * Stencil offsets (dx, dy, dz), |d_k| ≤ reach_k, excluding (0,0,0) (the same bin is searched
 * separately) and, for half lists, offsets lexicographically < 0. Offsets whose bins are surely
 * farther apart than the radius are dropped: the gap along axis k is (|d_k| − 1) × perpendicular
 * bin width; for orthogonal axes the gaps add in quadrature, otherwise only the largest is a safe bound.
 */
function makeStencil(reach: number[], perp: number[], radius: number, half: boolean, orthogonal: boolean): Int32Array {
  const out: number[] = [];
  for (let dx = -reach[0]; dx <= reach[0]; dx++) {
    for (let dy = -reach[1]; dy <= reach[1]; dy++) {
      for (let dz = -reach[2]; dz <= reach[2]; dz++) {
        if (dx === 0 && dy === 0 && dz === 0) continue;
        if (half && (dx < 0 || (dx === 0 && (dy < 0 || (dy === 0 && dz < 0))))) continue;
        const gx = Math.max(0, Math.abs(dx) - 1) * perp[0], gy = Math.max(0, Math.abs(dy) - 1) * perp[1], gz = Math.max(0, Math.abs(dz) - 1) * perp[2];
        const gap = orthogonal ? Math.sqrt(gx * gx + gy * gy + gz * gz) : Math.max(gx, gy, gz);
        if (gap >= radius * (1 + 1e-12)) continue;
        out.push(dx, dy, dz);
      }
    }
  }
  return Int32Array.from(out);
}

/** Index of the integer shift (a, b, c), |a| ≤ Ra etc., in the image table; (0, 0, 0) ↦ 0. */
function imageId(a: number, b: number, c: number, Ra: number, Rb: number, Rc: number): number {
  const Lb = 2 * Rb + 1, Lc = 2 * Rc + 1;
  const size = (2 * Ra + 1) * Lb * Lc;
  const zero = (Ra * Lb + Rb) * Lc + Rc;
  const id = ((a + Ra) * Lb + (b + Rb)) * Lc + (c + Rc) - zero;
  return id < 0 ? id + size : id;
}

/** True when the rows of `m` are mutually orthogonal (then bin gaps add in quadrature). */
function isOrthogonal(m: Float64Array): boolean {
  const dot = (a: number, b: number): number => m[3 * a] * m[3 * b] + m[3 * a + 1] * m[3 * b + 1] + m[3 * a + 2] * m[3 * b + 2];
  const tol = 1e-12 * Math.max(dot(0, 0), dot(1, 1), dot(2, 2));
  return Math.abs(dot(0, 1)) <= tol && Math.abs(dot(0, 2)) <= tol && Math.abs(dot(1, 2)) <= tol;
}
