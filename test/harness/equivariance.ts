/**
 * Shared equivariance check (the e3nn `assert_equivariant` idea): f(D_in(g) x) = D_out(g) f(x)
 * for random proper and improper orthogonal g. Model builders reuse it for whole networks.
 */
import { Irreps, randomOrthogonal, seededUniform, type IrrepsLike, type UniformSource } from '../../o3/index.js';

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

/** n standard normal deviates (Box–Muller) from a uniform source. */
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
 * [batch, irrepsOut.dim], and for random g ∈ O(3), fn(x·D_in(g)ᵀ) = fn(x)·D_out(g)ᵀ.
 * Throws an Error naming the rotation and the worst component when it is not.
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
  const n = inI.dim === 0 ? batch : x.length / inI.dim;
  const fx = Float64Array.from(fn(x));
  if (fx.length !== n * outI.dim) throw new Error(`assertEquivariant: fn returned ${fx.length} numbers, expected ${n}x${outI.dim} for ${outI}`);
  let maxOutput = 0;
  for (const v of fx) {
    if (!Number.isFinite(v)) throw new Error('assertEquivariant: fn returned a non-finite value');
    maxOutput = Math.max(maxOutput, Math.abs(v));
  }
  const scale = Math.max(1, maxOutput);
  let maxError = 0;
  const kinds = opts.improper === false ? [false] : [false, true];
  for (let r = 0; r < (opts.rotations ?? 3); r++) {
    for (const improper of kinds) {
      const R = randomOrthogonal(rand, improper);
      const fRx = fn(applyBlock(inI.D(R), x, n, inI.dim));
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
        throw new Error(
          `not equivariant (${inI} -> ${outI}) under ${improper ? 'an improper' : 'a proper'} rotation #${r}: ` +
            `component ${at % outI.dim} of sample ${Math.floor(at / outI.dim)} is off by ${worst.toExponential(3)} (tolerance ${tol})`,
        );
      }
      maxError = Math.max(maxError, worst);
    }
  }
  return { maxError, maxOutput };
}
