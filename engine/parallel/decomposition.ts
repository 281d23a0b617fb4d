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

/** The frame atoms are binned in: the cell when it spans space, else Cartesian axes (open cluster). */
function frameOf(box: Box): { inverse: Float64Array; widths: number[] } {
  if (box.volume > 0) return { inverse: box.inverse, widths: box.perpendicularWidths() };
  return { inverse: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), widths: [1, 1, 1] };
}

/**
 * Splits atoms at `positions` [N,3] in `box` into domains with ghost shells.
 *
 * @example
 * const { domains } = decompose(system.positions, system.box, { domains: 2, ghostWidth_A: 9.5 });
 * domains[0].owned + domains[1].owned === system.n; // every atom owned exactly once
 */
export function decompose(positions: Float64Array, box: Box, options: DecomposeOptions): Decomposition {
  const n = positions.length / 3;
  const D = options.domains;
  const width = options.ghostWidth_A;
  if (!Number.isInteger(n)) throw new Error(`decompose: positions has ${positions.length} entries, not a multiple of 3`);
  if (!Number.isInteger(D) || D < 1) throw new Error(`decompose: domains must be a positive integer, got ${D}`);
  if (!(width >= 0) || !Number.isFinite(width)) throw new Error(`decompose: ghostWidth_A must be ≥ 0 and finite, got ${width}`);
  const { inverse, widths } = frameOf(box);
  const pbc = box.volume > 0 ? box.pbc : ([false, false, false] as const);

  // Wrapped fractional coordinates u and the whole cells w taken off: u = x·H⁻¹ − w.
  const u = new Float64Array(3 * n);
  const w = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    if (!Number.isFinite(x + y + z)) throw new Error(`decompose: atom ${i} has a non-finite position (${x}, ${y}, ${z})`);
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

  const owner = new Int32Array(n);
  const leaves: Leaf[] = [];
  const all = Int32Array.from({ length: n }, (_, i) => i);
  bisect(all, D, [false, false, false], u, widths, leaves);
  leaves.forEach((leaf, d) => { for (const i of leaf.atoms) owner[i] = d; });

  const alloc = (len: number): Int32Array => (options.shared ? new Int32Array(new SharedArrayBuffer(4 * len)) : new Int32Array(len));
  const orthogonal = box.volume > 0 ? isOrthogonal(box.cell) : true;
  const domains = leaves.map((leaf, d) => ghostShell(leaf, d, n, u, w, owner, pbc, widths, width, orthogonal, alloc));
  return { domains, owner };
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
 * One bisection step: sorts `atoms` along the axis of longest extent (coordinate × width, Å; ties
 * by index) and cuts them where ⌊parts/2⌋ of `parts` equal shares end.
 */
function splitAtMedian(atoms: Int32Array, parts: number, coords: Float64Array, widths: readonly number[]): { axis: number; left: Int32Array; right: Int32Array } {
  let axis = 0, longest = -1;
  for (let k = 0; k < 3; k++) {
    let lo = Infinity, hi = -Infinity;
    for (const i of atoms) { const f = coords[3 * i + k]; if (f < lo) lo = f; if (f > hi) hi = f; }
    const extent = atoms.length > 0 ? (hi - lo) * widths[k] : 0;
    if (extent > longest) { longest = extent; axis = k; }
  }
  const leftCount = Math.round((atoms.length * Math.floor(parts / 2)) / parts);
  const sorted = Array.from(atoms).sort((a, b) => coords[3 * a + axis] - coords[3 * b + axis] || a - b);
  return { axis, left: Int32Array.from(sorted.slice(0, leftCount)), right: Int32Array.from(sorted.slice(leftCount)) };
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
 * The owned atoms of `leaf` and every atom image within `width` Å of them along cut axes (a
 * bounding-box test in fractional coordinates, Euclidean across orthogonal axes): owned first,
 * then ghosts by atom index and image.
 */
function ghostShell(
  leaf: Leaf, d: number, n: number, u: Float64Array, w: Int32Array, owner: Int32Array, pbc: readonly boolean[], widths: number[],
  width: number, orthogonal: boolean, alloc: (len: number) => Int32Array,
): Domain {
  const owned = leaf.atoms;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (const i of owned) for (let k = 0; k < 3; k++) { const f = u[3 * i + k]; if (f < lo[k]) lo[k] = f; if (f > hi[k]) hi[k] = f; }
  // A domain is its own periodic box along the periodic axes no cut crossed: no ghosts there.
  const domainPbc: [boolean, boolean, boolean] = [pbc[0] && !leaf.cut[0], pbc[1] && !leaf.cut[1], pbc[2] && !leaf.cut[2]];
  const isShelled = [0, 1, 2].map((k) => leaf.cut[k] || !pbc[k]);
  const shelled = [0, 1, 2].filter((k) => isShelled[k]);
  const margin = [0, 1, 2].map((k) => width / widths[k]);
  const ghosts: number[] = [];
  if (owned.length > 0) {
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
              const m = [a, b, c];
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
  const m = owned.length + ghosts.length / 4;
  const atoms = alloc(m), cells = alloc(3 * m);
  for (let k = 0; k < owned.length; k++) {
    const i = owned[k];
    atoms[k] = i;
    for (let x = 0; x < 3; x++) cells[3 * k + x] = -w[3 * i + x];
  }
  for (let g = 0; g < ghosts.length / 4; g++) {
    const k = owned.length + g, i = ghosts[4 * g];
    atoms[k] = i;
    for (let x = 0; x < 3; x++) cells[3 * k + x] = ghosts[4 * g + 1 + x] - w[3 * i + x];
  }
  return { atoms, cells, owned: owned.length, pbc: domainPbc };
}

/** True when the rows of `m` are mutually orthogonal (gaps along the axes then add in quadrature). */
function isOrthogonal(m: Float64Array): boolean {
  const dot = (a: number, b: number): number => m[3 * a] * m[3 * b] + m[3 * a + 1] * m[3 * b + 1] + m[3 * a + 2] * m[3 * b + 2];
  const tol = 1e-12 * Math.max(dot(0, 0), dot(1, 1), dot(2, 2));
  return Math.abs(dot(0, 1)) <= tol && Math.abs(dot(0, 2)) <= tol && Math.abs(dot(1, 2)) <= tol;
}
