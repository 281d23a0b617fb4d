/** optimize/: geometry and cell relaxation — FIRE, L-BFGS, the cell-filter objective and the `e3md relax` driver. */
export { createFire, type FireOptions } from './fire.js';
export { createLbfgs, type LbfgsOptions } from './lbfgs.js';
export { dot, maxTripleNorm, type Objective, type Optimizer, type OptimizerState } from './objective.js';
export { relaxObjective, type Evaluate, type RelaxMeasures, type RelaxObjective } from './relax-objective.js';
export { relax, RelaxFailedError, type RelaxOptions, type RelaxResult, type RelaxStep } from './relax.js';
