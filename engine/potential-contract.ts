/**
 * The ONNX potential contract (DESIGN.md §5) declared once, as data: every input and output with
 * its dtype class, symbolic shape, unit and meaning, and every `metadata_props` key with how it is
 * written and read. The builders declare their graph inputs from it (models/), the exporter writes
 * the metadata with it, the loader checks a file against it (potentials/), the ONNX potential and
 * the training batcher name their feeds with it, and `e3md info` describes a file with it. It is
 * pure data and imports nothing, so every layer may use it.
 *
 * Shapes are symbolic: `N` atoms, `E` edges (directed pairs), numbers are fixed sizes.
 */

/** A tensor's element type: the model's float type (float32 or float64), or int64. */
export type ContractDType = 'model' | 'int64';

/** A symbolic dimension (its name: `N` atoms, `E` edges, …) or a fixed size. */
export type ContractDim = string | number;

/** One input or output of the contract. */
export interface ContractTensor {
  readonly name: string;
  readonly dtype: ContractDType;
  readonly shape: readonly ContractDim[];
  /** Unit of the values ('' for indices and dimensionless numbers). */
  readonly unit: string;
  readonly meaning: string;
}

/**
 * A frozen tensor declaration (for the contract here, and for graphs that extend it, such as the
 * training graph's batch inputs).
 * @example const batch = contractTensor({ name: 'batch', dtype: 'int64', shape: ['N'], unit: '', meaning: 'structure of each atom' });
 */
export const contractTensor = <const T extends ContractTensor>(t: T): T => Object.freeze({ ...t, shape: Object.freeze([...t.shape]) }) as T;
const tensor = contractTensor;

/** The five inputs, in the order a model declares them. */
export const POTENTIAL_INPUTS = Object.freeze({
  pos: tensor({ name: 'pos', dtype: 'model', shape: ['N', 3], unit: 'Å', meaning: 'positions' }),
  atom_types: tensor({ name: 'atom_types', dtype: 'int64', shape: ['N'], unit: '', meaning: "index into the model's type_names" }),
  edge_index: tensor({ name: 'edge_index', dtype: 'int64', shape: [2, 'E'], unit: '', meaning: 'row 0 centre i, row 1 neighbour j; a full (directed) list' }),
  edge_shift: tensor({ name: 'edge_shift', dtype: 'model', shape: ['E', 3], unit: 'Å', meaning: 'Cartesian periodic shift: r_ij = pos[j] − pos[i] + edge_shift' }),
  energy_mask: tensor({ name: 'energy_mask', dtype: 'model', shape: ['N'], unit: '', meaning: '1 for atoms whose energy counts (owned), 0 for ghosts' }),
});

/**
 * The dims of tensor `t` for the sizes of its symbols.
 * @throws naming the tensor and the symbol when `sizes` lacks it
 * @example contractDims(POTENTIAL_INPUTS.edge_index, { N: 3, E: 4 }) // [2, 4]
 */
export function contractDims(t: ContractTensor, sizes: Readonly<Record<string, number>>): number[] {
  return t.shape.map((d) => {
    if (typeof d === 'number') return d;
    const n = sizes[d];
    if (n === undefined) throw new Error(`${t.name}: no size given for its dimension '${d}'`);
    return n;
  });
}

/** The four outputs, in the order a model declares them. */
export const POTENTIAL_OUTPUTS = Object.freeze({
  atomic_energy: tensor({ name: 'atomic_energy', dtype: 'model', shape: ['N'], unit: 'eV', meaning: 'per-atom energy' }),
  energy: tensor({ name: 'energy', dtype: 'model', shape: [], unit: 'eV', meaning: 'Σ energy_mask · atomic_energy' }),
  forces: tensor({ name: 'forces', dtype: 'model', shape: ['N', 3], unit: 'eV/Å', meaning: '−∂energy/∂pos (nonzero on ghosts: summed back to owners)' }),
  virial: tensor({ name: 'virial', dtype: 'model', shape: [3, 3], unit: 'eV', meaning: '−Σ_edges r_ij ⊗ ∂energy/∂r_ij' }),
});

/** Names of the inputs. */
export type PotentialInputName = keyof typeof POTENTIAL_INPUTS;
/** Names of the outputs. */
export type PotentialOutputName = keyof typeof POTENTIAL_OUTPUTS;

/** The float types a model may have. */
export type ModelDType = 'float32' | 'float64';

/** Version of the metadata layout this file describes. */
export const FORMAT_VERSION = '1';

/** The metadata of a potential, parsed (what the keys of {@link METADATA_KEYS} hold). */
export interface PotentialMetadata {
  readonly formatVersion: string;
  /** Cutoff radius, Å. */
  readonly rMax_A: number;
  /** Chemical symbols, index = `atom_types` value. */
  readonly typeNames: readonly string[];
  /** Message-passing layers whose receptive field a ghost shell must cover (ghost shell = interactionDepth · r_max). */
  readonly interactionDepth: number;
  readonly architecture: string;
  readonly dtype: ModelDType;
  /** Trainable scalars (descriptive). */
  readonly numParameters?: number;
  /** The builder's settings (descriptive; when they give rMax_A or typeNames, these must agree). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Irreps of each block (descriptive). */
  readonly blocks?: readonly { readonly block: string; readonly irrepsIn: string; readonly irrepsOut: string }[];
  /** How `e3md train` made the model: config file, epochs, best validation and test errors (descriptive). */
  readonly training?: Readonly<Record<string, unknown>>;
}

/** One `metadata_props` key: its name, what a reader shows, and how its value is written and read. */
export interface MetadataKey<T> {
  readonly key: string;
  /** Whether a potential must have it (the §5 keys); the others are descriptive extras. */
  readonly required: boolean;
  /** How `e3md info` names it. */
  readonly label: string;
  readonly format: (v: T) => string;
  /** The value of non-empty text. @throws saying what the text must be (the caller names the key) */
  readonly parse: (text: string) => T;
  /** The value as a person reads it. */
  readonly display: (v: T) => string;
}

const key = <T>(k: MetadataKey<T>): MetadataKey<T> => Object.freeze(k);
const same = (s: string) => s;

function lengthA(text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new Error('must be a positive number of Å');
  return v;
}

function integer(text: string, positive: boolean): number {
  const v = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(v) || (positive && v < 1)) throw new Error(`must be a ${positive ? 'positive' : 'non-negative'} integer`);
  return v;
}

function json<T>(text: string, check: (v: unknown) => boolean, what: string): T {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`must be JSON (${what})`);
  }
  if (!check(v)) throw new Error(`must be ${what}`);
  return v as T;
}

/** A descriptive key holding a JSON object. */
function jsonObjectKey(name: string, label: string): MetadataKey<Readonly<Record<string, unknown>>> {
  return key({
    key: name,
    required: false,
    label,
    format: (v) => JSON.stringify(v),
    parse: (t) => json(t, (v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'a JSON object'),
    display: (v) => JSON.stringify(v),
  });
}

/** Every metadata key e3md writes and reads, by the field of {@link PotentialMetadata} it holds. */
export const METADATA_KEYS = Object.freeze({
  formatVersion: key<string>({ key: 'e3md.format_version', required: true, label: 'format version', format: same, parse: same, display: same }),
  rMax_A: key<number>({ key: 'e3md.r_max', required: true, label: 'r_max', format: String, parse: lengthA, display: (v) => `${v} Å` }),
  typeNames: key<readonly string[]>({
    key: 'e3md.type_names',
    required: true,
    label: 'types',
    format: (v) => v.join(','),
    parse(text) {
      const names = text.split(',').map((s) => s.trim());
      if (names.some((s) => s === '') || new Set(names).size !== names.length) throw new Error('must be distinct comma-separated symbols');
      return Object.freeze(names);
    },
    display: (v) => v.join(','),
  }),
  interactionDepth: key<number>({ key: 'e3md.interaction_depth', required: true, label: 'interaction depth', format: String, parse: (t) => integer(t, true), display: String }),
  architecture: key<string>({ key: 'e3md.architecture', required: true, label: 'architecture', format: same, parse: same, display: same }),
  dtype: key<ModelDType>({
    key: 'e3md.dtype',
    required: true,
    label: 'dtype',
    format: same,
    parse(text) {
      if (text !== 'float32' && text !== 'float64') throw new Error("must be 'float32' or 'float64'");
      return text;
    },
    display: same,
  }),
  numParameters: key<number>({ key: 'e3md.num_parameters', required: false, label: 'parameters', format: String, parse: (t) => integer(t, false), display: (v) => v.toLocaleString('en-US') }),
  settings: jsonObjectKey('e3md.settings', 'settings'),
  blocks: key<NonNullable<PotentialMetadata['blocks']>>({
    key: 'e3md.blocks',
    required: false,
    label: 'blocks',
    format: (v) => JSON.stringify(v),
    parse: (t) => json(t, (v) => Array.isArray(v) && v.every((b) => typeof b === 'object' && b !== null && typeof b.block === 'string' && typeof b.irrepsIn === 'string' && typeof b.irrepsOut === 'string'), 'a JSON array of { block, irrepsIn, irrepsOut }'),
    display: (v) => v.map((b) => b.block).join(', '),
  }),
  training: jsonObjectKey('e3md.training', 'training'),
}) satisfies { readonly [F in keyof PotentialMetadata]-?: MetadataKey<NonNullable<PotentialMetadata[F]>> };

type Field = keyof typeof METADATA_KEYS;

/**
 * The `metadata_props` of `m`, every key written by its {@link MetadataKey.format}, in the order
 * of {@link METADATA_KEYS}; absent optional fields are left out.
 * @example formatMetadata({ formatVersion: FORMAT_VERSION, rMax_A: 5, typeNames: ['H', 'O'], … })['e3md.r_max'] // '5'
 */
export function formatMetadata(m: PotentialMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, k] of Object.entries(METADATA_KEYS) as [Field, MetadataKey<unknown>][]) {
    const v = m[field];
    if (v !== undefined) out[k.key] = k.format(v);
  }
  return out;
}

/**
 * Reads the contract metadata of a model, and refuses keys that contradict each other.
 * @param what how to name the model in messages (e.g. its path)
 * @throws naming the key: missing, unreadable, or (naming both keys and values) in contradiction
 * @example const meta = parseMetadata(info.metadata, 'model.onnx');
 */
export function parseMetadata(props: Readonly<Record<string, string>>, what = 'model'): PotentialMetadata {
  const out: Record<string, unknown> = {};
  for (const [field, k] of Object.entries(METADATA_KEYS) as [Field, MetadataKey<unknown>][]) {
    const text = props[k.key]?.trim();
    if (text === undefined || text === '') {
      if (k.required) throw new Error(`${what}: metadata key '${k.key}' is missing`);
      continue;
    }
    try {
      out[field] = k.parse(text);
    } catch (e) {
      throw new Error(`${what}: metadata key '${k.key}' ${(e as Error).message}, got '${props[k.key]}'`);
    }
  }
  const m = Object.freeze(out) as unknown as PotentialMetadata;
  checkAgreement(m, what);
  return m;
}

/** The settings' own rMax_A and typeNames, when present, must be the contract keys' values. */
function checkAgreement(m: PotentialMetadata, what: string): void {
  const s = m.settings;
  if (!s) return;
  const contradiction = (field: 'rMax_A' | 'typeNames', theirs: string, ours: string) =>
    new Error(`${what}: metadata keys contradict each other: '${METADATA_KEYS.settings.key}' has ${field} ${theirs} but '${METADATA_KEYS[field].key}' is '${ours}'`);
  if ('rMax_A' in s && s['rMax_A'] !== m.rMax_A) throw contradiction('rMax_A', JSON.stringify(s['rMax_A']), METADATA_KEYS.rMax_A.format(m.rMax_A));
  if ('typeNames' in s) {
    const t = s['typeNames'];
    if (!Array.isArray(t) || t.length !== m.typeNames.length || t.some((x, k) => x !== m.typeNames[k])) throw contradiction('typeNames', JSON.stringify(t), METADATA_KEYS.typeNames.format(m.typeNames));
  }
}
