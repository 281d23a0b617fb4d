/**
 * Spherical harmonics of the edge directions as graph ops, from o3's polynomial tables
 * (`shPolynomials`, the same table o3's float64 `sphericalHarmonics` evaluates).
 *
 * Every Y_lm is a homogeneous polynomial of degree l in the unit vector û. The graph forms all
 * ordered monomials up to lmax by repeated outer products (1, û, û⊗û, …: 1 + 3 + 9 + … columns)
 * and maps them to the harmonics with one constant matrix, so lmax 2 costs two products, one
 * concat and one matmul per edge batch instead of dozens of scalar ops.
 */
import { Irreps, shPolynomials, type ShNormalization } from '../o3/index.js';
import type { Graph, Value } from '../onnx/index.js';

/** Options of {@link emitSphericalHarmonics}. */
export interface SphericalHarmonicsEmitOptions {
  /** Largest degree (≥ 0). */
  readonly lmax: number;
  /** Default `'component'` (e3nn's and NequIP's). */
  readonly normalization?: ShNormalization;
}

/** The harmonics in e3nn layout and their irreps `1x0e+1x1o+1x2e+…`. */
export interface EmittedHarmonics {
  readonly irreps: Irreps;
  /** (E, Σ(2l+1)) values, e3nn order. */
  readonly flat: Value;
}

/**
 * The constant matrix [Σ 3^l, Σ (2l+1)] that maps the ordered monomials (1, û, û⊗û, …) to the
 * harmonics. A monomial x^a y^b z^c is put on the ordered tuple (x…x y…y z…z), whose index in
 * the flattened outer product reads the tuple as base-3 digits, most significant first.
 */
export function monomialToHarmonicsMatrix(lmax: number, normalization: ShNormalization = 'component'): { rows: number; cols: number; data: Float64Array } {
  const polys = shPolynomials(lmax, normalization);
  let rows = 0;
  const rowStart: number[] = [];
  for (let l = 0; l <= lmax; l++) {
    rowStart.push(rows);
    rows += 3 ** l;
  }
  const cols = (lmax + 1) ** 2;
  const data = new Float64Array(rows * cols);
  let col = 0;
  for (const p of polys) {
    for (const comp of p.components) {
      for (const m of comp) {
        let idx = 0;
        for (const [digit, count] of [[0, m.a], [1, m.b], [2, m.c]] as const) for (let r = 0; r < count; r++) idx = idx * 3 + digit;
        data[(rowStart[p.l]! + idx) * cols + col] += m.coefficient * p.factor;
      }
      col++;
    }
  }
  return { rows, cols, data };
}

/**
 * Y_l(r̂) for l = 0..lmax of edge vectors `vectors` (E, 3) with lengths `lengths` (E, 1).
 * @example const sh = emitSphericalHarmonics(g, vec, len, { lmax: 2 });   // sh.flat: [E, 9]
 */
export function emitSphericalHarmonics(g: Graph, vectors: Value, lengths: Value, options: SphericalHarmonicsEmitOptions): EmittedHarmonics {
  const { lmax } = options;
  if (!Number.isInteger(lmax) || lmax < 0) throw new Error(`spherical harmonics: lmax must be a non-negative integer, got ${lmax}`);
  return g.scope('spherical_harmonics', () => {
    const irreps = Irreps.sphericalHarmonics(lmax);
    const batch = vectors.shape[0]!;
    const unit = g.div(vectors, lengths);
    const monomials: Value[] = [g.expand(g.constant(1, [1, 1]), [batch, 1])];
    let prev = unit;
    if (lmax >= 1) monomials.push(unit);
    for (let l = 2; l <= lmax; l++) {
      const width = 3 ** (l - 1);
      const outer = g.mul(g.reshape(prev, [batch, width, 1]), g.reshape(unit, [batch, 1, 3]));
      prev = g.reshape(outer, [batch, 3 * width]);
      monomials.push(prev);
    }
    const m = monomials.length === 1 ? monomials[0]! : g.concat(monomials, 1);
    const c = monomialToHarmonicsMatrix(lmax, options.normalization ?? 'component');
    const flat = g.matmul(m, g.constant(c.data, [c.rows, c.cols]));
    return { irreps, flat };
  });
}
