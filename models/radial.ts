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
import type { RadialSettings } from './options.js';
import type { ParameterSet } from './parameters.js';

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

/** The radial edge embedding of one cutoff, with its trainable frequencies (if any) in a parameter set. */
export interface RadialEmbedding {
  readonly settings: RadialSettings;
  /** (E, numBasis) b_n(r) · u(r / r_max) of edge lengths (E, 1), Å. */
  emit(g: Graph, lengths: Value): Value;
}

/**
 * Creates the frequencies `${prefix}.bessel_weights` = (π, 2π, …) when they are trainable, and
 * returns the embedding.
 * @example const emb = radialEmbedding(params, 'radial_basis', 5.0, radialSchema.parse({})).emit(g, len);
 */
export function radialEmbedding(params: ParameterSet, prefix: string, rMax: number, s: RadialSettings): RadialEmbedding {
  const initial = Array.from({ length: s.numBasis }, (_, n) => (n + 1) * Math.PI);
  const frequencies = s.trainableFrequencies ? params.create(`${prefix}.bessel_weights`, [s.numBasis], { values: initial }) : undefined;
  return {
    settings: s,
    emit(g, lengths) {
      return g.scope('radial', () => {
        const freq = frequencies ? params.weight(g, frequencies) : g.constant(initial, [s.numBasis]);
        const arg = g.mul(g.div(lengths, rMax), g.reshape(freq, [1, s.numBasis]));
        const bessel = g.mul(g.div(g.sin(arg), lengths), 2 / rMax);
        return g.mul(bessel, emitPolynomialCutoff(g, lengths, rMax, s.cutoffP));
      });
    },
  };
}
