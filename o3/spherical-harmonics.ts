/**
 * Real spherical harmonics of 3-vectors in e3nn 0.5's conventions (DESIGN.md §6): l = 1 is
 * (x, y, z)·√3, the polar axis is y, and the basis, order and signs equal e3nn's.
 *
 * One source for two uses: the committed polynomial table (o3/sh-tables.ts, written by
 * tools/gen-sh-tables.ts) is evaluated here in float64, and the model builders emit the same
 * monomials and coefficients as graph operations (`shPolynomials`).
 */
import { SH_TABLE, SH_TABLE_LMAX } from './sh-tables.js';

/**
 * Normalization of the harmonics, per degree l (e3nn's names):
 * - `component`: Σ_m Y_lm(r̂)² = 2l+1 (each component has mean square 1 over the sphere);
 * - `norm`: Σ_m Y_lm(r̂)² = 1;
 * - `integral`: ∫_{S²} Y_lm² dΩ = 1 (orthonormal).
 */
export type ShNormalization = 'component' | 'norm' | 'integral';

/** Options of `sphericalHarmonics`. */
export interface SphericalHarmonicsOptions {
  /** Evaluate on r/|r| (default true). When false, the homogeneous polynomials of the raw vector. */
  readonly normalize?: boolean;
  /** Default `component`. */
  readonly normalization?: ShNormalization;
}

/** One monomial coefficient·x^a·y^b·z^c of a harmonic. */
export interface ShMonomial {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly coefficient: number;
}

/** The polynomial of one degree: `components[m + l]` lists the monomials of Y_{l,m}. */
export interface ShPolynomial {
  readonly l: number;
  /** Constant factor that turns the tabulated 'component' values into the requested normalization. */
  readonly factor: number;
  readonly components: readonly (readonly ShMonomial[])[];
}

/** Largest supported degree. */
export const SH_LMAX = SH_TABLE_LMAX;

/**
 * The factor by which 'component'-normalized harmonics of degree l are multiplied to get
 * `normalization`: 1, 1/√(2l+1), or 1/√(4π).
 */
export function shNormalizationFactor(l: number, normalization: ShNormalization = 'component'): number {
  switch (normalization) {
    case 'component':
      return 1;
    case 'norm':
      return 1 / Math.sqrt(2 * l + 1);
    case 'integral':
      return 1 / Math.sqrt(4 * Math.PI);
    default:
      throw new Error(`sphericalHarmonics: unknown normalization ${JSON.stringify(normalization)}; use component, norm or integral`);
  }
}

type ShKernel = (vectors: Float64Array, out: Float64Array, n: number) => void;
const kernels = new Map<string, ShKernel>();

/**
 * The evaluator of one list of degrees: the table's monomials flattened once (exponents and
 * coefficients with the normalization folded in), then per vector the powers of x, y, z and one
 * sum per component — plain loops, nothing allocated per call.
 */
function shKernel(degrees: readonly number[], normalization: ShNormalization, normalize: boolean): ShKernel {
  const key = `${degrees.join(',')}|${normalization}|${normalize}`;
  let k = kernels.get(key);
  if (k) return k;
  const lmax = Math.max(...degrees);
  const starts: number[] = [0];
  const exps: number[] = [];
  const coefs: number[] = [];
  for (const l of degrees) {
    const f = shNormalizationFactor(l, normalization);
    for (const comp of SH_TABLE[l]!) {
      for (const [a, b, c, coef] of comp) {
        exps.push(a, b, c);
        coefs.push(coef * f);
      }
      starts.push(coefs.length);
    }
  }
  const dim = starts.length - 1;
  const start = Int32Array.from(starts);
  const coef = Float64Array.from(coefs);
  // Powers x^p, y^p, z^p for p = 0..lmax in one array: x at [0, P), y at [P, 2P), z at [2P, 3P);
  // each monomial's three indices into it are computed once.
  const P = lmax + 1;
  const ix = Int32Array.from(coefs, (_, t) => exps[3 * t]!);
  const iy = Int32Array.from(coefs, (_, t) => P + exps[3 * t + 1]!);
  const iz = Int32Array.from(coefs, (_, t) => 2 * P + exps[3 * t + 2]!);
  const pw = new Float64Array(3 * P);
  k = (vectors, out, n) => {
    for (let i = 0; i < n; i++) {
      let x = vectors[3 * i]!, y = vectors[3 * i + 1]!, z = vectors[3 * i + 2]!;
      if (normalize) {
        // Divide by the largest magnitude first so that squaring neither overflows nor underflows.
        const s = Math.max(Math.abs(x), Math.abs(y), Math.abs(z));
        if (s > 0) {
          x /= s; y /= s; z /= s;
          const r = Math.sqrt(x * x + y * y + z * z);
          x /= r; y /= r; z /= r;
        } else {
          x = 0; y = 0; z = 0;
        }
      }
      pw[0] = 1; pw[P] = 1; pw[2 * P] = 1;
      if (lmax >= 1) { pw[1] = x; pw[P + 1] = y; pw[2 * P + 1] = z; }
      for (let p = 2; p < P; p++) {
        pw[p] = pw[p - 1]! * x;
        pw[P + p] = pw[P + p - 1]! * y;
        pw[2 * P + p] = pw[2 * P + p - 1]! * z;
      }
      const o = i * dim;
      for (let c = 0; c < dim; c++) {
        const t0 = start[c]!, t1 = start[c + 1]!;
        if (t0 === t1) {
          out[o + c] = 0;
          continue;
        }
        // Summed from the first monomial (not from 0), so that a −0 stays −0.
        let sum = coef[t0]! * pw[ix[t0]!]! * pw[iy[t0]!]! * pw[iz[t0]!]!;
        for (let t = t0 + 1; t < t1; t++) sum += coef[t]! * pw[ix[t]!]! * pw[iy[t]!]! * pw[iz[t]!]!;
        out[o + c] = sum;
      }
    }
  };
  kernels.set(key, k);
  return k;
}

/** The degrees asked for (a number means 0..lmax), checked against the table. */
function degreesOf(ls: number | readonly number[]): readonly number[] {
  const degrees = typeof ls === 'number' ? Array.from({ length: ls + 1 }, (_, l) => l) : ls;
  if (degrees.length === 0) throw new Error('sphericalHarmonics: ls is empty');
  for (const l of degrees) {
    if (!Number.isInteger(l) || l < 0 || l > SH_LMAX) throw new Error(`sphericalHarmonics: degree ${l} is outside 0..${SH_LMAX}`);
  }
  return degrees;
}

/**
 * The polynomial tables for degrees 0..lmax (or the listed degrees), for emitting the harmonics
 * as graph ops: Y_{l,m}(r̂) = factor · Σ coefficient · x̂^a ŷ^b ẑ^c with a + b + c = l.
 *
 * @example
 * const [, p1] = shPolynomials(1);
 * p1.components[0]; // [{ a: 1, b: 0, c: 0, coefficient: 1.7320508075688772 }]  (√3·x)
 */
export function shPolynomials(lmax: number | readonly number[], normalization: ShNormalization = 'component'): ShPolynomial[] {
  return degreesOf(lmax).map((l) => ({
    l,
    factor: shNormalizationFactor(l, normalization),
    components: SH_TABLE[l]!.map((terms) => terms.map(([a, b, c, coefficient]) => ({ a, b, c, coefficient }))),
  }));
}

/**
 * Spherical harmonics Y_l of n vectors, for each degree in `ls`, concatenated in that order.
 *
 * With `normalize` (the default) the vectors are scaled by their largest component before the
 * norm is taken, so tiny (1e-300) and huge (1e300) vectors are exact and the poles give exact
 * values. A zero vector gives Y_0 only (all l > 0 components 0), as e3nn does.
 *
 * @param ls degrees, e.g. `[0, 1, 2]` or a single lmax number meaning 0..lmax
 * @param vectors Float64Array [n, 3], row-major
 * @returns Float64Array [n, Σ(2l+1)], row-major
 * @example
 * sphericalHarmonics(1, new Float64Array([0, 0, 2])); // [1, 0, 0, √3]
 */
export function sphericalHarmonics(
  ls: number | readonly number[],
  vectors: Float64Array,
  options: SphericalHarmonicsOptions = {},
): Float64Array {
  const degrees = degreesOf(ls);
  if (vectors.length % 3 !== 0) throw new Error(`sphericalHarmonics: vectors has length ${vectors.length}, not a multiple of 3 ([n, 3])`);
  const normalize = options.normalize ?? true;
  const normalization = options.normalization ?? 'component';

  const n = vectors.length / 3;
  let dim = 0;
  for (const l of degrees) dim += 2 * l + 1;
  const out = new Float64Array(n * dim);
  shKernel(degrees, normalization, normalize)(vectors, out, n);
  return out;
}
