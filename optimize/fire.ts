/**
 * FIRE, the fast inertial relaxation engine (Bitzek, Koskinen, Gähler, Moseler & Gumbsch, Phys.
 * Rev. Lett. 97, 170201 (2006)): damped MD with unit masses whose velocity is turned towards the
 * force, α mixing, accelerating while the power F·v stays positive and stopping dead when it turns
 * negative. Parameters are the paper's (N_min 5, f_inc 1.1, f_dec 0.5, α_start 0.1, f_α 0.99) with
 * ASE's time steps (Δt 0.1, Δt_max 1.0, in the convention v += Δt F, x += Δt v with F in eV/Å and
 * unit mass, so x moves by Δt² F Å) and a cap on the distance any triple (atom) moves per step.
 */
import { type Objective, type Optimizer, type OptimizerState, dot, evaluateAt, maxTripleNorm } from './objective.js';

/** Options of FIRE (defaults in parentheses). */
export interface FireOptions {
  /** Largest move of one atom per step, Å (0.2). */
  maxStep_A?: number;
  /** Initial and largest time steps (0.1, 1.0). */
  dt?: number;
  dtMax?: number;
}

/**
 * A FIRE minimiser.
 *
 * @example
 * const fire = createFire();
 * while (!converged(state)) await fire.step(objective, state);
 */
export function createFire(options: FireOptions = {}): Optimizer {
  const maxStep = options.maxStep_A ?? 0.2;
  let dt = options.dt ?? 0.1;
  const dtMax = options.dtMax ?? 1.0;
  const nMin = 5, fInc = 1.1, fDec = 0.5, alphaStart = 0.1, fAlpha = 0.99;
  let alpha = alphaStart;
  let positiveSteps = 0;
  let v: Float64Array | null = null;
  let dx: Float64Array | null = null;
  return {
    name: 'fire',
    async step(objective: Objective, state: OptimizerState): Promise<void> {
      const g = state.gradient, x = state.x, n = x.length;
      if (!v || v.length !== n) { v = new Float64Array(n); dx = new Float64Array(n); }
      // Force F = −g. Power P = F·v.
      const power = -dot(g, v);
      if (power > 0) {
        const vNorm = Math.sqrt(dot(v, v)), fNorm = Math.sqrt(dot(g, g));
        const mix = fNorm > 0 ? (alpha * vNorm) / fNorm : 0;
        for (let k = 0; k < n; k++) v[k] = (1 - alpha) * v[k] - mix * g[k];
        if (positiveSteps > nMin) {
          dt = Math.min(dt * fInc, dtMax);
          alpha *= fAlpha;
        }
        positiveSteps++;
      } else {
        v.fill(0);
        alpha = alphaStart;
        dt *= fDec;
        positiveSteps = 0;
      }
      for (let k = 0; k < n; k++) {
        v[k] -= dt * g[k];
        dx![k] = dt * v[k];
      }
      const longest = maxTripleNorm(dx!, objective.tripleScale);
      const s = longest > maxStep ? maxStep / longest : 1;
      for (let k = 0; k < n; k++) x[k] += s * dx![k];
      await evaluateAt(objective, state);
    },
  };
}
