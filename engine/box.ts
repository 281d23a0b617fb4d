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
    const m = this.inverse;
    for (let i = 0; i < positions.length; i += 3) {
      const x = positions[i], y = positions[i + 1], z = positions[i + 2];
      out[i] = x * m[0] + y * m[3] + z * m[6];
      out[i + 1] = x * m[1] + y * m[4] + z * m[7];
      out[i + 2] = x * m[2] + y * m[5] + z * m[8];
    }
    return out;
  }

  /** Writes the Cartesian coordinates of fractional `frac` [n,3] into `out` [n,3]. */
  toCartesian(frac: Float64Array, out: Float64Array = new Float64Array(frac.length)): Float64Array {
    const c = this.cell;
    for (let i = 0; i < frac.length; i += 3) {
      const a = frac[i], b = frac[i + 1], d = frac[i + 2];
      out[i] = a * c[0] + b * c[3] + d * c[6];
      out[i + 1] = a * c[1] + b * c[4] + d * c[7];
      out[i + 2] = a * c[2] + b * c[5] + d * c[8];
    }
    return out;
  }

  /**
   * Wraps `positions` [n,3] in place into the cell along periodic axes (fractional coordinate in [0, 1)).
   * Non-periodic axes are left alone.
   */
  wrap(positions: Float64Array): void {
    if (this.isOpen) return;
    const m = this.inverse, c = this.cell;
    const pa = this.pbc[0], pb = this.pbc[1], pc = this.pbc[2];
    for (let i = 0; i < positions.length; i += 3) {
      const x = positions[i], y = positions[i + 1], z = positions[i + 2];
      let a = x * m[0] + y * m[3] + z * m[6];
      let b = x * m[1] + y * m[4] + z * m[7];
      let d = x * m[2] + y * m[5] + z * m[8];
      const sa = pa ? Math.floor(a) : 0, sb = pb ? Math.floor(b) : 0, sd = pc ? Math.floor(d) : 0;
      if (sa === 0 && sb === 0 && sd === 0) continue;
      a = sa; b = sb; d = sd;
      positions[i] = x - (a * c[0] + b * c[3] + d * c[6]);
      positions[i + 1] = y - (a * c[1] + b * c[4] + d * c[7]);
      positions[i + 2] = z - (a * c[2] + b * c[5] + d * c[8]);
    }
  }
}
