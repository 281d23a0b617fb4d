/**
 * models/: the NequIP and Allegro builders. Built on o3/ (the math) and onnx/ (the graph compiler), a
 * model is a list of named blocks that emit graph ops; `exportPotential` compiles it, with its forces
 * and virial, into an ONNX file following the e3md potential contract (DESIGN.md §5), which
 * potentials/ then runs. Each architecture's options are one zod schema (`nequipOptionsSchema`,
 * `allegroOptionsSchema`).
 */
export { createNequip, nequipOptionsSchema, type NequipOptions, type NequipSettings } from './nequip/index.js';
export { importNequip, NequipImportError, type ImportedNequip, type NequipDump } from './nequip/index.js';
export { createAllegro, allegroOptionsSchema, type AllegroOptions, type AllegroSettings } from './allegro/index.js';
export { allegroFromRecord, allegroRecordFromDump, type NequipModelRecord, type ReferenceTensor } from './allegro/index.js';
export { ARCHITECTURES, createModel, type ModelOptions } from './architectures.js';
export * from './parts.js';
export { rebuildModel, type RebuiltModel } from './rebuild.js';
export { stageModel, type LayerStages, type StagedModel, type StageGraph, type TermShape } from './stages.js';
