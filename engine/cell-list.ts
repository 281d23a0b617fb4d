/**
 * O(N) neighbor search with a cell (bin) list, for orthorhombic, triclinic, partly periodic and
 * open boxes, including boxes narrower than twice the radius (several images of one pair, and
 * atoms paired with their own images).
 *
 * Atoms are binned on fractional coordinates of the cell. A bin's perpendicular width is at least
 * the radius, and a displacement Δr changes the fractional coordinate k by at most |Δr| / h_k (h_k
 * the distance between the cell faces normal to axis k), so every partner lies within a stencil of
 * ±m_k bins, m_k = ⌈radius / bin width⌉ — 1 normally, more when the box is thinner than the radius.
 * On periodic axes the stencil wraps, and each wrap is a distinct periodic image.
 *
 * Half lists walk only the "upper" half of the stencil (offsets lexicographically > 0, plus later
 * atoms of the same bin), so each unordered pair is met exactly once and no i < j test is needed.
 */
import type { Box } from './box.js';
import type { NeighborList, NeighborListKind } from './neighbor-list.js';

/** Options of a neighbor search. */
export interface CellListOptions {
  /** List radius, Å (interaction cutoff + skin). */
  radius_A: number;
  kind: NeighborListKind;
}

/** Reusable neighbor search: keeps its scratch arrays between builds, so rebuilding allocates little. */
export interface CellList {
  readonly radius_A: number;
  readonly kind: NeighborListKind;
  /**
   * Lists every pair closer than `radius_A` for these positions. The returned list shares buffers
   * with this builder and stays valid until the next `build`. Positions are not modified; atoms
   * outside the cell on periodic axes are fine (their wrap is folded into the shifts).
   *
   * @example
   * const search = createCellList({ radius_A: 9.5, kind: 'half' });
   * const list = search.build(system.positions, system.box);
   */
  build(positions: Float64Array, box: Box): NeighborList;
}

// Cap on bins per atom, so a sparse open cluster does not allocate a huge empty grid.
const MAX_BINS_PER_ATOM = 4;
const MAX_IMAGES = 65536;

/** A neighbor search for pairs within `radius_A`. */
export function createCellList(options: CellListOptions): CellList {
  const radius = options.radius_A;
  const kind = options.kind;
  if (!(radius > 0) || !Number.isFinite(radius)) throw new Error(`createCellList: radius_A must be a positive finite number, got ${radius}`);
  if (kind !== 'half' && kind !== 'full') throw new Error(`createCellList: kind must be 'half' or 'full', got ${String(kind)}`);
  const half = kind === 'half';
  const r2 = radius * radius;

  // Scratch, grown on demand.
  let nCap = -1;
  let wrapCount = new Int32Array(0); // (N,3) integer wrap of each atom (periodic axes)
  let frac = new Float64Array(0); // (N,3) wrapped fractional coordinates
  let binOf = new Int32Array(0); // (N,) bin of each atom
  let slotOf = new Int32Array(0); // (N,) position of each atom in bin order
  let order = new Int32Array(0); // (N,) atom at each bin-order slot
  let sorted = new Float64Array(0); // (N,3) wrapped Cartesian positions in bin order
  let binStart = new Int32Array(0); // (nBins+1,)
  let offsets = new Int32Array(0);
  let firstImaged = new Int32Array(0);
  let pairCap = 0;
  let neighbors = new Int32Array(0);
  let images = new Uint16Array(0);
  let tmpCap = 256;
  let tmpJ = new Int32Array(tmpCap);
  let tmpImg = new Uint16Array(tmpCap);
  const frame = new Float64Array(9);
  const frameInv = new Float64Array(9);

  function growPairs(need: number): void {
    const cap = Math.max(need, Math.ceil(pairCap * 1.5), 1024);
    const nn = new Int32Array(cap);
    nn.set(neighbors.subarray(0, pairCap));
    const ni = new Uint16Array(cap);
    ni.set(images.subarray(0, pairCap));
    neighbors = nn;
    images = ni;
    pairCap = cap;
  }

  function growTmp(): void {
    const cap = tmpCap * 2;
    const j = new Int32Array(cap);
    j.set(tmpJ);
    const g = new Uint16Array(cap);
    g.set(tmpImg);
    tmpJ = j;
    tmpImg = g;
    tmpCap = cap;
  }

  function build(positions: Float64Array, box: Box): NeighborList {
    const n = positions.length / 3;
    if (!Number.isInteger(n)) throw new Error(`CellList.build: positions has ${positions.length} entries, not a multiple of 3`);
    if (n !== nCap) {
      nCap = n;
      wrapCount = new Int32Array(3 * n);
      frac = new Float64Array(3 * n);
      binOf = new Int32Array(n);
      slotOf = new Int32Array(n);
      order = new Int32Array(n);
      sorted = new Float64Array(3 * n);
      offsets = new Int32Array(n + 1);
      firstImaged = new Int32Array(n);
    }
    const pbc = box.pbc;
    // The binning frame: the cell when it spans space, else Cartesian axes (open cluster).
    if (box.volume > 0) {
      frame.set(box.cell);
      frameInv.set(box.inverse);
    } else {
      frame.fill(0);
      frameInv.fill(0);
      frame[0] = frame[4] = frame[8] = 1;
      frameInv[0] = frameInv[4] = frameInv[8] = 1;
    }
    const widths = frameWidths(frame);

    // Fractional coordinates, wrapped on periodic axes; extents on open axes.
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    const wMin = [0, 0, 0], wMax = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
      if (!Number.isFinite(x + y + z)) throw new Error(`CellList.build: atom ${i} has a non-finite position (${x}, ${y}, ${z})`);
      for (let k = 0; k < 3; k++) {
        let f = x * frameInv[k] + y * frameInv[3 + k] + z * frameInv[6 + k];
        let w = 0;
        if (pbc[k]) {
          w = Math.floor(f);
          f -= w;
          if (f >= 1) f = 0, w += 1; // rounding can leave f == 1 for a tiny negative input
          if (w < wMin[k]) wMin[k] = w;
          if (w > wMax[k]) wMax[k] = w;
        } else {
          if (f < lo[k]) lo[k] = f;
          if (f > hi[k]) hi[k] = f;
        }
        frac[3 * i + k] = f;
        wrapCount[3 * i + k] = w;
      }
    }

    // Bins per axis: as many as fit with width ≥ radius, capped for sparse clusters.
    const extent = [1, 1, 1];
    for (let k = 0; k < 3; k++) {
      if (pbc[k]) { lo[k] = 0; extent[k] = 1; }
      else if (n === 0) { lo[k] = 0; extent[k] = 1; }
      else extent[k] = Math.max(hi[k] - lo[k], 1e-300);
    }
    const nb = [1, 1, 1];
    let binWidth = radius;
    for (;;) {
      for (let k = 0; k < 3; k++) nb[k] = Math.max(1, Math.floor((extent[k] * widths[k]) / binWidth));
      if (nb[0] * nb[1] * nb[2] <= Math.max(27, MAX_BINS_PER_ATOM * n)) break;
      binWidth *= 1.26;
    }
    const reach = [1, 1, 1]; // stencil half-width m_k in bins
    for (let k = 0; k < 3; k++) {
      const perp = (extent[k] * widths[k]) / nb[k];
      reach[k] = Math.max(1, Math.ceil(radius / perp - 1e-9));
      if (!pbc[k]) reach[k] = Math.min(reach[k], nb[k] - 1 > 0 ? nb[k] - 1 : 0);
    }
    const nbx = nb[0], nby = nb[1], nbz = nb[2];
    const nBins = nbx * nby * nbz;

    // Counting sort of atoms into bins.
    if (binStart.length < nBins + 1) binStart = new Int32Array(nBins + 1);
    binStart.fill(0, 0, nBins + 1);
    for (let i = 0; i < n; i++) {
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
    for (let b = 0; b < nBins; b++) binStart[b + 1] += binStart[b];
    for (let i = 0; i < n; i++) {
      const s = binStart[binOf[i]]++;
      order[s] = i;
      slotOf[i] = s;
    }
    for (let b = nBins; b > 0; b--) binStart[b] = binStart[b - 1];
    binStart[0] = 0;
    for (let s = 0; s < n; s++) {
      const i = order[s];
      const wa = wrapCount[3 * i], wb = wrapCount[3 * i + 1], wc = wrapCount[3 * i + 2];
      sorted[3 * s] = positions[3 * i] - (wa * frame[0] + wb * frame[3] + wc * frame[6]);
      sorted[3 * s + 1] = positions[3 * i + 1] - (wa * frame[1] + wb * frame[4] + wc * frame[7]);
      sorted[3 * s + 2] = positions[3 * i + 2] - (wa * frame[2] + wb * frame[5] + wc * frame[8]);
    }

    // Image table: shift t = image of the stencil bin + w_i − w_j, each component within ±R_k.
    const R = [0, 0, 0];
    for (let k = 0; k < 3; k++) if (pbc[k]) R[k] = Math.ceil(reach[k] / nb[k]) + (wMax[k] - wMin[k]);
    const L0 = 2 * R[0] + 1, L1 = 2 * R[1] + 1, L2 = 2 * R[2] + 1;
    const nImages = L0 * L1 * L2;
    if (nImages > MAX_IMAGES) {
      throw new Error(
        `CellList.build: atoms lie up to ${Math.max(...wMax.map((w, k) => w - wMin[k]))} cells apart across the periodic boundaries ` +
          `(${nImages} distinct shifts, at most ${MAX_IMAGES}); wrap the positions into the cell (Box.wrap) first`,
      );
    }
    const zeroCode = (R[0] * L1 + R[1]) * L2 + R[2];
    const imageShifts = new Float64Array(3 * nImages);
    for (let a = -R[0]; a <= R[0]; a++) {
      for (let b = -R[1]; b <= R[1]; b++) {
        for (let c = -R[2]; c <= R[2]; c++) {
          let id = ((a + R[0]) * L1 + (b + R[1])) * L2 + (c + R[2]) - zeroCode;
          if (id < 0) id += nImages;
          imageShifts[3 * id] = a * frame[0] + b * frame[3] + c * frame[6];
          imageShifts[3 * id + 1] = a * frame[1] + b * frame[4] + c * frame[7];
          imageShifts[3 * id + 2] = a * frame[2] + b * frame[5] + c * frame[8];
        }
      }
    }

    // Pair search, centre by centre in atom order, so rows come out in CSR order.
    const mx = reach[0], my = reach[1], mz = reach[2];
    const px = pbc[0], py = pbc[1], pz = pbc[2];
    const f0 = frame[0], f1 = frame[1], f2 = frame[2], f3 = frame[3], f4 = frame[4], f5 = frame[5], f6 = frame[6], f7 = frame[7], f8 = frame[8];
    if (pairCap === 0) growPairs(Math.max(1024, 16 * n));
    let p = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = p;
      let nTmp = 0;
      const si = slotOf[i];
      const xi = sorted[3 * si], yi = sorted[3 * si + 1], zi = sorted[3 * si + 2];
      const wix = wrapCount[3 * i], wiy = wrapCount[3 * i + 1], wiz = wrapCount[3 * i + 2];
      const bi = binOf[i];
      const bz = bi % nbz, by = ((bi - bz) / nbz) % nby, bx = (bi - bz - by * nbz) / (nbz * nby);
      for (let dx = -mx; dx <= mx; dx++) {
        let cx = bx + dx, ix = 0;
        if (cx < 0 || cx >= nbx) {
          if (!px) continue;
          ix = Math.floor(cx / nbx);
          cx -= ix * nbx;
        }
        for (let dy = -my; dy <= my; dy++) {
          let cy = by + dy, iy = 0;
          if (cy < 0 || cy >= nby) {
            if (!py) continue;
            iy = Math.floor(cy / nby);
            cy -= iy * nby;
          }
          for (let dz = -mz; dz <= mz; dz++) {
            // Half lists: only offsets lexicographically ≥ 0 (the same bin is handled by slot order).
            if (half && (dx < 0 || (dx === 0 && (dy < 0 || (dy === 0 && dz < 0))))) continue;
            let cz = bz + dz, iz = 0;
            if (cz < 0 || cz >= nbz) {
              if (!pz) continue;
              iz = Math.floor(cz / nbz);
              cz -= iz * nbz;
            }
            const sameBin = dx === 0 && dy === 0 && dz === 0;
            const sx = ix * f0 + iy * f3 + iz * f6, sy = ix * f1 + iy * f4 + iz * f7, sz = ix * f2 + iy * f5 + iz * f8;
            const b = (cx * nby + cy) * nbz + cz;
            let s0 = binStart[b];
            const s1 = binStart[b + 1];
            if (sameBin && half) s0 = si + 1;
            for (let s = s0; s < s1; s++) {
              if (sameBin && s === si) continue;
              const ddx = sorted[3 * s] + sx - xi, ddy = sorted[3 * s + 1] + sy - yi, ddz = sorted[3 * s + 2] + sz - zi;
              if (ddx * ddx + ddy * ddy + ddz * ddz >= r2) continue;
              const j = order[s];
              const tx = ix + wix - wrapCount[3 * j], ty = iy + wiy - wrapCount[3 * j + 1], tz = iz + wiz - wrapCount[3 * j + 2];
              if (tx === 0 && ty === 0 && tz === 0) {
                if (p >= pairCap) growPairs(p + 1);
                neighbors[p] = j;
                images[p++] = 0;
              } else {
                if (nTmp >= tmpCap) growTmp();
                let id = ((tx + R[0]) * L1 + (ty + R[1])) * L2 + (tz + R[2]) - zeroCode;
                if (id < 0) id += nImages;
                tmpJ[nTmp] = j;
                tmpImg[nTmp++] = id;
              }
            }
          }
        }
      }
      firstImaged[i] = p;
      if (p + nTmp > pairCap) growPairs(p + nTmp);
      neighbors.set(tmpJ.subarray(0, nTmp), p);
      images.set(tmpImg.subarray(0, nTmp), p);
      p += nTmp;
    }
    offsets[n] = p;

    return {
      kind,
      n,
      radius_A: radius,
      nPairs: p,
      offsets,
      firstImaged,
      neighbors: neighbors.subarray(0, p),
      images: images.subarray(0, p),
      imageShifts,
    };
  }

  return { radius_A: radius, kind, build };
}

/** Distance between opposite faces of the parallelepiped spanned by the rows of `m` (3×3). */
function frameWidths(m: Float64Array): [number, number, number] {
  const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  const crossNorm = (a: number, b: number): number =>
    Math.hypot(m[3 * a + 1] * m[3 * b + 2] - m[3 * a + 2] * m[3 * b + 1], m[3 * a + 2] * m[3 * b] - m[3 * a] * m[3 * b + 2], m[3 * a] * m[3 * b + 1] - m[3 * a + 1] * m[3 * b]);
  const v = Math.abs(det);
  return [v / crossNorm(1, 2), v / crossNorm(2, 0), v / crossNorm(0, 1)];
}
