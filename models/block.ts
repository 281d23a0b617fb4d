/**
 * A model is an ordered list of named blocks (nequip's `SequentialGraphNetwork`). Each block
 * declares the irreps of the fields it reads and writes; `checkBlocks` walks the list before any
 * graph is built and names the first block whose inputs the earlier blocks do not provide, and
 * `emitBlocks` runs each block inside a graph scope of its name, so the ONNX node names say
 * which block made them (`layer0_convnet/MatMul_412`).
 *
 * Fields (declared once, nequip's names):
 *   node_attrs      [N, n_types]         n_types x 0e, one-hot species
 *   edge_attrs      [E, Σ(2l+1)]         1x0e+1x1o+1x2e+…, edge harmonics (e3nn layout)
 *   edge_embedding  [E, num_basis]       num_basis x 0e, radial basis × cutoff envelope
 *   node_features   channel-last terms   hidden equivariant atom features
 *   edge_features   channel-last terms   per-edge latents (Allegro)
 *   atomic_energy   [N, 1]               1x0e, eV
 *   edge_vectors    [E, 3]               1x1o, r_ij, Å (given to the first block)
 *   edge_lengths    [E, 1]               1x0e, |r_ij|, Å (given to the first block)
 */
import { Irreps, type IrrepsLike } from '../o3/index.js';
import type { Graph, Value } from '../onnx/index.js';
import { features, type Features } from './features.js';
import type { PotentialInputs } from './inputs.js';

/** A field's value: a flat e3nn-layout value [B, dim], or channel-last Features. */
export type FieldValue = { readonly kind: 'flat'; readonly irreps: Irreps; readonly value: Value } | { readonly kind: 'features'; readonly irreps: Irreps; readonly features: Features };

/** The fields computed so far while a model graph is emitted. */
export interface FieldStore {
  /** Field `name` in e3nn layout [B, dim]. @throws when absent or held as Features */
  flat(name: string): Value;
  /** Field `name` as channel-last Features. @throws when absent or held flat */
  features(name: string): Features;
  irreps(name: string): Irreps | undefined;
  setFlat(name: string, irreps: IrrepsLike, value: Value): void;
  setFeatures(name: string, value: Features): void;
}

/** One named step of a model. */
export interface Block {
  /** Scope name in the graph and in error messages, e.g. `'layer0_convnet'`. */
  readonly name: string;
  /** Irreps of every field the block reads. */
  readonly irrepsIn: Readonly<Record<string, Irreps>>;
  /** Irreps of every field the block writes. */
  readonly irrepsOut: Readonly<Record<string, Irreps>>;
  /** Emits the block's nodes, reading and writing `fields`; `inputs` gives atom and edge indices. */
  emit(g: Graph, fields: FieldStore, inputs: PotentialInputs): void;
}

/** A new, empty field store. */
export function createFieldStore(): FieldStore {
  const map = new Map<string, FieldValue>();
  const get = (name: string): FieldValue => {
    const f = map.get(name);
    if (!f) throw new Error(`field '${name}' has not been computed by any earlier block`);
    return f;
  };
  return {
    flat(name) {
      const f = get(name);
      if (f.kind !== 'flat') throw new Error(`field '${name}' is held as features, not flat`);
      return f.value;
    },
    features(name) {
      const f = get(name);
      if (f.kind !== 'features') throw new Error(`field '${name}' is held flat, not as features`);
      return f.features;
    },
    irreps: (name) => map.get(name)?.irreps,
    setFlat(name, irreps, value) {
      const ir = Irreps.parse(irreps);
      if (value.shape.length !== 2 || value.shape[1] !== ir.dim) throw new Error(`field '${name}' (${ir}) must be [B, ${ir.dim}], got [${value.shape.join(', ')}]`);
      map.set(name, { kind: 'flat', irreps: ir, value });
    },
    setFeatures(name, value) {
      map.set(name, { kind: 'features', irreps: value.irreps, features: features(value.irreps, value.terms, `field '${name}'`) });
    },
  };
}

/**
 * Checks that every block's inputs are provided, with the declared irreps, by `initial` or an
 * earlier block. Returns the irreps of every field after the last block.
 * @throws naming the block, the field and both irreps
 */
export function checkBlocks(blocks: readonly Block[], initial: Readonly<Record<string, Irreps>> = {}): Record<string, Irreps> {
  const have: Record<string, Irreps> = { ...initial };
  const names = new Set<string>();
  for (const b of blocks) {
    if (names.has(b.name)) throw new Error(`model: two blocks are named '${b.name}'`);
    names.add(b.name);
    for (const [field, ir] of Object.entries(b.irrepsIn)) {
      const got = have[field];
      if (!got) throw new Error(`model: block '${b.name}' reads field '${field}', which no earlier block writes`);
      if (!got.equals(ir)) throw new Error(`model: block '${b.name}' expects '${field}' with irreps ${ir}, but it has ${got}`);
    }
    Object.assign(have, b.irrepsOut);
  }
  return have;
}

/** Emits the blocks in order, each in a scope of its name, checking what each one writes. */
export function emitBlocks(g: Graph, blocks: readonly Block[], fields: FieldStore, inputs: PotentialInputs, initial: Readonly<Record<string, Irreps>>): void {
  checkBlocks(blocks, initial);
  for (const b of blocks) {
    g.scope(b.name, () => b.emit(g, fields, inputs));
    for (const [field, ir] of Object.entries(b.irrepsOut)) {
      const got = fields.irreps(field);
      if (!got || !got.equals(ir)) throw new Error(`model: block '${b.name}' declares output '${field}' as ${ir} but wrote ${got ?? 'nothing'}`);
    }
  }
}
