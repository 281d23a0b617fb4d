/**
 * Scalar activations for gates, with their parity (which decides the output parity of an odd
 * scalar, as in e3nn) and their second-moment normalization (e3nn's `normalize2mom`): the
 * constant c with E[(c·f(z))²] = 1 for z ~ N(0, 1), so activated features keep unit variance.
 */

/** Symmetry of f under x → −x. Odd scalars (0o) need an even or odd activation. */
export type ActivationParity = 'even' | 'odd' | 'none';

/** A named scalar function; the name is what a graph emitter maps to an op. */
export interface Activation {
  readonly name: string;
  readonly fn: (x: number) => number;
  readonly parity: ActivationParity;
}

const sigmoidFn = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/**
 * The activations NequIP and Allegro use. `ssp` is the shifted softplus softplus(x) − ln 2.
 * @example activations.silu.fn(1) // 0.7310585786300049
 */
export const activations = Object.freeze({
  silu: Object.freeze<Activation>({ name: 'silu', fn: (x) => x * sigmoidFn(x), parity: 'none' }),
  tanh: Object.freeze<Activation>({ name: 'tanh', fn: Math.tanh, parity: 'odd' }),
  sigmoid: Object.freeze<Activation>({ name: 'sigmoid', fn: sigmoidFn, parity: 'none' }),
  ssp: Object.freeze<Activation>({ name: 'ssp', fn: (x) => softplus(x) - Math.LN2, parity: 'none' }),
  abs: Object.freeze<Activation>({ name: 'abs', fn: Math.abs, parity: 'even' }),
  identity: Object.freeze<Activation>({ name: 'identity', fn: (x) => x, parity: 'odd' }),
});

/**
 * c = E[f(z)²]^(−1/2) for z ~ N(0, 1), by composite Gauss–Legendre quadrature of
 * f(z)² φ(z) over [−12, 12] in 480 panels (a panel edge at 0 for kinks like |x|). This is the
 * exact value that e3nn's `normalize2mom` estimates by Monte Carlo (1e6 samples, seed 0); the
 * two differ by ~1e-3 relative. Returns 1 when |c − 1| < 1e-4, as e3nn does.
 */
export function normalize2mom(f: (x: number) => number): number {
  const nodes = [-0.906179845938664, -0.5384693101056831, 0, 0.5384693101056831, 0.906179845938664];
  const weights = [0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891];
  const panels = 480;
  const a = -12;
  const h = 24 / panels;
  let m2 = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    for (let q = 0; q < 5; q++) {
      const z = mid + 0.5 * h * nodes[q];
      const v = f(z);
      m2 += 0.5 * h * weights[q] * v * v * Math.exp(-0.5 * z * z);
    }
  }
  m2 /= Math.sqrt(2 * Math.PI);
  if (!(m2 > 0) || !Number.isFinite(m2)) throw new Error('normalize2mom: activation has zero or infinite second moment');
  const c = 1 / Math.sqrt(m2);
  return Math.abs(c - 1) < 1e-4 ? 1 : c;
}
