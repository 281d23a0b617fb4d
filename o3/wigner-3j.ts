/**
 * Wigner 3j symbols in e3nn 0.5's real basis: the unique (up to sign) tensor C[i, j, k] of shape
 * [2l1+1, 2l2+1, 2l3+1] invariant under D^l1 ⊗ D^l2 ⊗ D^l3, with Frobenius norm 1.
 *
 * Derivation. In the complex basis |l m⟩ the invariant is the Clebsch–Gordan coefficient
 * ⟨l1 m1 l2 m2 | l3 m3⟩ (Condon–Shortley phase; Racah's closed form). The real harmonics relate
 * to the complex ones through the unitary Q_l (e3nn's `change_basis_real_to_complex`, the
 * textbook real form with an extra global phase (−i)^l per degree, which is what makes the
 * real-basis coupling real):
 *   Q[l+m, l+|m|] = 1/√2,        Q[l+m, l−|m|] = −i/√2          (m < 0)
 *   Q[l, l] = 1
 *   Q[l+m, l+m]   = (−1)^m/√2,   Q[l+m, l−m]   = i(−1)^m/√2     (m > 0)
 * (rows complex index, columns real index), and
 *   C[a, b, c] ∝ Σ Q1[m1, a] Q2[m2, b] conj(Q3[m3, c]) ⟨l1 m1 l2 m2 | l3 m3⟩.
 * The sign that this fixes is e3nn's, which is what makes e3nn-trained weights carry over.
 */

/** One nonzero entry C[i, j, k] = value. */
export interface W3jEntry {
  readonly i: number;
  readonly j: number;
  readonly k: number;
  readonly value: number;
}

const cache = new Map<string, Float64Array>();
const factorials: number[] = [1];
function factorial(n: number): number {
  // exact for n ≤ 22, rounded (relative 1e-16) up to 170: enough for l ≤ 40
  while (factorials.length <= n) factorials.push(factorials[factorials.length - 1] * factorials.length);
  return factorials[n];
}

/** ⟨j1 m1 j2 m2 | J M⟩ for integer spins, Racah's formula; 0 when M ≠ m1 + m2 or out of range. */
export function clebschGordan(j1: number, m1: number, j2: number, m2: number, J: number, M: number): number {
  if (M !== m1 + m2 || J < Math.abs(j1 - j2) || J > j1 + j2) return 0;
  if (Math.abs(m1) > j1 || Math.abs(m2) > j2 || Math.abs(M) > J) return 0;
  const pre = Math.sqrt(
    ((2 * J + 1) * factorial(J + j1 - j2) * factorial(J - j1 + j2) * factorial(j1 + j2 - J)) / factorial(j1 + j2 + J + 1),
  );
  const pre2 = Math.sqrt(
    factorial(J + M) * factorial(J - M) * factorial(j1 - m1) * factorial(j1 + m1) * factorial(j2 - m2) * factorial(j2 + m2),
  );
  let sum = 0;
  const kmin = Math.max(0, j2 - J - m1, j1 - J + m2);
  const kmax = Math.min(j1 + j2 - J, j1 - m1, j2 + m2);
  for (let k = kmin; k <= kmax; k++) {
    const den =
      factorial(k) * factorial(j1 + j2 - J - k) * factorial(j1 - m1 - k) * factorial(j2 + m2 - k) * factorial(J - j2 + m1 + k) * factorial(J - j1 - m2 + k);
    sum += (k % 2 === 0 ? 1 : -1) / den;
  }
  return pre * pre2 * sum;
}

/** Nonzero entries of column structure of Q_l: for complex index m, the (real index, re, im) pairs. */
function realFromComplex(l: number, m: number): [number, number, number][] {
  const h = Math.SQRT1_2;
  let entries: [number, number, number][];
  if (m < 0) entries = [[l - m, h, 0], [l + m, 0, -h]];
  else if (m === 0) entries = [[l, 1, 0]];
  else {
    const s = m % 2 === 0 ? 1 : -1;
    entries = [[l + m, s * h, 0], [l - m, 0, s * h]];
  }
  // global phase (−i)^l
  const [pr, pi] = [[1, 0], [0, -1], [-1, 0], [0, 1]][l % 4] as [number, number];
  return entries.map(([r, re, im]) => [r, re * pr - im * pi, re * pi + im * pr]);
}

function compute(l1: number, l2: number, l3: number): Float64Array {
  const d2 = 2 * l2 + 1;
  const d3 = 2 * l3 + 1;
  const re = new Float64Array((2 * l1 + 1) * d2 * d3);
  const im = new Float64Array(re.length);
  for (let m1 = -l1; m1 <= l1; m1++) {
    for (let m2 = -l2; m2 <= l2; m2++) {
      const m3 = m1 + m2;
      if (Math.abs(m3) > l3) continue;
      const cg = clebschGordan(l1, m1, l2, m2, l3, m3);
      if (cg === 0) continue;
      for (const [a, ar, ai] of realFromComplex(l1, m1)) {
        for (const [b, br, bi] of realFromComplex(l2, m2)) {
          const abr = ar * br - ai * bi;
          const abi = ar * bi + ai * br;
          for (const [c, cr, ci] of realFromComplex(l3, m3)) {
            // times conj(Q3) = (cr − i ci)
            const idx = (a * d2 + b) * d3 + c;
            re[idx] += cg * (abr * cr + abi * ci);
            im[idx] += cg * (abi * cr - abr * ci);
          }
        }
      }
    }
  }
  let norm = 0;
  let imNorm = 0;
  for (let i = 0; i < re.length; i++) {
    norm += re[i] * re[i];
    imNorm += im[i] * im[i];
  }
  // The phase convention makes the coupling real; a leftover imaginary part would be a bug here.
  if (imNorm > 1e-20 * Math.max(norm, 1)) throw new Error(`wigner3j(${l1}, ${l2}, ${l3}): internal error, coupling is not real`);
  const s = 1 / Math.sqrt(norm);
  for (let i = 0; i < re.length; i++) re[i] = Math.abs(re[i] * s) < 1e-15 ? 0 : re[i] * s;
  return re;
}

function check(l1: number, l2: number, l3: number): void {
  for (const l of [l1, l2, l3]) if (!Number.isInteger(l) || l < 0) throw new Error(`wigner3j: degrees must be non-negative integers, got (${l1}, ${l2}, ${l3})`);
}

/**
 * The real-basis Wigner 3j tensor, cached. Zero (all entries) outside the triangle rule
 * |l1 − l2| ≤ l3 ≤ l1 + l2, where no invariant exists.
 *
 * @returns Float64Array [2l1+1, 2l2+1, 2l3+1], row-major, Frobenius norm 1 (a fresh copy)
 * @example
 * const C = wigner3j(1, 1, 0); // δ_ij / √3
 * C[0] === 1 / Math.sqrt(3);
 */
export function wigner3j(l1: number, l2: number, l3: number): Float64Array {
  check(l1, l2, l3);
  const key = `${l1},${l2},${l3}`;
  let C = cache.get(key);
  if (!C) {
    C = l3 < Math.abs(l1 - l2) || l3 > l1 + l2 ? new Float64Array((2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1)) : compute(l1, l2, l3);
    cache.set(key, C);
  }
  return C.slice();
}

/** The nonzero entries of `wigner3j(l1, l2, l3)` (for sparse kernels and graph emission). */
export function wigner3jNonzero(l1: number, l2: number, l3: number): W3jEntry[] {
  const C = wigner3j(l1, l2, l3);
  const d2 = 2 * l2 + 1;
  const d3 = 2 * l3 + 1;
  const out: W3jEntry[] = [];
  for (let idx = 0; idx < C.length; idx++) {
    if (C[idx] !== 0) out.push({ i: Math.floor(idx / (d2 * d3)), j: Math.floor(idx / d3) % d2, k: idx % d3, value: C[idx] });
  }
  return out;
}
