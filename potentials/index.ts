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
export { createOnnxPotentialFor, createParallelPotential, DEFAULT_MEMORY_GB, ESTIMATE_MEMORY_FROM_ATOMS, type OnnxPlacementOptions, type ParallelOptions } from './parallel-potential.js';
export { createDomainPotential, type DomainPotentialSpec } from './domain-potentials.js';
export { estimateEdges, estimateModelMemory, ORT_OVERHEAD, type ModelMemory } from './onnx-memory.js';
export { createStagedPotential, stagedOrNull, StagingError, type StagedPotential, type StagedPotentialOptions, type StagedTimings } from './staged-potential.js';
export { createReplicaBatch, type ReplicaBatch, type ReplicaMemory } from './replica-batch.js';
