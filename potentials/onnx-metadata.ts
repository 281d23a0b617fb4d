/**
 * Reading and checking an ONNX potential against the e3md contract (DESIGN.md §5): the five
 * inputs, four outputs and the `e3md.*` metadata. Every failure names the input, output or
 * metadata key that is wrong, so a model made elsewhere can be fixed from the message alone.
 */
import type { FloatDType, ModelInfo, TensorInfo } from '../onnx/index.js';

/** The contract metadata of a potential, parsed. */
export interface PotentialMetadata {
  readonly formatVersion: string;
  /** Cutoff radius, Å. */
  readonly rMax_A: number;
  /** Chemical symbols, index = `atom_types` value. */
  readonly typeNames: readonly string[];
  /** Message-passing depth (ghost shells needed = interactionDepth · r_max). */
  readonly interactionDepth: number;
  readonly architecture: string;
  readonly dtype: FloatDType;
  /** Every `metadata_props` entry, including non-contract ones. */
  readonly all: Readonly<Record<string, string>>;
}

type Rank = { name: string; rank: number; dtype: 'float' | 'int64'; fixed?: Record<number, number> };

const INPUTS: readonly Rank[] = [
  { name: 'pos', rank: 2, dtype: 'float', fixed: { 1: 3 } },
  { name: 'atom_types', rank: 1, dtype: 'int64' },
  { name: 'edge_index', rank: 2, dtype: 'int64', fixed: { 0: 2 } },
  { name: 'edge_shift', rank: 2, dtype: 'float', fixed: { 1: 3 } },
  { name: 'energy_mask', rank: 1, dtype: 'float' },
];
const OUTPUTS: readonly Rank[] = [
  { name: 'atomic_energy', rank: 1, dtype: 'float' },
  { name: 'energy', rank: 0, dtype: 'float' },
  { name: 'forces', rank: 2, dtype: 'float', fixed: { 1: 3 } },
  { name: 'virial', rank: 2, dtype: 'float', fixed: { 0: 3, 1: 3 } },
];

function checkTensor(where: string, spec: Rank, t: TensorInfo | undefined, floatType: string): void {
  if (!t) throw new Error(`${where} '${spec.name}' is missing (an e3md potential needs inputs pos, atom_types, edge_index, edge_shift, energy_mask and outputs atomic_energy, energy, forces, virial)`);
  const want = spec.dtype === 'float' ? floatType : 'int64';
  if (t.dtype !== want) throw new Error(`${where} '${spec.name}' has element type ${t.dtype ?? 'unknown'}, expected ${want}`);
  if (t.shape.length !== spec.rank) throw new Error(`${where} '${spec.name}' has rank ${t.shape.length} [${t.shape.join(', ')}], expected rank ${spec.rank}`);
  for (const [ax, n] of Object.entries(spec.fixed ?? {})) {
    const d = t.shape[Number(ax)];
    if (typeof d === 'number' && d !== n) throw new Error(`${where} '${spec.name}' has size ${d} on axis ${ax}, expected ${n}`);
  }
}

/**
 * Checks a model's interface and metadata against the contract and returns the metadata.
 * @param what how to name the model in messages (e.g. its path)
 * @throws naming the input, output or metadata key that breaks the contract
 * @example const meta = checkPotentialContract(readModelInfo(bytes), 'model.onnx');
 */
export function checkPotentialContract(info: ModelInfo, what = 'model'): PotentialMetadata {
  const pos = info.inputs.find((t) => t.name === 'pos');
  const floatType = pos?.dtype === 'float32' || pos?.dtype === 'float64' ? pos.dtype : undefined;
  if (pos && !floatType) throw new Error(`${what}: input 'pos' has element type ${pos.dtype ?? 'unknown'}, expected float32 or float64`);
  for (const spec of INPUTS) checkTensor(`${what}: input`, spec, info.inputs.find((t) => t.name === spec.name), floatType ?? 'float32');
  for (const t of info.inputs) {
    if (!INPUTS.some((s) => s.name === t.name)) throw new Error(`${what}: input '${t.name}' is not part of the potential contract (weights must be initializers, not inputs)`);
  }
  for (const spec of OUTPUTS) checkTensor(`${what}: output`, spec, info.outputs.find((t) => t.name === spec.name), floatType!);

  const m = info.metadata;
  const key = (k: string): string => {
    const v = m[k];
    if (v === undefined || v.trim() === '') throw new Error(`${what}: metadata key '${k}' is missing`);
    return v.trim();
  };
  const rMax = Number(key('e3md.r_max'));
  if (!(rMax > 0) || !Number.isFinite(rMax)) throw new Error(`${what}: metadata key 'e3md.r_max' must be a positive number of Å, got '${m['e3md.r_max']}'`);
  const typeNames = key('e3md.type_names').split(',').map((s) => s.trim());
  if (typeNames.some((s) => s === '') || new Set(typeNames).size !== typeNames.length) {
    throw new Error(`${what}: metadata key 'e3md.type_names' must be distinct comma-separated symbols, got '${m['e3md.type_names']}'`);
  }
  const depth = Number(key('e3md.interaction_depth'));
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`${what}: metadata key 'e3md.interaction_depth' must be a positive integer, got '${m['e3md.interaction_depth']}'`);
  const dtype = key('e3md.dtype');
  if (dtype !== floatType) throw new Error(`${what}: metadata key 'e3md.dtype' says '${dtype}' but input 'pos' is ${floatType}`);
  return Object.freeze({
    formatVersion: key('e3md.format_version'),
    rMax_A: rMax,
    typeNames: Object.freeze(typeNames),
    interactionDepth: depth,
    architecture: key('e3md.architecture'),
    dtype: floatType as FloatDType,
    all: Object.freeze({ ...m }),
  });
}

/**
 * Model type index of each system species (`System.typeNames` order).
 * @throws naming the first element the model does not know and the ones it does
 * @example mapSpecies(['O', 'H'], ['H', 'O']) // Int32Array [1, 0]
 */
export function mapSpecies(systemTypes: readonly string[], modelTypes: readonly string[], what = 'model'): Int32Array {
  return Int32Array.from(systemTypes, (s) => {
    const k = modelTypes.indexOf(s);
    if (k < 0) throw new Error(`${what} does not know element '${s}' (it was made for ${modelTypes.join(', ')})`);
    return k;
  });
}
