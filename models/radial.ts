/**
 * Radial edge embedding: a Bessel basis times a smooth polynomial cutoff envelope, as in NequIP
 * (Batzner et al., Nat. Commun. 13, 2453 (2022), eq. 8) and DimeNet (Klicpera et al.,
 * ICLR 2020, eqs. 7–8):
 *
 *   b_n(r) = (2 / r_max) · sin(w_n r / r_max) / r,   w_n = nπ (optionally trainable),
 *   u(x)  = 1 − (p+1)(p+2)/2 · x^p + p(p+2) · x^(p+1) − p(p+1)/2 · x^(p+2),   x = r / r_max < 1,
 *
 * and u = 0 beyond r_max. u, u′ and u″ all vanish at x = 1, so energies, forces and their first
 * derivative are continuous as a neighbour crosses r_max.
 */
import type { Graph, Value } from '../onnx/index.js';
import type { ParameterSet } from './parameters.js';

/** Options of the radial embedding. */
export interface RadialOptions {
  /** Number of Bessel functions (default 8). */
  readonly numBasis?: number;
  /** Whether the frequencies w_n are trained (default true, as NequIP). */
  readonly trainableFrequencies?: boolean;
  /** Exponent p of the polynomial envelope (default 6). */
  readonly cutoffP?: number;
}

/** Resolved radial options. */
export interface RadialSettings {
  readonly numBasis: number;
  readonly trainableFrequencies: boolean;
  readonly cutoffP: number;
}

/** Defaults filled in and checked. @throws naming the bad option */
export function radialSettings(options: RadialOptions = {}): RadialSettings {
  const numBasis = options.numBasis ?? 8;
  const cutoffP = options.cutoffP ?? 6;
  if (!Number.isInteger(numBasis) || numBasis < 1) throw new Error(`radial.numBasis must be a positive integer, got ${numBasis}`);
  if (!(cutoffP >= 2) || !Number.isFinite(cutoffP)) throw new Error(`radial.cutoffP must be a number ≥ 2, got ${cutoffP}`);
  return Object.freeze({ numBasis, trainableFrequencies: options.trainableFrequencies ?? true, cutoffP });
}

/** Creates the frequency parameter `${prefix}.bessel_weights` = (π, 2π, …) in `params` when trainable. */
export function createRadialParameters(params: ParameterSet, prefix: string, s: RadialSettings): void {
  if (s.trainableFrequencies) params.create(`${prefix}.bessel_weights`, [s.numBasis], { values: Array.from({ length: s.numBasis }, (_, n) => (n + 1) * Math.PI) });
}

/** u(x) of the polynomial envelope for x = r / r_max, as a plain function (tests, references). */
export function polynomialCutoff(x: number, p: number): number {
  if (!(x < 1)) return 0;
  const xp = x ** p;
  return 1 - ((p + 1) * (p + 2) / 2) * xp + p * (p + 2) * xp * x - (p * (p + 1) / 2) * xp * x * x;
}

/** (E, 1) envelope u(r / r_max), zero beyond r_max. */
export function emitPolynomialCutoff(g: Graph, lengths: Value, rMax: number, p: number): Value {
  return g.scope('cutoff', () => {
    const x = g.div(lengths, rMax);
    const xp = g.pow(x, p);
    // Horner form of the envelope after factoring out x^p.
    const poly = g.add(g.mul(g.add(g.mul(x, -(p * (p + 1)) / 2), p * (p + 2)), x), -((p + 1) * (p + 2)) / 2);
    const u = g.add(g.mul(xp, poly), 1);
    return g.where(g.less(x, 1), u, 0);
  });
}

/**
 * (E, numBasis) edge embedding b_n(r) · u(r / r_max).
 * @example const emb = emitRadialEmbedding(g, params, 'radial', len, 5.0, radialSettings());
 */
export function emitRadialEmbedding(g: Graph, params: ParameterSet, prefix: string, lengths: Value, rMax: number, s: RadialSettings): Value {
  return g.scope('radial', () => {
    const freq = s.trainableFrequencies
      ? params.weight(g, `${prefix}.bessel_weights`)
      : g.constant(Array.from({ length: s.numBasis }, (_, n) => (n + 1) * Math.PI), [s.numBasis]);
    const arg = g.mul(g.div(lengths, rMax), g.reshape(freq, [1, s.numBasis]));
    const bessel = g.mul(g.div(g.sin(arg), lengths), 2 / rMax);
    return g.mul(bessel, emitPolynomialCutoff(g, lengths, rMax, s.cutoffP));
  });
}
