/**
 * The graph inputs of an e3md potential, declared from the contract (engine's POTENTIAL_INPUTS,
 * DESIGN.md §5), and the edge geometry every model starts from.
 */
import { POTENTIAL_INPUTS, type ContractTensor } from '../engine/index.js';
import { Irreps } from '../o3/index.js';
import type { Graph, Value } from '../onnx/index.js';

/** The five contract inputs plus the index rows split out of `edge_index`. */
export interface PotentialInputs {
  /** (N, 3) positions, Å, model dtype. */
  readonly pos: Value;
  /** (N,) int64 index into the model's type names. */
  readonly atomTypes: Value;
  /** (2, E) int64: row 0 centre i, row 1 neighbour j, a full directed list. */
  readonly edgeIndex: Value;
  /** (E, 3) Cartesian periodic shift, Å: r_ij = pos[j] − pos[i] + edge_shift. */
  readonly edgeShift: Value;
  /** (N,) 1 for atoms whose energy counts (owned), 0 for ghosts. */
  readonly energyMask: Value;
  /** (E,) int64 centre atom i of each edge (edge_index row 0). */
  readonly center: Value;
  /** (E,) int64 neighbour atom j of each edge (edge_index row 1). */
  readonly neighbor: Value;
  /**
   * (C,) int64 atoms whose layer outputs are wanted, when not all N are: a staged layer runs on a
   * chunk of C centres plus the neighbours their edges reach, and only the centres' outputs are
   * real (models/stages.ts). Absent in a whole model.
   */
  readonly outputAtoms?: Value;
}

/** Declares one contract tensor as a graph input (model dtype: the graph's float type). */
export function declareInput(g: Graph, t: ContractTensor): Value {
  return g.input(t.name, [...t.shape], t.dtype === 'int64' ? 'int64' : undefined);
}

/**
 * Declares the contract inputs on `g` in the contract's order (symbolic N atoms, E edges).
 * @example const inputs = declareInputs(g); const vec = edgeVectors(g, inputs);
 */
export function declareInputs(g: Graph): PotentialInputs {
  const I = POTENTIAL_INPUTS;
  const pos = declareInput(g, I.pos);
  const atomTypes = declareInput(g, I.atom_types);
  const edgeIndex = declareInput(g, I.edge_index);
  const edgeShift = declareInput(g, I.edge_shift);
  const energyMask = declareInput(g, I.energy_mask);
  const center = g.reshape(g.slice(edgeIndex, 0, 0, 1), ['E']);
  const neighbor = g.reshape(g.slice(edgeIndex, 0, 1, 2), ['E']);
  return { pos, atomTypes, edgeIndex, edgeShift, energyMask, center, neighbor };
}

/**
 * Irreps of the geometry fields a model's blocks start from (set by `buildPotentialGraph`, checked
 * by the builders): `edge_vectors` 1x1o and `edge_lengths` 1x0e.
 */
export const GEOMETRY_IRREPS: Readonly<Record<string, Irreps>> = Object.freeze({ edge_vectors: Irreps.parse('1x1o'), edge_lengths: Irreps.parse('1x0e') });

/** (E, 3) edge vectors r_ij = pos[j] − pos[i] + edge_shift, Å. The virial is taken with respect to this value. */
export function edgeVectors(g: Graph, inputs: PotentialInputs): Value {
  return g.scope('edge_vectors', () => g.add(g.sub(g.gather(inputs.pos, inputs.neighbor, 0), g.gather(inputs.pos, inputs.center, 0)), inputs.edgeShift));
}

/** (E, 1) edge lengths |r_ij|, Å. Edges never have zero length (an atom is not its own unshifted neighbour). */
export function edgeLengths(g: Graph, vectors: Value): Value {
  return g.scope('edge_lengths', () => g.sqrt(g.reduceSum(g.mul(vectors, vectors), [1], true)));
}
