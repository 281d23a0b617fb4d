/**
 * What the optimisers minimise: an energy of a flat coordinate vector whose entries come in
 * triples (an atom's x, y, z, or a row of a cell deformation), with its gradient. Step-size limits
 * act per triple, so no atom moves more than `maxStep_A` in one step.
 */

/** A differentiable energy of `dim` coordinates (dim a multiple of 3). */
export interface Objective {
  /** Number of coordinates. */
  readonly dim: number;
  /**
   * (dim/3,) Å moved per unit change of each triple's coordinates, for the step-length cap: 1 for an
   * atom; for the rows of a cell deformation, how far a lattice vector moves. Absent: all 1.
   */
  readonly tripleScale?: Float64Array;
  /** Energy at `x` (eV), writing ∂E/∂x into `gradient`. May be asynchronous (ONNX Runtime). */
  evaluate(x: Float64Array, gradient: Float64Array): number | Promise<number>;
}

/** The optimiser's view of the current point; `step` updates it in place. */
export interface OptimizerState {
  /** (dim,) coordinates. */
  x: Float64Array;
  /** Energy at x, eV. */
  energy: number;
  /** (dim,) gradient at x. */
  gradient: Float64Array;
  /** Objective evaluations so far. */
  evaluations: number;
}

/** A minimiser: `step` moves `state` once (evaluating the objective one or more times). */
export interface Optimizer {
  readonly name: string;
  step(objective: Objective, state: OptimizerState): Promise<void>;
}

/** Largest Euclidean norm of a triple of `v`, each multiplied by its `scale` (default 1). */
export function maxTripleNorm(v: Float64Array, scale?: Float64Array): number {
  let m = 0;
  for (let k = 0; k < v.length; k += 3) {
    const s = scale ? scale[k / 3] : 1;
    m = Math.max(m, s * s * (v[k] * v[k] + v[k + 1] * v[k + 1] + v[k + 2] * v[k + 2]));
  }
  return Math.sqrt(m);
}

/** Σ a·b. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** Evaluates the objective at `state.x` into the state. */
export async function evaluateAt(objective: Objective, state: OptimizerState): Promise<void> {
  state.energy = await objective.evaluate(state.x, state.gradient);
  state.evaluations++;
}
