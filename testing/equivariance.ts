/**
 * The equivariance check of any map between irreps (e3nn's `assert_equivariant`):
 * f(D_in(g) x) = D_out(g) f(x) for random proper and improper orthogonal g. Layers, plans and
 * whole networks (as maps of positions) use it alike.
 */
import { Irreps, randomOrthogonal, seededUniform, type IrrepsLike, type UniformSource } from '../o3/index.js';
import { AssertionError } from './assertion.js';

/** Options of `assertEquivariant`. */
export interface EquivarianceOptions {
  /** Number of random inputs per call (batch), default 4. */
  readonly batch?: number;
  /** Number of random rotations, each tested proper and improper, default 3. */
  readonly rotations?: number;
  /** Bound on |f(Dx) − D f(x)| / max(1, |f(x)|∞): absolute for small outputs, relative for large; default 1e-10 (use ~1e-4 for float32). */
  readonly tolerance?: number;
  /** Test improper rotations (parity) too; default true. Set false for SO(3)-only maps. */
  readonly improper?: boolean;
  /** Random source; default seeded. */
  readonly rand?: UniformSource;
  /** Inputs to use instead of random normals, Float64Array [batch, irrepsIn.dim]. */
  readonly inputs?: Float64Array;
}

/** What was measured; returned so tests can print or assert more. */
export interface EquivarianceReport {
  /** Largest scaled deviation over all rotations. */
  readonly maxError: number;
  /** Largest |f(x)| seen (to catch trivially zero maps). */
  readonly maxOutput: number;
}

/** n standard normal deviates (Box–Muller) from a uniform source. @example normals(6, seededUniform(1)) */
export function normals(n: number, rand: UniformSource): Float64Array {
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
}

function applyBlock(D: Float64Array, x: Float64Array, batch: number, dim: number): Float64Array {
  const y = new Float64Array(batch * dim);
  for (let z = 0; z < batch; z++) {
    for (let i = 0; i < dim; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += D[i * dim + j] * x[z * dim + j];
      y[z * dim + i] = s;
    }
  }
  return y;
}

/**
 * Asserts that `fn` is equivariant: fn maps Float64Array [batch, irrepsIn.dim] to
 * [batch, irrepsOut.dim], and for random g ∈ O(3), fn(x·D_in(g)ᵀ) = fn(x)·D_out(g)ᵀ. Improper g
 * are −R (R proper): D of an odd irrep (`1o`) flips sign, of an even one (`1e`, pseudovectors) not.
 * A map that returns zeros passes; `maxOutput` of the report tells.
 * @throws AssertionError naming the rotation and the worst component when it is not, or when fn returns a non-finite value
 * @throws Error when the inputs or fn's output have the wrong length
 *
 * @example
 * const lin = new Linear({ irrepsIn: '4x0e+2x1o', irrepsOut: '3x0e+1x1o' });
 * assertEquivariant((x) => lin.apply(x, weights), lin.irrepsIn, lin.irrepsOut); // float32 maps: { tolerance: 1e-4 }
 */
export function assertEquivariant(
  fn: (x: Float64Array) => Float64Array | Float32Array,
  irrepsIn: IrrepsLike,
  irrepsOut: IrrepsLike,
  opts: EquivarianceOptions = {},
): EquivarianceReport {
  const inI = Irreps.parse(irrepsIn);
  const outI = Irreps.parse(irrepsOut);
  const rand = opts.rand ?? seededUniform(1234);
  const batch = opts.batch ?? 4;
  const tol = opts.tolerance ?? 1e-10;
  const x = opts.inputs ?? normals(batch * inI.dim, rand);
  if (inI.dim > 0 && x.length % inI.dim !== 0) throw new Error(`assertEquivariant: inputs has ${x.length} numbers, not a multiple of ${inI} (dim ${inI.dim})`);
  const n = inI.dim === 0 ? batch : x.length / inI.dim;
  const evaluate = (input: Float64Array, what: string): Float64Array => {
    const y = Float64Array.from(fn(input));
    if (y.length !== n * outI.dim) throw new Error(`assertEquivariant: fn returned ${y.length} numbers for ${what}, expected ${n}x${outI.dim} for ${outI}`);
    const bad = y.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new AssertionError(`assertEquivariant: fn returned ${y[bad]} (component ${bad % outI.dim} of sample ${Math.floor(bad / outI.dim)}) for ${what}`);
    return y;
  };
  const fx = evaluate(x, 'the unrotated inputs');
  let maxOutput = 0;
  for (const v of fx) maxOutput = Math.max(maxOutput, Math.abs(v));
  const scale = Math.max(1, maxOutput);
  let maxError = 0;
  const kinds = opts.improper === false ? [false] : [false, true];
  for (let r = 0; r < (opts.rotations ?? 3); r++) {
    for (const improper of kinds) {
      const R = randomOrthogonal(rand, improper);
      const fRx = evaluate(applyBlock(inI.D(R), x, n, inI.dim), `${improper ? 'improper' : 'proper'} rotation #${r}`);
      const Rfx = applyBlock(outI.D(R), fx, n, outI.dim);
      let worst = 0;
      let at = 0;
      for (let i = 0; i < Rfx.length; i++) {
        const e = Math.abs(fRx[i] - Rfx[i]) / scale;
        if (!(e <= worst)) {
          worst = e;
          at = i;
        }
      }
      if (!(worst <= tol)) {
        throw new AssertionError(
          `not equivariant (${inI} -> ${outI}) under ${improper ? 'an improper' : 'a proper'} rotation #${r}: ` +
            `component ${at % outI.dim} of sample ${Math.floor(at / outI.dim)} is off by ${worst.toExponential(3)} (tolerance ${tol})`,
        );
      }
      maxError = Math.max(maxError, worst);
    }
  }
  return { maxError, maxOutput };
}
