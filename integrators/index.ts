/** integrators/: time-stepping schemes built from named half-steps (STYLE.md §3). */
export type { ComputeForces, Integrator } from './integrator.js';
export { checkMasses, drift, kick, ornsteinUhlenbeck } from './half-steps.js';
export { velocityVerlet, type VelocityVerletOptions } from './velocity-verlet.js';
export { langevin, type LangevinOptions } from './langevin.js';
export { maxwellBoltzmann, type MaxwellBoltzmannOptions } from './maxwell-boltzmann.js';
