/** models/: pieces shared by the NequIP and Allegro builders, and the ONNX export. */
export { createParameterSet, type Parameter, type ParameterInit, type ParameterSet } from './parameters.js';
export { features, fromFlat, toFlat, simplifyFeatures, termSums, type Features, type TermSums } from './features.js';
export { declareInput, declareInputs, GEOMETRY_IRREPS, edgeLengths, edgeVectors, type PotentialInputs } from './inputs.js';
export { checkBlocks, createFieldStore, emitBlocks, type Block, type FieldStore, type FieldValue } from './block.js';
export { emitSphericalHarmonics, monomialToHarmonicsMatrix, type EmittedHarmonics, type SphericalHarmonicsEmitOptions } from './spherical-harmonics-layer.js';
export { emitPolynomialCutoff, polynomialCutoff, radialEmbedding, type RadialEmbedding } from './radial.js';
export { mlp, type MlpLayer, type MlpParts, type MlpSpec } from './mlp.js';
export { activationByName, emitActivation, type ActivationName } from './activation-layer.js';
export { linearLayer, linearPlan, type LinearLayer } from './linear-layer.js';
export { emitChannelProduct, emitConvolution, selfConnectionLayer, type SegmentReduction, type SelfConnectionLayer } from './tensor-product-layer.js';
export { emitGate } from './gate-layer.js';
export { atomwiseLinearBlock, oneHotBlock, radialBasisBlock, scaleShiftBlock, sphericalHarmonicsBlock } from './common-blocks.js';
export {
  activationSchema, avgNumNeighborsSchema, ModelOptionsError, parseModelOptions, radialSchema, rMaxSchema, scaleShiftSchema, seedSchema, symbolSchema, typeNamesSchema,
  type RadialSettings, type ScaleShiftOptions,
} from './options.js';
export { summarizeBlocks, type Architecture, type PotentialModel } from './model.js';
export { buildPotentialGraph, exportPotential, potentialMetadata, type BuildGraphOptions, type ExportOptions, type PotentialGraph } from './export.js';
