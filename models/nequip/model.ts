/**
 * The NequIP architecture (Batzner et al., Nat. Commun. 13, 2453 (2022)) as a list of blocks:
 *
 *   one_hot → spharm_edges → radial_basis → chemical_embedding
 *   → layer0_convnet … layer{L−1}_convnet
 *   → conv_to_output_hidden → output_hidden_to_scalar → per_species_scale_shift
 *
 * Layer and parameter names follow nequip 0.5 so that a person reading the ONNX file (or porting
 * weights) finds the same pieces.
 */
import { Irreps } from '../../o3/index.js';
import type { Block } from '../block.js';
import { atomwiseLinearBlock, oneHotBlock, radialBasisBlock, scaleShiftBlock, sphericalHarmonicsBlock } from '../common-blocks.js';
import { linearLayer, linearPlan } from '../linear-layer.js';
import { summarizeBlocks, type PotentialModel } from '../model.js';
import { createParameterSet, type ParameterSet } from '../parameters.js';
import { checkBlocks } from '../block.js';
import { GEOMETRY_IRREPS } from '../inputs.js';
import { convNetLayer } from './convnet.js';
import { nequipSettings, type NequipOptions } from './options.js';

/**
 * A NequIP model with seeded random weights.
 * @throws naming the option or block that is inconsistent
 * @example
 * const model = createNequip({ typeNames: ['H', 'O'], numLayers: 4, lmax: 2, numFeatures: 32, seed: 1 });
 * const bytes = exportPotential(model, { dtype: 'float32' });
 */
export function createNequip(options: NequipOptions): PotentialModel {
  const s = nequipSettings(options);
  const params = createParameterSet(s.seed);
  const numTypes = s.typeNames.length;
  const blocks: Block[] = [
    oneHotBlock(numTypes),
    sphericalHarmonicsBlock(s.lmax),
    radialBasisBlock(params, s.rMax_A, s.radial),
    atomwiseLinearBlock(params, 'chemical_embedding', linearPlan(`${numTypes}x0e`, `${s.numFeatures}x0e`), 'node_attrs', 'node_features', true),
  ];
  let irreps = Irreps.parse(`${s.numFeatures}x0e`);
  for (let k = 0; k < s.numLayers; k++) {
    const layer = convNetLayer(params, s, k, irreps);
    blocks.push(layer);
    irreps = layer.irrepsOut['node_features']!;
  }
  blocks.push(atomwiseLinearBlock(params, 'conv_to_output_hidden', linearPlan(irreps, `${s.readout.hiddenFeatures}x0e`), 'node_features', 'node_features'));
  blocks.push(scalarReadoutBlock(params, s.readout.hiddenFeatures));
  blocks.push(scaleShiftBlock(params, numTypes, s.scaleShift));
  checkBlocks(blocks, GEOMETRY_IRREPS);
  return Object.freeze({
    architecture: 'nequip',
    typeNames: s.typeNames,
    rMax_A: s.rMax_A,
    interactionDepth: s.numLayers,
    blocks: Object.freeze(blocks),
    parameters: params,
    settings: { ...s }, // as a plain record: an interface has no index signature
    summary: summarizeBlocks(blocks),
  });
}

/** `atomic_energy` [N, 1] = Linear(hidden scalars → 1x0e), nequip's `output_hidden_to_scalar`. */
function scalarReadoutBlock(params: ParameterSet, hidden: number): Block {
  const name = 'output_hidden_to_scalar';
  const lin = linearLayer(params, name, linearPlan(`${hidden}x0e`, '1x0e'));
  return {
    name,
    irrepsIn: { node_features: lin.plan.irrepsIn },
    irrepsOut: { atomic_energy: Irreps.parse('1x0e') },
    emit(g, fields) {
      const e = lin.emit(g, fields.features('node_features'));
      fields.setFlat('atomic_energy', '1x0e', g.reshape(e.terms[0]!, ['N', 1]));
    },
  };
}
