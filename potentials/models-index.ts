/**
 * Public API of the equivariant model builders and the ONNX potential (issue 5); re-exported by
 * potentials/index.ts.
 */
export { createNequip, type NequipOptions, type NequipSettings } from './nequip/index.js';
export { createAllegro, type AllegroOptions, type AllegroSettings } from './allegro/index.js';
export { buildPotentialGraph, exportPotential, type ExportOptions, type PotentialModel, type Architecture } from './model/index.js';
export { createOnnxPotential, singlePoint, type OnnxPotential, type OnnxPotentialOptions, type OnnxTimings, type SinglePoint } from './onnx-potential.js';
export { checkPotentialContract, mapSpecies, type PotentialMetadata } from './onnx-metadata.js';
