/**
 * A message-passing model cut at its layer boundaries into small ONNX graphs, so that it can be
 * evaluated with bounded memory however large the system (gradient checkpointing, one layer at a
 * time). The monolithic export keeps every layer's intermediates alive until its backward pass:
 * a 4-layer NequIP needs about 3 GB per 1,000 atoms of water in float32, and chunks of owned atoms
 * cannot lower that when the receptive field (layers × r_max) spans the box. Cut into stages:
 *
 *   init       atom_types → node_attrs, h_0                          (no geometry: no gradient)
 *   geometry   edge_vectors → edge_attrs, edge_embedding             (and its VJP)
 *   layer k    h_k, node_attrs, edge_attrs, edge_embedding → h_{k+1} (and its VJP)
 *   readout    h_L, node_attrs → atomic_energy, E = Σ mask·e_i      (with ∂E/∂h_L)
 *
 * A layer's output at atom i reads only h at i and its neighbours and the edges centred on i (a
 * convolution sums messages into their centre), so a layer can be run for any set C of centres on
 * the subgraph of C, their neighbours and C's edges: every edge is in exactly one such chunk, and
 * the chunk's memory is that of its own edges. The backward pass runs each layer's VJP graph (which
 * recomputes that layer's forward) chunk by chunk from L−1 down to 0, adding the chunks' ∂E/∂h_k,
 * ∂E/∂edge_attrs and ∂E/∂edge_embedding; the geometry VJP turns the last two into ∂E/∂r_ij, from
 * which forces and virial follow as in the monolithic graph (models/export.ts).
 *
 * The stages are compiled from the same blocks and weights as the file (models/rebuild.ts), so the
 * staged evaluation is the model itself, to summation order.
 */
import { Irreps } from '../o3/index.js';
import { createGraph, writeModel, type FloatDType, type Graph, type Value } from '../onnx/index.js';
import { createFieldStore, emitBlocks, type Block, type FieldStore } from './block.js';
import { features, type Features } from './features.js';
import { GEOMETRY_IRREPS, type PotentialInputs } from './inputs.js';
import type { PotentialModel } from './model.js';

/** Shape of one channel-last feature term: [N, 2l+1, mul]. */
export interface TermShape {
  readonly dim: number;
  readonly mul: number;
}

/** One ONNX graph of a staged model, with the names of its outputs in order. */
export interface StageGraph {
  readonly bytes: Uint8Array;
  readonly outputs: readonly string[];
}

/** A message-passing layer's forward graph and its VJP graph. */
export interface LayerStages {
  readonly name: string;
  /** Terms of h_k (its inputs) and h_{k+1} (its outputs). */
  readonly termsIn: readonly TermShape[];
  readonly termsOut: readonly TermShape[];
  /** h_in.* [N…], node_attrs, edge_attrs, edge_embedding, edge_index, output_atoms [C] → h_out.* [C…] */
  readonly forward: StageGraph;
  /** …the forward's inputs, grad_out.* [C…] → grad_in.* [N…], grad_edge_attrs, grad_edge_embedding */
  readonly vjp: StageGraph;
}

/** A model cut into stages (see the module comment). */
export interface StagedModel {
  readonly dtype: FloatDType;
  /** Width of node_attrs, edge_attrs, edge_embedding. */
  readonly nodeAttrsDim: number;
  readonly edgeAttrsDim: number;
  readonly edgeEmbeddingDim: number;
  /** atom_types → node_attrs, h_in.* (the first layer's input terms). */
  readonly init: StageGraph;
  /** edge_vectors → edge_attrs, edge_embedding. */
  readonly geometry: StageGraph;
  /** edge_vectors, grad_edge_attrs, grad_edge_embedding → grad_edge_vectors. */
  readonly geometryVjp: StageGraph;
  readonly layers: readonly LayerStages[];
  /** h_in.*, node_attrs, atom_types, energy_mask → atomic_energy [N], energy, grad_in.* */
  readonly readout: StageGraph;
}

const EDGE_FIELDS = ['edge_attrs', 'edge_embedding'] as const;
const GEOMETRY_FIELDS = ['edge_vectors', 'edge_lengths'];

type Role = 'node' | 'geometry' | 'layer';

/** What a block is, from the fields it reads: geometry reads edge vectors, a layer reads edge features. */
function roleOf(b: Block): Role {
  const reads = Object.keys(b.irrepsIn);
  if (reads.some((f) => GEOMETRY_FIELDS.includes(f))) return 'geometry';
  if (reads.some((f) => (EDGE_FIELDS as readonly string[]).includes(f))) return 'layer';
  return 'node';
}

/**
 * The contract inputs a stage declares; the others throw when a block reads them, naming the
 * block's stage (such a model cannot be staged).
 */
function stageInputs(stage: string, given: Partial<PotentialInputs>): PotentialInputs {
  const out = {} as Record<string, Value>;
  for (const key of ['pos', 'atomTypes', 'edgeIndex', 'edgeShift', 'energyMask', 'center', 'neighbor'] as const) {
    Object.defineProperty(out, key, {
      get() {
        const v = given[key];
        if (!v) throw new Error(`staged model: a block of the ${stage} stage reads the input '${key}', which that stage does not have`);
        return v;
      },
    });
  }
  Object.defineProperty(out, 'outputAtoms', { value: given.outputAtoms });
  return out as unknown as PotentialInputs;
}

function termShapes(ir: Irreps): TermShape[] {
  return ir.terms.map((t) => ({ dim: t.ir.dim, mul: t.mul }));
}

function featureInputs(g: Graph, prefix: string, ir: Irreps): Features {
  return features(ir, ir.terms.map((t, k) => g.input(`${prefix}.${k}`, ['N', t.ir.dim, t.mul])), prefix);
}

function write(g: Graph, name: string): StageGraph {
  const bytes = writeModel(g, { docString: `e3md staged model: ${name}` });
  return { bytes, outputs: [...g.outputs.keys()] };
}

/** Σ_k ⟨seed_k, term_k⟩: the scalar whose gradient is the VJP of the terms with the seeds. */
function dot(g: Graph, terms: readonly Value[], seeds: readonly Value[]): Value {
  return terms.map((t, k) => g.reduceSum(g.mul(t, seeds[k]!))).reduce((a, b) => g.add(a, b));
}

/**
 * Cuts `model` into stages compiled in `dtype`.
 * @throws when the model is not node blocks, geometry blocks, message-passing layers and a node
 *   readout in that order (NequIP is; Allegro's layers are edge-based and need no staging)
 * @example const staged = stageModel(rebuildModel(bytes).model, 'float32'); staged.layers.length
 */
export function stageModel(model: PotentialModel, dtype: FloatDType): StagedModel {
  const blocks = model.blocks;
  const roles = blocks.map(roleOf);
  const first = roles.indexOf('layer');
  const last = roles.lastIndexOf('layer');
  if (first < 0) throw new Error(`staged model: ${model.architecture} has no message-passing layer to stage`);
  for (let k = first; k <= last; k++) if (roles[k] !== 'layer') throw new Error(`staged model: block '${blocks[k]!.name}' sits between message-passing layers`);
  for (let k = last + 1; k < blocks.length; k++) if (roles[k] !== 'node') throw new Error(`staged model: block '${blocks[k]!.name}' after the last layer reads edges`);
  for (const b of blocks.slice(first, last + 1)) {
    const writes = Object.keys(b.irrepsOut);
    if (writes.length !== 1 || writes[0] !== 'node_features') throw new Error(`staged model: layer '${b.name}' writes ${writes.join(', ')}, not only node_features`);
  }
  const head = blocks.slice(0, first);
  const initBlocks = head.filter((_, k) => roles[k] === 'node');
  const geometryBlocks = head.filter((_, k) => roles[k] === 'geometry');
  // Field irreps along the way, from the model's own check.
  const irrepsAfter = (upto: number): Record<string, Irreps> => {
    const have: Record<string, Irreps> = { ...GEOMETRY_IRREPS };
    for (const b of blocks.slice(0, upto)) Object.assign(have, b.irrepsOut);
    return have;
  };
  const atFirst = irrepsAfter(first);
  for (const f of ['node_attrs', 'node_features', ...EDGE_FIELDS]) if (!atFirst[f]) throw new Error(`staged model: no block before '${blocks[first]!.name}' writes '${f}'`);
  const nodeAttrs = atFirst['node_attrs']!, edgeAttrs = atFirst['edge_attrs']!, edgeEmbedding = atFirst['edge_embedding']!;

  // init: atom_types → node_attrs, h_0.
  const init = (() => {
    const g = createGraph({ dtype, name: 'e3md_stage_init' });
    const atomTypes = g.input('atom_types', ['N'], 'int64');
    const fields = createFieldStore();
    emitBlocks(g, initBlocks, fields, stageInputs('init', { atomTypes }), {});
    g.output('node_attrs', fields.flat('node_attrs'));
    fields.features('node_features').terms.forEach((t, k) => g.output(`h_out.${k}`, t));
    return write(g, 'init');
  })();

  // geometry and its VJP: edge_vectors → edge_attrs, edge_embedding.
  const geometryGraph = (vjp: boolean): StageGraph => {
    const g = createGraph({ dtype, name: `e3md_stage_geometry${vjp ? '_vjp' : ''}` });
    const vec = g.input('edge_vectors', ['E', 3]);
    const fields = createFieldStore();
    fields.setFlat('edge_vectors', '1x1o', vec);
    fields.setFlat('edge_lengths', '1x0e', g.sqrt(g.reduceSum(g.mul(vec, vec), [1], true)));
    emitBlocks(g, geometryBlocks, fields, stageInputs('geometry', {}), GEOMETRY_IRREPS);
    const outs = EDGE_FIELDS.map((f) => fields.flat(f));
    if (!vjp) {
      EDGE_FIELDS.forEach((f, k) => g.output(f, outs[k]!));
      return write(g, 'geometry');
    }
    const seeds = [g.input('grad_edge_attrs', ['E', edgeAttrs.dim]), g.input('grad_edge_embedding', ['E', edgeEmbedding.dim])];
    const [dvec] = g.grad(dot(g, outs, seeds), [vec]);
    g.output('grad_edge_vectors', dvec!);
    return write(g, 'geometry VJP');
  };

  // One message-passing layer, forward or VJP.
  const layerGraph = (b: Block, irrepsIn: Irreps, vjp: boolean): StageGraph => {
    const g = createGraph({ dtype, name: `e3md_stage_${b.name}${vjp ? '_vjp' : ''}` });
    const h = featureInputs(g, 'h_in', irrepsIn);
    const attrs = g.input('node_attrs', ['N', nodeAttrs.dim]);
    const ea = g.input('edge_attrs', ['E', edgeAttrs.dim]);
    const emb = g.input('edge_embedding', ['E', edgeEmbedding.dim]);
    const edgeIndex = g.input('edge_index', [2, 'E'], 'int64');
    const center = g.reshape(g.slice(edgeIndex, 0, 0, 1), ['E']);
    const neighbor = g.reshape(g.slice(edgeIndex, 0, 1, 2), ['E']);
    // The chunk's centres are its first C atoms: the layer makes their outputs only.
    const outputAtoms = g.input('output_atoms', ['C'], 'int64');
    const fields: FieldStore = createFieldStore();
    fields.setFeatures('node_features', h);
    fields.setFlat('node_attrs', nodeAttrs, attrs);
    fields.setFlat('edge_attrs', edgeAttrs, ea);
    fields.setFlat('edge_embedding', edgeEmbedding, emb);
    emitBlocks(g, [b], fields, stageInputs(b.name, { edgeIndex, center, neighbor, outputAtoms }), { node_features: irrepsIn, node_attrs: nodeAttrs, edge_attrs: edgeAttrs, edge_embedding: edgeEmbedding });
    const out = fields.features('node_features');
    if (!vjp) {
      out.terms.forEach((t, k) => g.output(`h_out.${k}`, t));
      return write(g, b.name);
    }
    const seeds = out.irreps.terms.map((t, k) => g.input(`grad_out.${k}`, ['C', t.ir.dim, t.mul]));
    const grads = g.grad(dot(g, out.terms, seeds), [...h.terms, ea, emb]);
    h.terms.forEach((_, k) => g.output(`grad_in.${k}`, grads[k]!));
    g.output('grad_edge_attrs', grads[h.terms.length]!);
    g.output('grad_edge_embedding', grads[h.terms.length + 1]!);
    return write(g, `${b.name} VJP`);
  };

  const layers: LayerStages[] = [];
  for (let k = first; k <= last; k++) {
    const b = blocks[k]!;
    const irrepsIn = irrepsAfter(k)['node_features']!;
    const irrepsOut = b.irrepsOut['node_features']!;
    layers.push({ name: b.name, termsIn: termShapes(irrepsIn), termsOut: termShapes(irrepsOut), forward: layerGraph(b, irrepsIn, false), vjp: layerGraph(b, irrepsIn, true) });
  }

  // readout with ∂E/∂h_L.
  const readout = (() => {
    const g = createGraph({ dtype, name: 'e3md_stage_readout' });
    const irrepsIn = irrepsAfter(last + 1)['node_features']!;
    const h = featureInputs(g, 'h_in', irrepsIn);
    const attrs = g.input('node_attrs', ['N', nodeAttrs.dim]);
    const atomTypes = g.input('atom_types', ['N'], 'int64');
    const energyMask = g.input('energy_mask', ['N']);
    const fields = createFieldStore();
    fields.setFeatures('node_features', h);
    fields.setFlat('node_attrs', nodeAttrs, attrs);
    emitBlocks(g, blocks.slice(last + 1), fields, stageInputs('readout', { atomTypes, energyMask }), { node_features: irrepsIn, node_attrs: nodeAttrs });
    const atomic = g.reshape(fields.flat('atomic_energy'), ['N']);
    const energy = g.reduceSum(g.mul(atomic, energyMask));
    g.output('atomic_energy', atomic);
    g.output('energy', energy);
    const grads = g.grad(energy, h.terms);
    grads.forEach((d, k) => g.output(`grad_in.${k}`, d));
    return write(g, 'readout');
  })();

  return {
    dtype,
    nodeAttrsDim: nodeAttrs.dim,
    edgeAttrsDim: edgeAttrs.dim,
    edgeEmbeddingDim: edgeEmbedding.dim,
    init,
    geometry: geometryGraph(false),
    geometryVjp: geometryGraph(true),
    layers,
    readout,
  };
}
