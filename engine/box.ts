/**
 * Simulation cell: three lattice vectors as rows (ASE/nequip convention, DESIGN.md §3) and a
 * periodic flag per axis. Orthorhombic, triclinic and non-periodic (cluster) boxes share one type.
 */

/** A cell and its periodicity. Immutable: a new box is made for a new cell. */
export class Box {
  /** [3,3] row-major, rows are lattice vectors a, b, c in Å. */
  readonly cell: Float64Array;
  /** Periodic flag per lattice direction. */
  readonly pbc: readonly [boolean, boolean, boolean];
  /** [3,3] row-major inverse of `cell` (fractional = cartesian · inverse); zeros for a degenerate cell. */
  readonly inverse: Float64Array;
  /** |det(cell)| in Å³ (0 for a cluster with no cell). */
  readonly volume: number;

  constructor(cell: ArrayLike<number>, pbc: readonly [boolean, boolean, boolean]) {
    if (cell.length !== 9) throw new Error(`Box: cell must have 9 entries (3 row vectors), got ${cell.length}`);
    this.cell = Float64Array.from(cell);
    this.pbc = [pbc[0], pbc[1], pbc[2]];
    const c = this.cell;
    const det =
      c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]);
    this.volume = Math.abs(det);
    const inv = new Float64Array(9);
    if (det !== 0) {
      inv[0] = (c[4] * c[8] - c[5] * c[7]) / det;
      inv[1] = (c[2] * c[7] - c[1] * c[8]) / det;
      inv[2] = (c[1] * c[5] - c[2] * c[4]) / det;
      inv[3] = (c[5] * c[6] - c[3] * c[8]) / det;
      inv[4] = (c[0] * c[8] - c[2] * c[6]) / det;
      inv[5] = (c[2] * c[3] - c[0] * c[5]) / det;
      inv[6] = (c[3] * c[7] - c[4] * c[6]) / det;
      inv[7] = (c[1] * c[6] - c[0] * c[7]) / det;
      inv[8] = (c[0] * c[4] - c[1] * c[3]) / det;
    }
    this.inverse = inv;
    for (let k = 0; k < 3; k++) {
      if (this.pbc[k] && det === 0) throw new Error(`Box: axis ${'abc'[k]} is periodic but the cell is degenerate (volume 0)`);
    }
  }

  /** An orthorhombic box with edge lengths lx, ly, lz (Å), periodic in all directions unless told. */
  static orthorhombic(lx: number, ly: number, lz: number, pbc: readonly [boolean, boolean, boolean] = [true, true, true]): Box {
    return new Box([lx, 0, 0, 0, ly, 0, 0, 0, lz], pbc);
  }

  /** A non-periodic box (cluster / molecule in vacuum): no cell, no images. */
  static open(): Box {
    return new Box([0, 0, 0, 0, 0, 0, 0, 0, 0], [false, false, false]);
  }

  /** True when no axis is periodic. */
  get isOpen(): boolean {
    return !this.pbc[0] && !this.pbc[1] && !this.pbc[2];
  }

  /** True when the cell matrix is diagonal. */
  get isOrthorhombic(): boolean {
    const c = this.cell;
    return c[1] === 0 && c[2] === 0 && c[3] === 0 && c[5] === 0 && c[6] === 0 && c[7] === 0;
  }

  /**
   * Perpendicular widths of the cell (Å): the distance between opposite faces, volume / |b × c| etc.
   * A periodic image of an atom is at least this far away along that axis.
   */
  perpendicularWidths(): [number, number, number] {
    const c = this.cell;
    const cross = (i: number, j: number): number => {
      const x = c[3 * i + 1] * c[3 * j + 2] - c[3 * i + 2] * c[3 * j + 1];
      const y = c[3 * i + 2] * c[3 * j] - c[3 * i] * c[3 * j + 2];
      const z = c[3 * i] * c[3 * j + 1] - c[3 * i + 1] * c[3 * j];
      return Math.hypot(x, y, z);
    };
    return [this.volume / cross(1, 2), this.volume / cross(2, 0), this.volume / cross(0, 1)];
  }

  /** Writes the fractional coordinates of Cartesian `positions` [n,3] into `out` [n,3]. */
  toFractional(positions: Float64Array, out: Float64Array = new Float64Array(positions.length)): Float64Array {
    return rowsTimes(positions, this.inverse, out);
  }

  /** Writes the Cartesian coordinates of fractional `frac` [n,3] into `out` [n,3]. */
  toCartesian(frac: Float64Array, out: Float64Array = new Float64Array(frac.length)): Float64Array {
    return rowsTimes(frac, this.cell, out);
  }

  /**
   * Wraps `positions` [n,3] in place into the cell along periodic axes (fractional coordinate in [0, 1)).
   * Non-periodic axes are left alone. With `images` [n,3], the whole cells subtracted are added to
   * it, so that position + images · cell stays the unwrapped (continuous) position.
   */
  wrap(positions: Float64Array, images?: Int32Array): void {
    if (this.isOpen) return;
    const m = this.inverse, c = this.cell;
    const pa = this.pbc[0], pb = this.pbc[1], pc = this.pbc[2];
    for (let i = 0; i < positions.length; i += 3) {
      const x = positions[i], y = positions[i + 1], z = positions[i + 2];
      // Whole cells to subtract along each periodic axis (floor of the fractional coordinate).
      const sa = pa ? Math.floor(x * m[0] + y * m[3] + z * m[6]) : 0;
      const sb = pb ? Math.floor(x * m[1] + y * m[4] + z * m[7]) : 0;
      const sd = pc ? Math.floor(x * m[2] + y * m[5] + z * m[8]) : 0;
      if (sa === 0 && sb === 0 && sd === 0) continue;
      if (images) {
        images[i] += sa;
        images[i + 1] += sb;
        images[i + 2] += sd;
      }
      positions[i] = x - (sa * c[0] + sb * c[3] + sd * c[6]);
      positions[i + 1] = y - (sa * c[1] + sb * c[4] + sd * c[7]);
      positions[i + 2] = z - (sa * c[2] + sb * c[5] + sd * c[8]);
    }
  }

  /**
   * Minimum-image convention: replaces the displacement `d` (Å, [3], e.g. pos[j] − pos[i]) by its
   * shortest image under the periodic lattice vectors and returns the squared length (Å²). Open
   * axes get no images. Orthorhombic cells: rounding of lattice coordinates (exact). Triclinic and
   * partly periodic cells: rounding, then the neighbouring ±1 images are tried, which is exact
   * for cells whose tilt is at most about half an edge (LAMMPS's limit; every cell reduces to one).
   * For single pairs and setup code; pair loops should use a NeighborList. Writes into `out` (default `d`).
   *
   * @example
   * const d = Float64Array.of(9.0, 0, 0);
   * Box.orthorhombic(10, 10, 10).minimumImage(d); // d = (−1, 0, 0), returns 1
   */
  minimumImage(d: Float64Array, out: Float64Array = d): number {
    const c = this.cell;
    let bx = d[0], by = d[1], bz = d[2];
    const periodic: number[] = [];
    for (let k = 0; k < 3; k++) if (this.pbc[k]) periodic.push(k);
    if (periodic.length > 0) {
      // Coordinates of d in the lattice of the periodic vectors (least squares within their span, so a
      // tilted open axis does not bias them), rounded: the nearest lattice vector, up to ±1 per axis.
      const coef = latticeCoordinates(c, periodic, bx, by, bz);
      for (let q = 0; q < periodic.length; q++) {
        const k = periodic[q], n = Math.round(coef[q]);
        bx -= n * c[3 * k]; by -= n * c[3 * k + 1]; bz -= n * c[3 * k + 2];
      }
      if (!this.isOrthorhombic) {
        const r = [0, 1, 2].map((k) => (this.pbc[k] ? 1 : 0));
        const x0 = bx, y0 = by, z0 = bz;
        let best = x0 * x0 + y0 * y0 + z0 * z0;
        for (let i = -r[0]; i <= r[0]; i++) {
          for (let j = -r[1]; j <= r[1]; j++) {
            for (let k = -r[2]; k <= r[2]; k++) {
              const tx = x0 + i * c[0] + j * c[3] + k * c[6], ty = y0 + i * c[1] + j * c[4] + k * c[7], tz = z0 + i * c[2] + j * c[5] + k * c[8];
              const r2 = tx * tx + ty * ty + tz * tz;
              if (r2 < best) { best = r2; bx = tx; by = ty; bz = tz; }
            }
          }
        }
      }
    }
    out[0] = bx; out[1] = by; out[2] = bz;
    return bx * bx + by * by + bz * bz;
  }
}

/** out[i,:] = v[i,:] · m for each row of `v` [n,3] and a 3×3 row-major `m`; `out` may be `v`. */
function rowsTimes(v: Float64Array, m: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < v.length; i += 3) {
    const x = v[i], y = v[i + 1], z = v[i + 2];
    out[i] = x * m[0] + y * m[3] + z * m[6];
    out[i + 1] = x * m[1] + y * m[4] + z * m[7];
    out[i + 2] = x * m[2] + y * m[5] + z * m[8];
  }
  return out;
}

/**
 * Least-squares coefficients of (x, y, z) in the lattice vectors `rows` of `cell` (1 to 3 of them):
 * solves the normal equations G λ = A d, G the Gram matrix, by Gaussian elimination.
 */
function latticeCoordinates(cell: Float64Array, rows: number[], x: number, y: number, z: number): number[] {
  const m = rows.length;
  const g: number[][] = [];
  for (let p = 0; p < m; p++) {
    const a = rows[p];
    const row: number[] = [];
    for (let q = 0; q < m; q++) {
      const b = rows[q];
      row.push(cell[3 * a] * cell[3 * b] + cell[3 * a + 1] * cell[3 * b + 1] + cell[3 * a + 2] * cell[3 * b + 2]);
    }
    row.push(cell[3 * a] * x + cell[3 * a + 1] * y + cell[3 * a + 2] * z);
    g.push(row);
  }
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(g[r][col]) > Math.abs(g[pivot][col])) pivot = r;
    [g[col], g[pivot]] = [g[pivot], g[col]];
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = g[r][col] / g[col][col];
      for (let k = col; k <= m; k++) g[r][k] -= f * g[col][k];
    }
  }
  return g.map((row, k) => row[m] / row[k]);
}
