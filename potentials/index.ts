/** potentials/: the runtime potentials — Lennard-Jones and the ONNX-backed learned potential (DESIGN.md §5). */
export {
  lennardJones,
  lennardJonesTable,
  type LennardJonesOptions,
  type LennardJonesParameters,
  type LennardJonesTable,
} from './lennard-jones.js';
export { createOnnxPotential, defaultModelThreads, THREADS_ALL_CORES_FROM_ATOMS, type OnnxPotential, type OnnxPotentialOptions, type OnnxTimings } from './onnx-potential.js';
export { checkPotentialContract, mapSpecies } from './onnx-metadata.js';
