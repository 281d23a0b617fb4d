import { describe, expect, it } from 'vitest';
import {
  Irreps,
  SH_LMAX,
  randomOrthogonal,
  seededUniform,
  shPolynomials,
  sphereQuadrature,
  sphericalHarmonics,
  wignerDFromMatrix,
} from '../../o3/index.js';
import { normals } from '../../testing/index.js';
import { loadE3nn, maxAbsDiff } from './fixtures.js';

const ref = loadE3nn('spherical_harmonics.json');

describe('sphericalHarmonics against e3nn 0.5.6', () => {
  for (const c of ref.cases) {
    it(`${c.normalization}, normalize=${c.normalize}, l ≤ ${Math.max(...c.ls)}`, () => {
      const n = c.count ?? ref.vectors.length;
      const v = new Float64Array(ref.vectors.slice(0, n).flat());
      const Y = sphericalHarmonics(c.ls, v, { normalize: c.normalize, normalization: c.normalization });
      const scale = Math.max(1, ...c.values.map(Math.abs));
      expect(maxAbsDiff(Y, c.values) / scale).toBeLessThan(1e-13);
    });
  }
});

describe('sphericalHarmonics properties', () => {
  const rand = seededUniform(3);
  it(`supports l up to ${SH_LMAX} (≥ 8) with Σ_m Y² = 2l+1, 1, 1/4π·(2l+1)`, () => {
    expect(SH_LMAX).toBeGreaterThanOrEqual(8);
    const v = normals(30, rand);
    for (const [normalization, expected] of [
      ['component', (l: number) => 2 * l + 1],
      ['norm', () => 1],
      ['integral', (l: number) => (2 * l + 1) / (4 * Math.PI)],
    ] as const) {
      for (let l = 0; l <= SH_LMAX; l++) {
        const Y = sphericalHarmonics([l], v, { normalization });
        for (let i = 0; i < 10; i++) {
          let s = 0;
          for (let m = 0; m < 2 * l + 1; m++) s += Y[i * (2 * l + 1) + m] ** 2;
          expect(s).toBeCloseTo(expected(l), 10);
        }
      }
    }
  });
  it('is orthonormal on the sphere (exact quadrature), l ≤ 8', () => {
    const lmax = 8;
    const q = sphereQuadrature(2 * lmax);
    const Y = sphericalHarmonics(lmax, q.points);
    const d = (lmax + 1) ** 2;
    let worst = 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let k = 0; k < q.weights.length; k++) s += q.weights[k] * Y[k * d + a] * Y[k * d + b];
        worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });
  it('is equivariant: Y(Rx) = D(R) Y(x) for proper and improper R, parity (−1)^l', () => {
    const lmax = 6;
    const irreps = Irreps.sphericalHarmonics(lmax);
    const x = normals(3 * 5, rand);
    for (const improper of [false, true]) {
      const R = randomOrthogonal(rand, improper);
      const Rx = new Float64Array(x.length);
      for (let i = 0; i < 5; i++) for (let a = 0; a < 3; a++) Rx[3 * i + a] = R[3 * a] * x[3 * i] + R[3 * a + 1] * x[3 * i + 1] + R[3 * a + 2] * x[3 * i + 2];
      const D = irreps.D(R);
      const Y = sphericalHarmonics(lmax, x);
      const YR = sphericalHarmonics(lmax, Rx);
      const d = irreps.dim;
      let worst = 0;
      for (let i = 0; i < 5; i++) {
        for (let a = 0; a < d; a++) {
          let s = 0;
          for (let b = 0; b < d; b++) s += D[a * d + b] * Y[i * d + b];
          worst = Math.max(worst, Math.abs(s - YR[i * d + a]));
        }
      }
      expect(worst).toBeLessThan(1e-11);
    }
  });
  it('is exact for tiny and huge vectors and at the poles', () => {
    const dir = [0.3, -0.5, 0.8];
    const unit = sphericalHarmonics(8, new Float64Array(dir));
    for (const s of [1e-300, 1e-200, 1e200, 1e300]) {
      const Y = sphericalHarmonics(8, new Float64Array(dir.map((c) => c * s)));
      expect(maxAbsDiff(Y, unit)).toBeLessThan(1e-14);
    }
    // north pole (+y): only m = 0 survives, with value √(2l+1)
    const pole = sphericalHarmonics(4, new Float64Array([0, 5, 0]));
    for (let l = 0; l <= 4; l++) {
      for (let m = -l; m <= l; m++) expect(pole[l * l + l + m]).toBe(m === 0 ? Math.sqrt(2 * l + 1) : 0);
    }
    // zero vector: Y_0 only, as e3nn
    expect(Array.from(sphericalHarmonics(1, new Float64Array(3)))).toEqual([1, 0, 0, 0]);
  });
  it('rejects bad input', () => {
    expect(() => sphericalHarmonics([SH_LMAX + 1], new Float64Array(3))).toThrow(/outside/);
    expect(() => sphericalHarmonics(2, new Float64Array(4))).toThrow(/multiple of 3/);
    expect(() => sphericalHarmonics(2, new Float64Array(3), { normalization: 'unit' as any })).toThrow(/unknown normalization/);
  });
});

describe('shPolynomials (tables for graph emission)', () => {
  it('reproduces sphericalHarmonics and is homogeneous of degree l', () => {
    const rand = seededUniform(9);
    const v = normals(3, rand);
    const r = Math.hypot(v[0], v[1], v[2]);
    const [x, y, z] = [v[0] / r, v[1] / r, v[2] / r];
    const polys = shPolynomials(6, 'norm');
    const Y = sphericalHarmonics(6, v, { normalization: 'norm' });
    let idx = 0;
    for (const p of polys) {
      for (const comp of p.components) {
        let s = 0;
        for (const t of comp) {
          expect(t.a + t.b + t.c).toBe(p.l);
          s += t.coefficient * x ** t.a * y ** t.b * z ** t.c;
        }
        expect(p.factor * s).toBeCloseTo(Y[idx++], 12);
      }
    }
    expect(idx).toBe(49);
  });
  it('gives l = 1 as √3 (x, y, z) (e3nn 0.5 order, not the old (y, z, x))', () => {
    const [, p1] = shPolynomials(1);
    expect(p1.components.map((c) => [c[0].a, c[0].b, c[0].c])).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(p1.components[0][0].coefficient).toBeCloseTo(Math.sqrt(3), 15);
  });
  it('tables are harmonic (zero Laplacian)', () => {
    for (const p of shPolynomials(SH_LMAX)) {
      for (const comp of p.components) {
        const lap = new Map<string, number>();
        const add = (a: number, b: number, c: number, v: number): void => {
          const k = `${a},${b},${c}`;
          lap.set(k, (lap.get(k) ?? 0) + v);
        };
        for (const t of comp) {
          if (t.a >= 2) add(t.a - 2, t.b, t.c, t.coefficient * t.a * (t.a - 1));
          if (t.b >= 2) add(t.a, t.b - 2, t.c, t.coefficient * t.b * (t.b - 1));
          if (t.c >= 2) add(t.a, t.b, t.c - 2, t.coefficient * t.c * (t.c - 1));
        }
        const scale = Math.max(1, ...comp.map((t) => Math.abs(t.coefficient)));
        for (const v of lap.values()) expect(Math.abs(v) / scale).toBeLessThan(1e-9);
      }
    }
  });
  it('D from the harmonics is consistent with wignerDFromMatrix', () => {
    const R = randomOrthogonal(seededUniform(5), false);
    expect(maxAbsDiff(wignerDFromMatrix(1, R), R)).toBeLessThan(1e-14);
  });
});
