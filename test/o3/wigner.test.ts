import { describe, expect, it } from 'vitest';
import {
  Irreps,
  anglesToMatrix,
  clebschGordan,
  matrixToAngles,
  randomRotation,
  seededUniform,
  wigner3j,
  wigner3jNonzero,
  wignerD,
  wignerDFromMatrix,
} from '../../o3/index.js';
import { matmul3, transpose3 } from '../../o3/rotation.js';
import { loadE3nn, maxAbsDiff } from './fixtures.js';

const rand = seededUniform(11);

function matmul(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * n + k] * B[k * n + j];
  return C;
}
const eye = (n: number): Float64Array => Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
const transpose = (A: Float64Array, n: number): Float64Array => Float64Array.from({ length: n * n }, (_, i) => A[(i % n) * n + Math.floor(i / n)]);

describe('wigner3j against e3nn 0.5.6 (l ≤ 4, sign included)', () => {
  const ref = loadE3nn('wigner_3j.json');
  it(`matches all ${ref.symbols.length} symbols`, () => {
    for (const s of ref.symbols) {
      const [l1, l2, l3] = s.l;
      const C = wigner3j(l1, l2, l3);
      const R = new Float64Array(C.length);
      const d2 = 2 * l2 + 1;
      const d3 = 2 * l3 + 1;
      for (const [i, j, k, v] of s.nonzero) R[(i * d2 + j) * d3 + k] = v;
      expect(maxAbsDiff(C, R), `wigner3j(${s.l})`).toBeLessThan(1e-14);
    }
  });
});

describe('wigner3j properties', () => {
  it('has Frobenius norm 1 and is zero outside the triangle and for bad parity-free cases', () => {
    for (let l1 = 0; l1 <= 5; l1++) {
      for (let l2 = 0; l2 <= 5; l2++) {
        for (let l3 = 0; l3 <= 6; l3++) {
          const C = wigner3j(l1, l2, l3);
          expect(C.length).toBe((2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1));
          const n2 = C.reduce((s, v) => s + v * v, 0);
          if (l3 >= Math.abs(l1 - l2) && l3 <= l1 + l2) expect(n2).toBeCloseTo(1, 12);
          else expect(n2).toBe(0);
        }
      }
    }
  });
  it('is invariant: C·(D1 ⊗ D2 ⊗ D3) = C for random rotations, up to l = 5', () => {
    for (const [l1, l2, l3] of [[1, 1, 1], [2, 3, 4], [4, 4, 2], [5, 3, 3], [3, 2, 5], [4, 4, 8]]) {
      const R = randomRotation(rand);
      const [D1, D2, D3] = [l1, l2, l3].map((l) => wignerDFromMatrix(l, R));
      const C = wigner3j(l1, l2, l3);
      const [d1, d2, d3] = [l1, l2, l3].map((l) => 2 * l + 1);
      const out = new Float64Array(C.length);
      for (const e of wigner3jNonzero(l1, l2, l3)) {
        for (let a = 0; a < d1; a++) {
          const fa = e.value * D1[a * d1 + e.i];
          for (let b = 0; b < d2; b++) {
            const fb = fa * D2[b * d2 + e.j];
            for (let c = 0; c < d3; c++) out[(a * d2 + b) * d3 + c] += fb * D3[c * d3 + e.k];
          }
        }
      }
      expect(maxAbsDiff(out, C), `(${l1},${l2},${l3})`).toBeLessThan(1e-12);
    }
  });
  it('C(1,1,1) is the normalized Levi-Civita symbol and C(l,l,0) ∝ identity', () => {
    const C = wigner3j(1, 1, 1);
    const eps = (i: number, j: number, k: number): number => ((i - j) * (j - k) * (k - i)) / 2;
    const s = C[5] / eps(0, 1, 2);
    expect(Math.abs(s)).toBeCloseTo(1 / Math.sqrt(6), 14);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) expect(C[i * 9 + j * 3 + k]).toBeCloseTo(s * eps(i, j, k), 14);
    const C2 = wigner3j(2, 2, 0);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(C2[i * 5 + j]).toBeCloseTo(i === j ? 1 / Math.sqrt(5) : 0, 14);
  });
  it('cached values are not shared mutable state', () => {
    const a = wigner3j(1, 1, 2);
    a[0] = 42;
    expect(wigner3j(1, 1, 2)[0]).not.toBe(42);
    expect(() => wigner3j(-1, 0, 1)).toThrow(/non-negative/);
  });
  it('clebschGordan matches textbook values', () => {
    expect(clebschGordan(1, 1, 1, -1, 0, 0)).toBeCloseTo(1 / Math.sqrt(3), 15);
    expect(clebschGordan(1, 0, 1, 0, 0, 0)).toBeCloseTo(-1 / Math.sqrt(3), 15);
    expect(clebschGordan(1, 1, 1, 0, 2, 1)).toBeCloseTo(Math.SQRT1_2, 15);
    expect(clebschGordan(1, 1, 1, 1, 1, 1)).toBe(0);
  });
});

describe('rotations and D against e3nn 0.5.6', () => {
  const ref = loadE3nn('rotations.json');
  for (const c of ref.cases) {
    it(`angles ${c.angles}`, () => {
      const [a, b, g] = c.angles;
      expect(maxAbsDiff(anglesToMatrix(a, b, g), c.matrix)).toBeLessThan(1e-15);
      const back = matrixToAngles(anglesToMatrix(a, b, g));
      expect(maxAbsDiff(anglesToMatrix(...back), c.matrix)).toBeLessThan(1e-14);
      if (b !== 0 && Math.abs(b - Math.PI) > 1e-12) expect(maxAbsDiff(back, c.matrixToAngles)).toBeLessThan(1e-12);
      for (let l = 0; l <= 4; l++) expect(maxAbsDiff(wignerD(l, a, b, g), c.D[l]), `l=${l}`).toBeLessThan(1e-13);
    });
  }
  it('Irreps.D of an improper matrix', () => {
    const D = Irreps.parse(ref.irrepsD.irreps).D(ref.irrepsD.matrix);
    expect(maxAbsDiff(D, ref.irrepsD.D)).toBeLessThan(1e-13);
  });
});

describe('Wigner D properties', () => {
  it('D^1(R) = R, D orthogonal, D(R1 R2) = D(R1) D(R2), D(Rᵀ) = D(R)ᵀ for l ≤ 6', () => {
    const R1 = randomRotation(rand);
    const R2 = randomRotation(rand);
    expect(maxAbsDiff(wignerDFromMatrix(1, R1), R1)).toBeLessThan(1e-14);
    for (let l = 0; l <= 6; l++) {
      const n = 2 * l + 1;
      const D1 = wignerDFromMatrix(l, R1);
      const D2 = wignerDFromMatrix(l, R2);
      expect(maxAbsDiff(matmul(D1, transpose(D1, n), n), eye(n)), `orthogonal l=${l}`).toBeLessThan(1e-13);
      expect(maxAbsDiff(wignerDFromMatrix(l, matmul3(R1, R2)), matmul(D1, D2, n)), `homomorphism l=${l}`).toBeLessThan(1e-13);
      expect(maxAbsDiff(wignerDFromMatrix(l, transpose3(R1)), transpose(D1, n))).toBeLessThan(1e-13);
    }
  });
  it('random rotations are proper and orthogonal; matrixToAngles rejects improper input', () => {
    const R = randomRotation(rand);
    expect(maxAbsDiff(matmul3(R, transpose3(R)), eye(3))).toBeLessThan(1e-14);
    expect(() => matrixToAngles(R.map((v) => -v))).toThrow(/improper/);
  });
});
