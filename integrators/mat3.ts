/**
 * 3 × 3 matrices (row-major Float64Array(9)) for the barostats: products, the matrix exponential
 * of a cell velocity gradient, and row vectors times a matrix for every atom. Rows are vectors
 * (DESIGN.md §3), so a deformation acts on the right: x ← x · M, cell ← cell · M.
 */

/** out = a · b (`out` must alias neither). */
export function mul3(a: Float64Array, b: Float64Array, out: Float64Array = new Float64Array(9)): Float64Array {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[3 * r + c] = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
  }
  return out;
}

// Scratch of expm3, so that a step allocates nothing (JavaScript runs one step at a time).
const scratchA = new Float64Array(9), scratchTerm = new Float64Array(9), scratchNext = new Float64Array(9);

/**
 * exp(m) (`out` must not alias `m`) by scaling and squaring with a 16-term Taylor series: the argument is halved until its
 * 1-norm is ≤ 1/2, where the truncation error is below 1e-20, then squared back. Exact for a
 * diagonal matrix up to rounding; cell velocity gradients × dt are ~1e-5, so no squaring is needed
 * in MD.
 *
 * @example
 * expm3(Float64Array.of(1e-5, 0, 0, 0, 1e-5, 0, 0, 0, 1e-5)); // ≈ diag(e^1e-5)
 */
export function expm3(m: Float64Array, out: Float64Array = new Float64Array(9)): Float64Array {
  let norm = 0;
  for (let c = 0; c < 3; c++) norm = Math.max(norm, Math.abs(m[c]) + Math.abs(m[3 + c]) + Math.abs(m[6 + c]));
  if (!Number.isFinite(norm)) return out.fill(NaN);
  let squarings = 0;
  while (norm > 0.5) { norm /= 2; squarings++; }
  const s = 1 / 2 ** squarings;
  const a = scratchA, term = scratchTerm, next = scratchNext;
  for (let k = 0; k < 9; k++) a[k] = m[k] * s;
  out.fill(0); out[0] = 1; out[4] = 1; out[8] = 1;
  term.set(out);
  for (let n = 1; n <= 16; n++) {
    mul3(term, a, next);
    for (let k = 0; k < 9; k++) { term[k] = next[k] / n; out[k] += term[k]; }
  }
  for (let q = 0; q < squarings; q++) {
    mul3(out, out, next);
    out.set(next);
  }
  return out;
}

/** x[i,:] ← x[i,:] · m for every row of `x` [n,3], in place. */
export function rowsTimesInPlace(x: Float64Array, m: Float64Array): void {
  const m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7], m8 = m[8];
  for (let i = 0; i < x.length; i += 3) {
    const a = x[i], b = x[i + 1], c = x[i + 2];
    x[i] = a * m0 + b * m3 + c * m6;
    x[i + 1] = a * m1 + b * m4 + c * m7;
    x[i + 2] = a * m2 + b * m5 + c * m8;
  }
}

/** True when `m` is diagonal (then exponentials and products act per axis). */
export function isDiagonal3(m: Float64Array): boolean {
  return m[1] === 0 && m[2] === 0 && m[3] === 0 && m[5] === 0 && m[6] === 0 && m[7] === 0;
}
