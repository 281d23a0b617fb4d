/**
 * Spatial domain decomposition (DESIGN.md §7): the atoms are cut into domains of equal atom
 * count by recursive coordinate bisection (RCB: split the longest extent at the median, then each
 * half again), so a droplet in vacuum or a slab balances as well as a bulk liquid. Each domain
 * owns its atoms and carries a shell of ghost atoms — copies, periodic images included, of every
 * atom within `ghostWidth_A` of its owned atoms — so that it can be evaluated on its own.
 *
 * Coordinates are fractional in the cell (Cartesian for an open cluster), wrapped on periodic
 * axes. Along a periodic axis that no cut crosses, a domain spans the whole cell: it needs no
 * ghosts there and stays periodic along it (its own box keeps that axis periodic), which keeps the
 * shell to the cut faces. Boxes thinner than the shell work: a domain then holds several images
 * of the same atom, its own atoms' included.
 *
 * Everything is a function of the positions and box given, with ties broken by atom index, so the
 * same positions always give the same domains in the same order (bit-exact restarts).
 */
import type { Box } from '../index.js';

/** Options of {@link decompose}. */
export interface DecomposeOptions {
  /** Number of domains D ≥ 1 (domains may be empty when D exceeds the atom count). */
  domains: number;
  /** Ghost shell width, Å: every atom or image within this distance of an owned atom is a ghost. ≥ 0. */
  ghostWidth_A: number;
  /** Allocate the arrays on SharedArrayBuffers (for worker threads). Default false. */
  shared?: boolean;
}

/**
 * One domain. Local atom k is global atom `atoms[k]` displaced by `cells[k]` lattice vectors:
 * x_local[k] = x[atoms[k]] + cells[k] · cell, for the positions the decomposition was made from
 * and, since atoms move continuously between rebuilds, for any later positions too.
 */
export interface Domain {
  /** (M,) global index of each local atom; the owned atoms come first, in increasing index. */
  readonly atoms: Int32Array;
  /** (M, 3) integer lattice cells of each local atom (along a, b, c). */
  readonly cells: Int32Array;
  /** Owned atoms: local atoms [0, owned). The rest are ghosts. */
  readonly owned: number;
  /** Periodicity of the domain's own box: periodic axes that no cut crosses. */
  readonly pbc: readonly [boolean, boolean, boolean];
}

/** A decomposition of N atoms into D domains. */
export interface Decomposition {
  readonly domains: readonly Domain[];
  /** (N,) domain owning each atom. */
  readonly owner: Int32Array;
}

/** Which domain owns each atom, and which axes the cuts of each domain crossed (RCB, before any ghost). */
export interface Partition {
  /** (N,) domain owning each atom. */
  readonly owner: Int32Array;
  /** Per domain: the axes some cut crossed on the way to it (periodic axes left uncut need no ghosts). */
  readonly cut: readonly (readonly [boolean, boolean, boolean])[];
}

/** Positions in the binning frame: the cell when it spans space, else Cartesian axes (open cluster). */
interface Wrapped {
  /** (N, 3) fractional coordinates, wrapped into [0, 1) on periodic axes. */
  u: Float64Array;
  /** (N, 3) whole cells taken off: u = x·H⁻¹ − w. */
  w: Int32Array;
  /** Distance between opposite faces per axis, Å (1 for Cartesian axes). */
  widths: number[];
  pbc: readonly [boolean, boolean, boolean];
  orthogonal: boolean;
}

function wrapInFrame(positions: Float64Array, box: Box, what: string): Wrapped {
  const n = positions.length / 3;
  if (!Number.isInteger(n)) throw new Error(`${what}: positions has ${positions.length} entries, not a multiple of 3`);
  const spans = box.volume > 0;
  const inverse = spans ? box.inverse : Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  const widths = spans ? box.perpendicularWidths() : [1, 1, 1];
  const pbc: [boolean, boolean, boolean] = spans ? [box.pbc[0], box.pbc[1], box.pbc[2]] : [false, false, false];
  const u = new Float64Array(3 * n);
  const w = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    if (!Number.isFinite(x + y + z)) throw new Error(`${what}: atom ${i} has a non-finite position (${x}, ${y}, ${z})`);
    for (let k = 0; k < 3; k++) {
      let f = x * inverse[k] + y * inverse[3 + k] + z * inverse[6 + k];
      if (pbc[k]) {
        let m = Math.floor(f);
        f -= m;
        if (f >= 1) { f = 0; m += 1; } // rounding of a tiny negative coordinate
        w[3 * i + k] = m;
      }
      u[3 * i + k] = f;
    }
  }
  return { u, w, widths, pbc, orthogonal: spans ? isOrthogonal(box.cell) : true };
}

function checkCount(what: string, D: number): void {
  if (!Number.isInteger(D) || D < 1) throw new Error(`${what}: domains must be a positive integer, got ${D}`);
}

function checkWidth(what: string, width: number): void {
  if (!(width >= 0) || !Number.isFinite(width)) throw new Error(`${what}: ghostWidth_A must be ≥ 0 and finite, got ${width}`);
}

function partitionWrapped(wr: Wrapped, D: number, shared: boolean): Partition {
  const n = wr.u.length / 3;
  const owner = shared ? new Int32Array(new SharedArrayBuffer(4 * Math.max(n, 1)), 0, n) : new Int32Array(n);
  const leaves: Leaf[] = [];
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  bisect(all, D, [false, false, false], wr.u, wr.widths, leaves);
  leaves.forEach((leaf, d) => { for (const i of leaf.atoms) owner[i] = d; });
  return { owner, cut: leaves.map((leaf) => leaf.cut) };
}

/**
 * Splits atoms at `positions` [N,3] in `box` into domains with ghost shells.
 *
 * @example
 * const { domains } = decompose(system.positions, system.box, { domains: 2, ghostWidth_A: 9.5 });
 * domains[0].owned + domains[1].owned === system.n; // every atom owned exactly once
 */
export function decompose(positions: Float64Array, box: Box, options: DecomposeOptions): Decomposition {
  checkCount('decompose', options.domains);
  checkWidth('decompose', options.ghostWidth_A);
  const shared = options.shared ?? false;
  const wr = wrapInFrame(positions, box, 'decompose');
  const p = partitionWrapped(wr, options.domains, shared);
  return { domains: p.cut.map((cut, d) => shellOf(wr, p.owner, d, cut, options.ghostWidth_A, shared)), owner: p.owner };
}

/**
 * The recursive coordinate bisection alone: who owns which atom (O(N) per level). Each domain's
 * shell then comes from {@link domainOf}, which worker threads run for their own domains.
 * @example const p = partition(system.positions, system.box, 2, { shared: true });
 */
export function partition(positions: Float64Array, box: Box, domains: number, options: { shared?: boolean } = {}): Partition {
  checkCount('partition', domains);
  return partitionWrapped(wrapInFrame(positions, box, 'partition'), domains, options.shared ?? false);
}

/**
 * Domain `d` of a partition with its ghost shell of `ghostWidth_A`, for the positions and box the
 * partition was made from: `decompose` is `partition` and then `domainOf` for every domain.
 * @example const mine = domainOf(reference, box, p, slot, 9.5);
 */
export function domainOf(positions: Float64Array, box: Box, p: Partition, d: number, ghostWidth_A: number, options: { shared?: boolean } = {}): Domain {
  checkWidth('domainOf', ghostWidth_A);
  if (!(Number.isInteger(d) && d >= 0 && d < p.cut.length)) throw new Error(`domainOf: no domain ${d} (partition of ${p.cut.length})`);
  const wr = wrapInFrame(positions, box, 'domainOf');
  if (p.owner.length !== wr.u.length / 3) throw new Error(`domainOf: the partition has ${p.owner.length} atoms, the positions ${wr.u.length / 3}`);
  return shellOf(wr, p.owner, d, p.cut[d], ghostWidth_A, options.shared ?? false);
}

interface Leaf {
  /** Owned atoms, increasing index. */
  atoms: Int32Array;
  /** Axes some cut crossed on the way to this leaf. */
  cut: [boolean, boolean, boolean];
}

/** Recursive coordinate bisection of `atoms` into `parts` leaves, appended to `out` in order. */
function bisect(atoms: Int32Array, parts: number, cut: [boolean, boolean, boolean], u: Float64Array, widths: readonly number[], out: Leaf[]): void {
  if (parts === 1) {
    out.push({ atoms: atoms.slice().sort(), cut });
    return;
  }
  const { axis, left, right } = splitAtMedian(atoms, parts, u, widths);
  const childCut: [boolean, boolean, boolean] = [cut[0], cut[1], cut[2]];
  childCut[axis] = true;
  const leftParts = Math.floor(parts / 2);
  bisect(left, leftParts, childCut, u, widths, out);
  bisect(right, parts - leftParts, [...childCut], u, widths, out);
}

/**
 * One bisection step: picks the axis of longest extent (coordinate × width, Å) and cuts `atoms`
 * where ⌊parts/2⌋ of `parts` equal shares end, by coordinate (ties by index).
 */
function splitAtMedian(atoms: Int32Array, parts: number, coords: Float64Array, widths: readonly number[]): { axis: number; left: Int32Array; right: Int32Array } {
  let axis = 0, longest = -1;
  for (let k = 0; k < 3; k++) {
    let lo = Infinity, hi = -Infinity;
    for (let q = 0; q < atoms.length; q++) { const f = coords[3 * atoms[q] + k]; if (f < lo) lo = f; if (f > hi) hi = f; }
    const extent = atoms.length > 0 ? (hi - lo) * widths[k] : 0;
    if (extent > longest) { longest = extent; axis = k; }
  }
  const leftCount = Math.round((atoms.length * Math.floor(parts / 2)) / parts);
  const idx = atoms.slice();
  const key = new Float64Array(idx.length);
  for (let q = 0; q < idx.length; q++) key[q] = coords[3 * idx[q] + axis];
  if (leftCount > 0 && leftCount < idx.length) select(key, idx, leftCount);
  return { axis, left: idx.slice(0, leftCount), right: idx.slice(leftCount) };
}

/**
 * Rearranges (key, idx) pairs so that the first `k` are the k smallest in (key, idx) order
 * (Hoare's quickselect, median-of-three pivots: deterministic, O(n) on average).
 */
function select(key: Float64Array, idx: Int32Array, k: number): void {
  const less = (a: number, b: number): boolean => key[a] < key[b] || (key[a] === key[b] && idx[a] < idx[b]);
  const swap = (a: number, b: number): void => {
    const t = key[a]; key[a] = key[b]; key[b] = t;
    const u = idx[a]; idx[a] = idx[b]; idx[b] = u;
  };
  let lo = 0, hi = idx.length - 1;
  const target = k - 1; // the largest of the k smallest ends at position k − 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (less(mid, lo)) swap(mid, lo);
    if (less(hi, lo)) swap(hi, lo);
    if (less(hi, mid)) swap(hi, mid);
    swap(mid, hi); // pivot (the median of three) at hi
    let store = lo;
    for (let q = lo; q < hi; q++) if (less(q, hi)) swap(q, store++);
    swap(store, hi);
    if (store === target) return;
    if (store < target) lo = store + 1;
    else hi = store - 1;
  }
}

/**
 * Recursive coordinate bisection of the points `atoms` (indices into `coords`, [·,3] Cartesian Å)
 * into `parts` groups of equal count (±1), each in increasing index order.
 *
 * @example
 * bisectPoints(localPositions, Int32Array.from([0, 1, 2, 3]), 2); // two spatially compact pairs
 */
export function bisectPoints(coords: Float64Array, atoms: Int32Array, parts: number): Int32Array[] {
  if (!Number.isInteger(parts) || parts < 1) throw new Error(`bisectPoints: parts must be a positive integer, got ${parts}`);
  const out: Leaf[] = [];
  bisect(atoms, parts, [false, false, false], coords, [1, 1, 1], out);
  return out.map((leaf) => leaf.atoms);
}

/**
 * The atoms domain `d` owns and every atom image within `width` Å of them along cut axes (a
 * bounding-box test in fractional coordinates, Euclidean across orthogonal axes): owned first
 * (increasing index), then ghosts by atom index and image.
 */
function shellOf(wr: Wrapped, owner: Int32Array, d: number, cut: readonly boolean[], width: number, shared: boolean): Domain {
  const { u, w, widths, pbc, orthogonal } = wr;
  const n = owner.length;
  let count = 0;
  for (let i = 0; i < n; i++) if (owner[i] === d) count++;
  const owned = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (owner[i] === d) owned[k++] = i;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (const i of owned) for (let k = 0; k < 3; k++) { const f = u[3 * i + k]; if (f < lo[k]) lo[k] = f; if (f > hi[k]) hi[k] = f; }
  // A domain is its own periodic box along the periodic axes no cut crossed: no ghosts there.
  const domainPbc: [boolean, boolean, boolean] = [pbc[0] && !cut[0], pbc[1] && !cut[1], pbc[2] && !cut[2]];
  const isShelled = [0, 1, 2].map((k) => cut[k] || !pbc[k]);
  const shelled = [0, 1, 2].filter((k) => isShelled[k]);
  const margin = [0, 1, 2].map((k) => width / widths[k]);
  const ghosts: number[] = [];
  const m = [0, 0, 0];
  if (count > 0) {
    const range = [0, 0, 0, 0, 0, 0]; // per axis: first and last image
    for (let i = 0; i < n; i++) {
      let empty = false;
      for (let k = 0; k < 3; k++) {
        if (!isShelled[k]) { range[2 * k] = 0; range[2 * k + 1] = 0; continue; }
        const f = u[3 * i + k];
        if (pbc[k]) {
          range[2 * k] = Math.ceil(lo[k] - margin[k] - f);
          range[2 * k + 1] = Math.floor(hi[k] + margin[k] - f);
        } else {
          range[2 * k] = 0;
          range[2 * k + 1] = f >= lo[k] - margin[k] && f <= hi[k] + margin[k] ? 0 : -1;
        }
        if (range[2 * k + 1] < range[2 * k]) { empty = true; break; }
      }
      if (empty) continue;
      for (let a = range[0]; a <= range[1]; a++) {
        for (let b = range[2]; b <= range[3]; b++) {
          for (let c = range[4]; c <= range[5]; c++) {
            if (a === 0 && b === 0 && c === 0 && owner[i] === d) continue;
            if (orthogonal && width > 0) {
              // Distance from the image to the owned atoms' bounding box, Å.
              let d2 = 0;
              m[0] = a; m[1] = b; m[2] = c;
              for (const k of shelled) {
                const f = u[3 * i + k] + m[k];
                const gap = f < lo[k] ? lo[k] - f : f > hi[k] ? f - hi[k] : 0;
                d2 += (gap * widths[k]) ** 2;
              }
              if (d2 > width * width) continue;
            }
            ghosts.push(i, a, b, c);
          }
        }
      }
    }
  }
  const total = count + ghosts.length / 4;
  const alloc = (len: number): Int32Array => (shared ? new Int32Array(new SharedArrayBuffer(4 * Math.max(len, 1)), 0, len) : new Int32Array(len));
  const atoms = alloc(total), cells = alloc(3 * total);
  for (let k = 0; k < count; k++) {
    const i = owned[k];
    atoms[k] = i;
    for (let x = 0; x < 3; x++) cells[3 * k + x] = -w[3 * i + x];
  }
  for (let g = 0; g < ghosts.length / 4; g++) {
    const k = count + g, i = ghosts[4 * g];
    atoms[k] = i;
    for (let x = 0; x < 3; x++) cells[3 * k + x] = ghosts[4 * g + 1 + x] - w[3 * i + x];
  }
  return { atoms, cells, owned: count, pbc: domainPbc };
}

/** True when the rows of `m` are mutually orthogonal (gaps along the axes then add in quadrature). */
function isOrthogonal(m: Float64Array): boolean {
  const dot = (a: number, b: number): number => m[3 * a] * m[3 * b] + m[3 * a + 1] * m[3 * b + 1] + m[3 * a + 2] * m[3 * b + 2];
  const tol = 1e-12 * Math.max(dot(0, 0), dot(1, 1), dot(2, 2));
  return Math.abs(dot(0, 1)) <= tol && Math.abs(dot(0, 2)) <= tol && Math.abs(dot(1, 2)) <= tol;
}
