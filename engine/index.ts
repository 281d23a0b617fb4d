/**
 * engine/: System, Box/PBC, units, random numbers, neighbor lists, the run loop, and the contracts the
 * loop uses (Potential, ForceOutput, Integrator); potentials/ and integrators/ implement them.
 */
export * from './units.js';
export { Box, type CellParameters } from './box.js';
export { createSystem, symbolsOf, type System, type SystemInit } from './system.js';
export { Rng, type RngState } from './random.js';
export { fccLattice, type FccOptions } from './lattice.js';
export { setImageShifts, type NeighborList, type NeighborListKind } from './neighbor-list.js';
export { createEdgeTensors, edgesWithin, writeEdges, type EdgeArrays, type Edges, type EdgeTensors } from './edges.js';
export { createForceOutput, type ForceOutput, type Potential } from './potential.js';
export { singlePoint, type SinglePoint } from './single-point.js';
export type { ComputeForces, Integrator, IntegratorState } from './integrator.js';
export { createCellList, type CellList, type CellListOptions, type ListPart } from './cell-list.js';
export { PartRenumber } from './cell-search/search.js';
export { alignedOffsets, compileOnce, growTo, WASM_MAX_BYTES, WASM_PAGE, type WasmMemoryUser } from './wasm-memory.js';
export { createRebuildCriterion, createVerletList, type RebuildCriterion, type VerletList, type VerletListOptions } from './verlet-list.js';
export { degreesOfFreedom, kineticEnergy, kineticTensor, massDensity, pressureOf, pressureTensor, stressOf, temperatureOf } from './thermo.js';
export type { Frame, Observer, SimulationState } from './observer.js';
export {
  BLOW_UP_DISTANCE_A,
  createSimulation,
  NonFiniteEnergyError,
  StepFailedError,
  type RunOptions,
  type RunSummary,
  type Simulation,
  type SimulationOptions,
} from './simulation.js';
export {
  contractDims,
  contractTensor,
  FORMAT_VERSION,
  formatMetadata,
  METADATA_KEYS,
  parseMetadata,
  POTENTIAL_INPUTS,
  POTENTIAL_OUTPUTS,
  type ContractDim,
  type ContractDType,
  type ContractTensor,
  type MetadataKey,
  type ModelDType,
  type PotentialInputName,
  type PotentialMetadata,
  type PotentialOutputName,
} from './potential-contract.js';
