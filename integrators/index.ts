/** integrators/: time-stepping schemes built from named half-steps (STYLE.md §3); the Integrator contract is engine/'s. */
export { checkMasses, drift, kick, ornsteinUhlenbeck } from './half-steps.js';
export { velocityVerlet, type VelocityVerletOptions } from './velocity-verlet.js';
export { langevin, type LangevinOptions } from './langevin.js';
export { maxwellBoltzmann, type MaxwellBoltzmannOptions } from './maxwell-boltzmann.js';
