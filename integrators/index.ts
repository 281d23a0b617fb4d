/** integrators/: time-stepping schemes built from named half-steps (STYLE.md §3); the Integrator contract is engine/'s. */
export { checkMasses, drift, kick, ornsteinUhlenbeck, scaleVelocities } from './half-steps.js';
export { velocityVerlet, type VelocityVerletOptions } from './velocity-verlet.js';
export { langevin, type LangevinOptions } from './langevin.js';
export { noseHoover, type NoseHooverOptions } from './nose-hoover.js';
export { nptMtk, type MtkOptions } from './npt-mtk.js';
export { nptCRescale, type CRescaleOptions } from './npt-c-rescale.js';
export { type Couple, type NptOptions } from './barostat.js';
export { createThermostatChain, type ThermostatChain, type ThermostatChainOptions } from './thermostat-chain.js';
export { maxwellBoltzmann, type MaxwellBoltzmannOptions } from './maxwell-boltzmann.js';
