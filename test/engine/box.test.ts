import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { Rng } from '../../engine/random.js';

function bruteMinimum(box: Box, d: number[]): number {
  let best = Infinity;
  const c = box.cell;
  const R = box.pbc.map((p) => (p ? 9 : 0)); // |d| ≤ 30 Å, edges ≥ 5 Å
  for (let i = -R[0]; i <= R[0]; i++) for (let j = -R[1]; j <= R[1]; j++) for (let k = -R[2]; k <= R[2]; k++) {
    const x = d[0] + i * c[0] + j * c[3] + k * c[6], y = d[1] + i * c[1] + j * c[4] + k * c[7], z = d[2] + i * c[2] + j * c[5] + k * c[8];
    best = Math.min(best, x * x + y * y + z * z);
  }
  return best;
}

describe('Box.minimumImage', () => {
  it('finds the shortest image in orthorhombic and triclinic cells (tilts up to half an edge), any periodicity', () => {
    const rng = new Rng(77);
    for (let trial = 0; trial < 300; trial++) {
      const L = [5 + 10 * rng.uniform(), 5 + 10 * rng.uniform(), 5 + 10 * rng.uniform()];
      const tilt = trial % 2 === 0 ? 0 : 1;
      const cell = [L[0], 0, 0, tilt * (rng.uniform() - 0.5) * L[0], L[1], 0, tilt * (rng.uniform() - 0.5) * L[0], tilt * (rng.uniform() - 0.5) * L[1], L[2]];
      const pbc = [rng.uniform() < 0.8, rng.uniform() < 0.8, rng.uniform() < 0.8] as [boolean, boolean, boolean];
      const box = new Box(cell, pbc);
      const d = [0, 1, 2].map(() => (rng.uniform() - 0.5) * 60);
      const out = Float64Array.from(d);
      const r2 = box.minimumImage(out);
      expect(r2).toBeCloseTo(bruteMinimum(box, d), 8);
      expect(out[0] ** 2 + out[1] ** 2 + out[2] ** 2).toBeCloseTo(r2, 8);
      // The result differs from the input by a lattice vector on periodic axes only.
      const shift = box.toFractional(Float64Array.from([out[0] - d[0], out[1] - d[1], out[2] - d[2]]));
      for (let k = 0; k < 3; k++) {
        expect(Math.abs(shift[k] - Math.round(shift[k]))).toBeLessThan(1e-9);
        if (!pbc[k]) expect(Math.abs(Math.round(shift[k]))).toBe(0);
      }
    }
  });

  it('leaves displacements in an open box alone', () => {
    const d = Float64Array.of(100, -3, 4);
    expect(Box.open().minimumImage(d)).toBe(100 * 100 + 9 + 16);
    expect(Array.from(d)).toEqual([100, -3, 4]);
  });

  it('wraps positions into the cell on periodic axes only', () => {
    const box = new Box([10, 0, 0, 3, 10, 0, 0, 0, 10], [true, true, false]);
    const p = Float64Array.of(-1, 12, 25, 31, -0.5, -3);
    const before = Float64Array.from(p);
    box.wrap(p);
    const f = box.toFractional(p);
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 2; k++) expect(f[3 * i + k]).toBeGreaterThanOrEqual(0), expect(f[3 * i + k]).toBeLessThan(1);
      expect(p[3 * i + 2]).toBe(before[3 * i + 2]);
    }
  });
});
