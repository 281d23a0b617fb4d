/**
 * Checking an ONNX file against the e3md potential contract (DESIGN.md §5, declared in
 * engine/potential-contract.ts): the inputs and outputs by name, element type and fixed sizes, and
 * the `e3md.*` metadata. Every failure names the input, output or metadata key that is wrong, so a
 * model made elsewhere can be fixed from the message alone.
 */
import { METADATA_KEYS, parseMetadata, POTENTIAL_INPUTS, POTENTIAL_OUTPUTS, type ContractTensor, type ModelDType, type PotentialMetadata } from '../engine/index.js';
import type { ModelInfo, TensorInfo } from '../onnx/index.js';

const INPUTS: readonly ContractTensor[] = Object.values(POTENTIAL_INPUTS);
const OUTPUTS: readonly ContractTensor[] = Object.values(POTENTIAL_OUTPUTS);
const names = (ts: readonly ContractTensor[]) => ts.map((t) => t.name).join(', ');

function checkTensor(where: string, spec: ContractTensor, t: TensorInfo | undefined, floatType: ModelDType): void {
  if (!t) throw new Error(`${where} '${spec.name}' is missing (an e3md potential needs inputs ${names(INPUTS)} and outputs ${names(OUTPUTS)})`);
  const want = spec.dtype === 'model' ? floatType : spec.dtype;
  if (t.dtype !== want) throw new Error(`${where} '${spec.name}' has element type ${t.dtype ?? 'unknown'}, expected ${want}`);
  if (t.shape.length !== spec.shape.length) throw new Error(`${where} '${spec.name}' has rank ${t.shape.length} [${t.shape.join(', ')}], expected rank ${spec.shape.length} [${spec.shape.join(', ')}]`);
  spec.shape.forEach((n, ax) => {
    const d = t.shape[ax];
    // Symbolic sizes are the file's own names (any); only fixed sizes are part of the contract.
    if (typeof n === 'number' && typeof d === 'number' && d !== n) throw new Error(`${where} '${spec.name}' has size ${d} on axis ${ax}, expected ${n}`);
  });
}

/**
 * Checks a model's interface and metadata against the contract and returns the metadata.
 * @param what how to name the model in messages (e.g. its path)
 * @throws naming the input, output or metadata key that breaks the contract, or both keys of a contradiction
 * @example const meta = checkPotentialContract(readModelInfo(bytes), 'model.onnx');
 */
export function checkPotentialContract(info: ModelInfo, what = 'model'): PotentialMetadata {
  const pos = info.inputs.find((t) => t.name === POTENTIAL_INPUTS.pos.name);
  const floatType = pos?.dtype === 'float32' || pos?.dtype === 'float64' ? pos.dtype : undefined;
  if (pos && !floatType) throw new Error(`${what}: input '${pos.name}' has element type ${pos.dtype ?? 'unknown'}, expected float32 or float64`);
  for (const spec of INPUTS) checkTensor(`${what}: input`, spec, info.inputs.find((t) => t.name === spec.name), floatType ?? 'float32');
  for (const t of info.inputs) {
    if (!INPUTS.some((s) => s.name === t.name)) throw new Error(`${what}: input '${t.name}' is not part of the potential contract (weights must be initializers, not inputs)`);
  }
  for (const spec of OUTPUTS) checkTensor(`${what}: output`, spec, info.outputs.find((t) => t.name === spec.name), floatType!);
  const meta = parseMetadata(info.metadata, what);
  if (meta.dtype !== floatType) throw new Error(`${what}: metadata key '${METADATA_KEYS.dtype.key}' says '${meta.dtype}' but input '${POTENTIAL_INPUTS.pos.name}' is ${floatType}`);
  return meta;
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
