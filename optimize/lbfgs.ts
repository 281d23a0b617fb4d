/**
 * Limited-memory BFGS (Nocedal, Math. Comp. 35, 773 (1980); Liu & Nocedal, Math. Program. 45, 503
 * (1989)): the two-loop recursion over the last `memory` steps gives a quasi-Newton direction,
 * scaled by γ = sᵀy / yᵀy (Nocedal & Wright, "Numerical Optimization", eq. 7.20), capped so no atom
 * moves more than `maxStep_A`, and accepted by a backtracking (Armijo) line search on the energy.
 * Pairs with sᵀy ≤ 0 (no positive curvature) are skipped; a direction that does not descend, or a
 * line search that fails, resets the memory and falls back to steepest descent.
 */
import { type Objective, type Optimizer, type OptimizerState, dot, evaluateAt, maxTripleNorm } from './objective.js';

/** Options of L-BFGS (defaults in parentheses). */
export interface LbfgsOptions {
  /** Stored (s, y) pairs (20). */
  memory?: number;
  /** Largest move of one atom per step, Å (0.2). */
  maxStep_A?: number;
  /**
   * Inverse curvature of the first step, Å²/eV (1/70: ASE's initial Hessian of 70 eV/Å², typical of
   * bonds in solids and molecules).
   */
  initialInverseCurvature?: number;
}

const ARMIJO_C1 = 1e-4;
const MAX_HALVINGS = 12;

/**
 * An L-BFGS minimiser with a backtracking line search.
 *
 * @example
 * const lbfgs = createLbfgs();
 * while (!converged(state)) await lbfgs.step(objective, state);
 */
export function createLbfgs(options: LbfgsOptions = {}): Optimizer {
  const memory = options.memory ?? 20;
  const maxStep = options.maxStep_A ?? 0.2;
  const h0 = options.initialInverseCurvature ?? 1 / 70;
  const s: Float64Array[] = [], y: Float64Array[] = [], rho: number[] = [];
  let d = new Float64Array(0), x0 = new Float64Array(0), g0 = new Float64Array(0);
  const alpha: number[] = [];

  /** d = −H g by the two-loop recursion. */
  function direction(g: Float64Array): void {
    d.set(g);
    const m = s.length;
    for (let i = m - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(s[i], d);
      const yi = y[i];
      for (let k = 0; k < d.length; k++) d[k] -= alpha[i] * yi[k];
    }
    const gamma = m > 0 ? dot(s[m - 1], y[m - 1]) / dot(y[m - 1], y[m - 1]) : h0;
    for (let k = 0; k < d.length; k++) d[k] *= gamma;
    for (let i = 0; i < m; i++) {
      const beta = rho[i] * dot(y[i], d);
      const si = s[i];
      for (let k = 0; k < d.length; k++) d[k] += (alpha[i] - beta) * si[k];
    }
    for (let k = 0; k < d.length; k++) d[k] = -d[k];
  }

  function reset(): void {
    s.length = 0; y.length = 0; rho.length = 0;
  }

  return {
    name: 'lbfgs',
    async step(objective: Objective, state: OptimizerState): Promise<void> {
      const n = state.x.length;
      if (d.length !== n) { d = new Float64Array(n); x0 = new Float64Array(n); g0 = new Float64Array(n); reset(); }
      direction(state.gradient);
      let slope = dot(state.gradient, d);
      if (!(slope < 0)) {
        // Not a descent direction (curvature information gone bad): start over from steepest descent.
        reset();
        for (let k = 0; k < n; k++) d[k] = -h0 * state.gradient[k];
        slope = dot(state.gradient, d);
      }
      const longest = maxTripleNorm(d, objective.tripleScale);
      if (longest > maxStep) {
        const c = maxStep / longest;
        for (let k = 0; k < n; k++) d[k] *= c;
        slope *= c;
      }
      x0.set(state.x);
      g0.set(state.gradient);
      const e0 = state.energy;
      let t = 1;
      for (let halving = 0; ; halving++) {
        for (let k = 0; k < n; k++) state.x[k] = x0[k] + t * d[k];
        await evaluateAt(objective, state);
        if (state.energy <= e0 + ARMIJO_C1 * t * slope) break;
        if (halving === MAX_HALVINGS) {
          // The energy does not decrease along d at any tried length (noise, or a bad model of the
          // curvature): keep the shortest step, forget the history.
          reset();
          return;
        }
        t *= 0.5;
      }
      const sk = new Float64Array(n), yk = new Float64Array(n);
      for (let k = 0; k < n; k++) { sk[k] = state.x[k] - x0[k]; yk[k] = state.gradient[k] - g0[k]; }
      const sy = dot(sk, yk);
      if (sy > 0) {
        s.push(sk); y.push(yk); rho.push(1 / sy);
        if (s.length > memory) { s.shift(); y.shift(); rho.shift(); }
      }
    },
  };
}
