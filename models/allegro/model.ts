/**
 * The Allegro architecture as a list of blocks:
 *
 *   one_hot → spharm_edges → radial_basis → two_body_latent
 *   → allegro_layer0 … allegro_layer{L−1} → edge_energy → per_species_scale_shift
 *
 * Everything is per edge and centred on one atom, so `interaction_depth` is 1: a domain needs
 * only one cutoff of ghost atoms.
 */
import { checkBlocks, type Block } from '../block.js';
import { GEOMETRY_IRREPS } from '../inputs.js';
import { oneHotBlock, radialBasisBlock, scaleShiftBlock, sphericalHarmonicsBlock } from '../common-blocks.js';
import { summarizeBlocks, type PotentialModel } from '../model.js';
import { createParameterSet } from '../parameters.js';
import { allegroLayer, edgeEnergyBlock, twoBodyBlock } from './layers.js';
import { allegroSettings, type AllegroOptions } from './options.js';

/**
 * An Allegro model with seeded random weights.
 * @throws naming the option or block that is inconsistent
 * @example
 * const model = createAllegro({ typeNames: ['H', 'O'], lmax: 2, numTensorFeatures: 16 });
 * const bytes = exportPotential(model, { dtype: 'float32' });
 */
export function createAllegro(options: AllegroOptions): PotentialModel {
  const s = allegroSettings(options);
  const params = createParameterSet(s.seed);
  const numTypes = s.typeNames.length;
  const blocks: Block[] = [oneHotBlock(numTypes), sphericalHarmonicsBlock(s.lmax), radialBasisBlock(params, s.rMax_A, s.radial), twoBodyBlock(params, s)];
  let tensors = blocks[3]!.irrepsOut['edge_tensors']!;
  for (let k = 0; k < s.numLayers; k++) {
    const layer = allegroLayer(params, s, k, tensors);
    blocks.push(layer);
    tensors = layer.irrepsOut['edge_tensors'] ?? tensors;
  }
  blocks.push(edgeEnergyBlock(params, s), scaleShiftBlock(params, numTypes, s.scaleShift));
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
