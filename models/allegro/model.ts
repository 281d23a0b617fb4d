/**
 * The Allegro architecture (allegro 0.3) as a list of blocks:
 *
 *   spharm_edges → radial_basis → type_embedding → allegro_layer0 … allegro_layer{L−1}
 *   → final_latent → edge_energy → per_species_scale_shift
 *
 * Everything is per edge and centred on one atom, so `interaction_depth` is 1: a domain needs
 * only one cutoff of ghost atoms.
 */
import { checkBlocks, type Block } from '../block.js';
import { GEOMETRY_IRREPS } from '../inputs.js';
import { scaleShiftBlock, sphericalHarmonicsBlock } from '../common-blocks.js';
import { summarizeBlocks, type PotentialModel } from '../model.js';
import { ModelOptionsError } from '../options.js';
import { createParameterSet } from '../parameters.js';
import { allegroLayer, edgeEnergyBlock, finalLatentBlock, resnetFactors } from './layers.js';
import { allegroSettings, type AllegroOptions } from './options.js';
import { allegroTensorTrack } from './tensor-track.js';
import { allegroRadialBlock, typeEmbeddingBlock } from './two-body.js';

/**
 * An Allegro model with seeded random weights.
 * @throws ModelOptionsError naming the option that is inconsistent
 * @example
 * const model = createAllegro({ typeNames: ['H', 'O'], lmax: 2, numTensorFeatures: 16 });
 * const bytes = exportPotential(model, { dtype: 'float32' });
 */
export function createAllegro(options: AllegroOptions): PotentialModel {
  const s = allegroSettings(options);
  if (s.avgNumNeighbors !== null && !s.selfEdgeTensorProduct && !(s.avgNumNeighbors > 1)) {
    throw new ModelOptionsError('allegro', ['avgNumNeighbors'], `must be > 1 without selfEdgeTensorProduct (the environment is divided by √(avgNumNeighbors − 1)), got ${s.avgNumNeighbors}`);
  }
  const params = createParameterSet(s.seed);
  const track = allegroTensorTrack(s.lmax, s.parity, s.numLayers);
  const resnet = resnetFactors(params, s);
  const blocks: Block[] = [sphericalHarmonicsBlock(s.lmax), allegroRadialBlock(params, s), typeEmbeddingBlock(params, s)];
  let scalars = 0;
  for (let k = 0; k < s.numLayers; k++) {
    const layer = allegroLayer(params, s, track, k, scalars, resnet);
    blocks.push(layer.block);
    scalars = layer.numScalarTerms;
  }
  blocks.push(finalLatentBlock(params, s, scalars, resnet), edgeEnergyBlock(params, s), scaleShiftBlock(params, s.typeNames.length, s.scaleShift));
  checkBlocks(blocks, GEOMETRY_IRREPS);
  return Object.freeze({
    architecture: 'allegro',
    typeNames: s.typeNames,
    rMax_A: s.rMax_A,
    interactionDepth: 1,
    blocks: Object.freeze(blocks),
    parameters: params,
    settings: { ...s }, // as a plain record: an interface has no index signature
    summary: summarizeBlocks(blocks),
  });
}
