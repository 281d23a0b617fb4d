/**
 * Batching: several structures become one disjoint graph. Atoms are concatenated, and each
 * structure's edges are shifted by its node offset (the number of atoms before it), so
 * `edge_index` never links two structures and one model evaluation handles the whole batch; the
 * `batch` input says which structure each atom belongs to (nequip's batch index).
 */
import { contractDims, POTENTIAL_INPUTS as IN, type ContractTensor, type Rng } from '../engine/index.js';
import type { FloatDType, RunFeed } from '../onnx/index.js';
import type { Structure } from './dataset.js';
import { BATCH_INPUTS } from './graph.js';

/** Loss weights λ_E (per-atom energy) and λ_F (force components), dimensionless. */
export interface LossWeights {
  readonly energy: number;
  readonly forces: number;
}

/** A batch as graph feeds (DESIGN.md §5 inputs plus {@link BATCH_INPUTS}), and its sizes. */
export interface Batch {
  /** Structures B. */
  readonly size: number;
  /** Atoms N. */
  readonly nAtoms: number;
  /** Edges E. */
  readonly nEdges: number;
  /** (B+1,) atoms of structure b are [atomOffsets[b], atomOffsets[b+1]). */
  readonly atomOffsets: Int32Array;
  /** (B,) reference energies in float64, eV (the fed copy may be float32). */
  readonly refEnergy_eV: Float64Array;
  /** Every input of the training and evaluation graphs except the weights. */
  readonly feeds: Readonly<Record<string, RunFeed>>;
}

/**
 * The disjoint graph of `structures[indices[k]]`, k = 0 … B−1, with float inputs in `dtype`.
 * Loss weights are folded into per-structure and per-atom inputs so the loss is a mean over this
 * batch: w_b = λ_E / B, w_i = λ_F / 3N.
 * @example
 * const b = makeBatch(train.structures, [4, 0, 7], 'float64', { energy: 1, forces: 1 });
 * await session.run({ ...b.feeds, ...weightFeeds });
 */
export function makeBatch(structures: readonly Structure[], indices: ArrayLike<number>, dtype: FloatDType, weights: LossWeights): Batch {
  const B = indices.length;
  if (B === 0) throw new Error('makeBatch: no structures');
  let N = 0;
  let E = 0;
  const atomOffsets = new Int32Array(B + 1);
  for (let k = 0; k < B; k++) {
    const s = structures[indices[k]!];
    if (!s) throw new Error(`makeBatch: no structure ${indices[k]} (have ${structures.length})`);
    N += s.n;
    E += s.nEdges;
    atomOffsets[k + 1] = N;
  }
  const F = dtype === 'float32' ? Float32Array : Float64Array;
  const pos = new F(3 * N);
  const refForces = new F(3 * N);
  const atomTypes = new BigInt64Array(N);
  const batch = new BigInt64Array(N);
  const energyMask = new F(N).fill(1);
  const forceWeight = new F(N).fill(weights.forces / (3 * N));
  const edgeIndex = new BigInt64Array(2 * E);
  const edgeShift = new F(3 * E);
  const refEnergy = new F(B);
  const refEnergy_eV = new Float64Array(B);
  const invAtoms = new F(B);
  const energyWeight = new F(B).fill(weights.energy / B);
  // Dims come from each tensor's declared shape, so a feed cannot disagree with the graph's input.
  const feed = (t: ContractTensor, data: RunFeed['data']) => ({ [t.name]: { data, dims: contractDims(t, { N, E, B }) } });
  let e0 = 0;
  for (let k = 0; k < B; k++) {
    const s = structures[indices[k]!]!;
    const a0 = atomOffsets[k]!;
    pos.set(s.positions, 3 * a0);
    refForces.set(s.forces, 3 * a0);
    for (let a = 0; a < s.n; a++) {
      atomTypes[a0 + a] = BigInt(s.types[a]!);
      batch[a0 + a] = BigInt(k);
    }
    const En = s.nEdges;
    for (let e = 0; e < En; e++) {
      edgeIndex[e0 + e] = BigInt(s.edgeIndex[e]! + a0);
      edgeIndex[E + e0 + e] = BigInt(s.edgeIndex[En + e]! + a0);
    }
    edgeShift.set(s.edgeShift, 3 * e0);
    refEnergy[k] = s.energy_eV;
    refEnergy_eV[k] = s.energy_eV;
    invAtoms[k] = 1 / s.n;
    e0 += En;
  }
  return {
    size: B,
    nAtoms: N,
    nEdges: E,
    atomOffsets,
    refEnergy_eV,
    feeds: {
      ...feed(IN.pos, pos),
      ...feed(IN.atom_types, atomTypes),
      ...feed(IN.edge_index, edgeIndex),
      ...feed(IN.edge_shift, edgeShift),
      ...feed(IN.energy_mask, energyMask),
      ...feed(BATCH_INPUTS.batch, batch),
      ...feed(BATCH_INPUTS.refEnergy, refEnergy),
      ...feed(BATCH_INPUTS.invAtoms, invAtoms),
      ...feed(BATCH_INPUTS.energyWeight, energyWeight),
      ...feed(BATCH_INPUTS.refForces, refForces),
      ...feed(BATCH_INPUTS.forceWeight, forceWeight),
    },
  };
}

/**
 * Splits 0 … count−1 into batches of at most `batchSize`, in the order of `order` (a permutation,
 * e.g. a seeded shuffle). The last batch may be smaller.
 */
export function batchIndices(order: ArrayLike<number>, batchSize: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let k = 0; k < order.length; k += batchSize) out.push(Int32Array.from({ length: Math.min(batchSize, order.length - k) }, (_, m) => order[k + m]!));
  return out;
}

/**
 * 0 … n−1 in a random order (Fisher–Yates with `rng`).
 * @example batchIndices(shuffled(10, new Rng(1).split(epoch)), 4) // three batches: 4, 4, 2
 */
export function shuffled(n: number, rng: Rng): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
  return a;
}
