/**
 * From a model definition to an e3md ONNX potential (DESIGN.md §5): declare the contract inputs,
 * emit the blocks, sum the masked atomic energies, and take forces and virial from one symbolic
 * gradient g = ∂E/∂r_ij with respect to the edge vectors:
 *
 *   F_k = −∂E/∂pos_k = Σ_{edges with i = k} g_e − Σ_{edges with j = k} g_e   (r_ij = pos_j − pos_i + s),
 *   W   = −Σ_e r_e ⊗ g_e.
 *
 * The gradient is part of the graph (e3md's autodiff), so running the model needs only onnxruntime.
 */
import { FORMAT_VERSION, formatMetadata, POTENTIAL_OUTPUTS as OUT } from '../engine/index.js';
import { createGraph, writeModel, type FloatDType, type Graph, type Value } from '../onnx/index.js';
import { createFieldStore, emitBlocks } from './block.js';
import { declareInputs, edgeLengths, edgeVectors, GEOMETRY_IRREPS, type PotentialInputs } from './inputs.js';
import type { PotentialModel } from './model.js';

/** The graph of a potential and its main values. */
export interface PotentialGraph {
  readonly graph: Graph;
  readonly inputs: PotentialInputs;
  /** (E, 3) edge vectors, the value the gradient is taken against. */
  readonly edgeVectors: Value;
  /** (N,) atomic energies, eV. */
  readonly atomicEnergy: Value;
  /** () Σ energy_mask · atomic_energy, eV. */
  readonly energy: Value;
  /** (N, 3) forces, eV/Å (absent with `forces: false`). */
  readonly forces?: Value;
  /** (3, 3) virial, eV (absent with `forces: false`). */
  readonly virial?: Value;
}

/** Options of {@link buildPotentialGraph}. */
export interface BuildGraphOptions {
  readonly dtype: FloatDType;
  /** Emit forces and virial (default true). */
  readonly forces?: boolean;
}

/**
 * The complete graph of `model` with the contract outputs declared.
 * @example const { graph } = buildPotentialGraph(createNequip({ typeNames: ['H', 'O'] }), { dtype: 'float64' });
 */
export function buildPotentialGraph(model: PotentialModel, options: BuildGraphOptions): PotentialGraph {
  const g = createGraph({ dtype: options.dtype, name: `e3md_${model.architecture}` });
  const inputs = declareInputs(g);
  const vec = edgeVectors(g, inputs);
  const len = edgeLengths(g, vec);
  const fields = createFieldStore();
  fields.setFlat('edge_vectors', '1x1o', vec);
  fields.setFlat('edge_lengths', '1x0e', len);
  emitBlocks(g, model.blocks, fields, inputs, GEOMETRY_IRREPS);
  const atomicEnergy = g.reshape(fields.flat('atomic_energy'), ['N']);
  const energy = g.scope('total_energy', () => g.reduceSum(g.mul(atomicEnergy, inputs.energyMask)));
  g.output(OUT.atomic_energy.name, atomicEnergy);
  g.output(OUT.energy.name, energy);
  if (options.forces === false) return { graph: g, inputs, edgeVectors: vec, atomicEnergy, energy };
  const [dEdr] = g.grad(energy, [vec]);
  const { forces, virial } = g.scope('forces', () => ({
    forces: g.sub(g.segmentSum(dEdr!, inputs.center, 'N'), g.segmentSum(dEdr!, inputs.neighbor, 'N')),
    virial: g.neg(g.matmul(g.transpose(vec, [1, 0]), dEdr!)),
  }));
  g.output(OUT.forces.name, forces);
  g.output(OUT.virial.name, virial);
  return { graph: g, inputs, edgeVectors: vec, atomicEnergy, energy, forces, virial };
}

/** The `metadata_props` of an exported model: the contract's keys (engine's METADATA_KEYS) with their descriptive extras. */
export function potentialMetadata(model: PotentialModel, dtype: FloatDType): Record<string, string> {
  return formatMetadata({
    formatVersion: FORMAT_VERSION,
    rMax_A: model.rMax_A,
    typeNames: model.typeNames,
    interactionDepth: model.interactionDepth,
    architecture: model.architecture,
    dtype,
    numParameters: model.parameters.count(),
    settings: model.settings,
    blocks: model.summary,
  });
}

/** Options of {@link exportPotential}. */
export interface ExportOptions {
  /** Float type of the model's arithmetic and of `pos`, `edge_shift`, `energy_mask`. */
  readonly dtype: FloatDType;
  /** Extra `metadata_props` (e.g. training provenance); cannot override the contract keys. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * ONNX bytes of `model` following the e3md potential contract.
 * @example await writeFile('model.onnx', exportPotential(model, { dtype: 'float32' }));
 */
export function exportPotential(model: PotentialModel, options: ExportOptions): Uint8Array {
  const { graph } = buildPotentialGraph(model, { dtype: options.dtype });
  const own = potentialMetadata(model, options.dtype);
  for (const k of Object.keys(options.metadata ?? {})) if (k in own) throw new Error(`exportPotential: metadata key '${k}' is set by the exporter`);
  return writeModel(graph, { metadata: { ...options.metadata, ...own }, docString: `e3md ${model.architecture} potential for ${model.typeNames.join(', ')}` });
}
