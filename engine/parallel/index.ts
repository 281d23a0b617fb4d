/**
 * engine/parallel/: spatial domain decomposition over worker threads (DESIGN.md §7) — recursive
 * coordinate bisection with ghost shells for models, shared-memory parts of one list for pair
 * potentials, a slot-addressed worker
 * pool (piscina), and the decomposed Potential the run loop drives like any other.
 */
export { bisectPoints, decompose, domainOf, partition, type Decomposition, type DecomposeOptions, type Domain, type Partition } from './decomposition.js';
export { createPartScratch, domainBox, gatherLocalPositions, localPartList, receptiveChunk, type Chunk, type PartScratch } from './domain-lists.js';
export type { DomainPotential, DomainPotentialContext, DomainPotentialFactory } from './domain-potential.js';
export { createDomainWorker } from './worker.js';
export type { InitResult, InitTask, StepTask } from './protocol.js';
export { createWorkerPool, workerExecArgv, type WorkerPool, type WorkerPoolOptions } from './pool.js';
export {
  createDecomposedPotential,
  type DecomposedPotential,
  type DecomposedPotentialOptions,
  type DecompositionStats,
  type ParallelTimings,
} from './decomposed-potential.js';
