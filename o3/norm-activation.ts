/**
 * Norm nonlinearity (e3nn 0.5's `nn.NormActivation`): each irrep copy x is rescaled by a scalar
 * function of its norm, x ↦ x · f(|x|) / |x| (or x · f(|x|) without `normalize`). The norm is
 * rotation invariant, so the map is equivariant for every irrep, and parity is kept.
 */
import { Irreps, type IrrepsLike } from './irreps.js';
import type { Activation } from './activation.js';

/** Options of `NormActivation`. */
export interface NormActivationOptions {
  readonly irreps: IrrepsLike;
  readonly activation: Activation;
  /** Divide by |x| so that only the length is transformed (default true, as e3nn). */
  readonly normalize?: boolean;
  /** Norms below this are raised to it before use, so a zero copy maps to zero, not NaN (default 1e-12). */
  readonly epsilon?: number;
}

/**
 * A norm nonlinearity over `irreps`: same irreps and layout out as in, each copy rescaled.
 * @example
 * const act = new NormActivation({ irreps: '4x1o+2x2e', activation: activations.sigmoid });
 * act.apply(x); // same irreps, same layout
 */
export class NormActivation {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  readonly activation: Activation;
  readonly normalize: boolean;
  readonly epsilon: number;

  constructor(options: NormActivationOptions) {
    this.irrepsIn = Irreps.parse(options.irreps);
    this.irrepsOut = this.irrepsIn;
    this.activation = options.activation;
    this.normalize = options.normalize ?? true;
    this.epsilon = options.epsilon ?? 1e-12;
    if (!(this.epsilon >= 0)) throw new Error(`NormActivation: epsilon must be ≥ 0, got ${this.epsilon}`);
    Object.freeze(this);
  }

  /**
   * @param x Float64Array [batch, irreps.dim]
   * @returns Float64Array [batch, irreps.dim]
   */
  apply(x: Float64Array): Float64Array {
    const dim = this.irrepsIn.dim;
    if (dim === 0 || x.length % dim !== 0) throw new Error(`NormActivation.apply: x has length ${x.length}, not a multiple of ${dim}`);
    const out = new Float64Array(x.length);
    const f = this.activation.fn;
    for (let base = 0; base < x.length; base += dim) {
      let p = base;
      for (const { mul, ir } of this.irrepsIn.terms) {
        const d = ir.dim;
        for (let u = 0; u < mul; u++, p += d) {
          let n2 = 0;
          for (let k = 0; k < d; k++) n2 += x[p + k] * x[p + k];
          const n = Math.max(Math.sqrt(n2), this.epsilon);
          const s = this.normalize ? f(n) / n : f(n);
          for (let k = 0; k < d; k++) out[p + k] = s * x[p + k];
        }
      }
    }
    return out;
  }
}
