/** models/: pieces shared by the NequIP and Allegro builders, and the ONNX export. */
export { createParameterSet, type Parameter, type ParameterInit, type ParameterSet } from './parameters.js';
export { features, fromFlat, toFlat, simplifyFeatures, termSums, type Features, type TermSums } from './features.js';
export { CONTRACT, declareInputs, GEOMETRY_IRREPS, edgeLengths, edgeVectors, type PotentialInputs } from './inputs.js';
export { checkBlocks, createFieldStore, emitBlocks, type Block, type FieldStore, type FieldValue } from './block.js';
export { emitSphericalHarmonics, monomialToHarmonicsMatrix, type EmittedHarmonics, type SphericalHarmonicsEmitOptions } from './spherical-harmonics-layer.js';
export { emitPolynomialCutoff, emitRadialEmbedding, polynomialCutoff, radialSettings, type RadialOptions, type RadialSettings } from './radial.js';
export { createMlp, emitMlp, emitMlpParts, type MlpParts, type MlpSpec } from './mlp.js';
export { activationByName, emitActivation, type ActivationName } from './activation-layer.js';
export { createLinear, emitLinear, linearPlan } from './linear-layer.js';
export { createSelfConnection, emitChannelProduct, emitConvolution, emitSelfConnection, type SegmentReduction } from './tensor-product-layer.js';
export { emitGate } from './gate-layer.js';
export { atomwiseLinearBlock, oneHotBlock, radialBasisBlock, scaleShiftBlock, sphericalHarmonicsBlock, type ScaleShiftOptions } from './common-blocks.js';
export { summarizeBlocks, type Architecture, type PotentialModel } from './model.js';
export { buildPotentialGraph, exportPotential, FORMAT_VERSION, potentialMetadata, type BuildGraphOptions, type ExportOptions, type PotentialGraph } from './export.js';
