/** potentials/: the Potential contract and the classical potentials. */
export { createForceOutput, type ForceOutput, type Potential } from './potential.js';
export {
  lennardJones,
  lennardJonesTable,
  type LennardJonesOptions,
  type LennardJonesParameters,
  type LennardJonesTable,
} from './lennard-jones.js';
export * from './models-index.js';
