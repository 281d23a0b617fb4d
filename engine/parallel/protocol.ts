/**
 * The messages between the main thread and its domain workers. Big arrays are SharedArrayBuffer
 * views, so posting a message shares them instead of copying: positions and forces are written by
 * one side and read by the other between two messages, never at the same time.
 */

/** Doubles per domain in `Layout.results`: energy, virial (9), then timings (s) and sizes. */
export const RESULT_STRIDE = 16;
/** Offsets into a domain's results. */
export const RESULT = { energy: 0, virial: 1, build_s: 10, gather_s: 11, compute_s: 12, scatter_s: 13, chunks: 14, pairs: 15 } as const;

/** First task of every worker: make its potential. */
export interface InitTask {
  op: 'init';
  slot: number;
  /** Serializable description of the potential, for the factory. */
  spec: unknown;
  typeNames: readonly string[];
  device?: string;
  /** Peak bytes one evaluation may take in this worker (chunking), or null for no limit. */
  budget_bytes: number | null;
}

/** What `init` answers. */
export interface InitResult {
  name: string;
  cutoff_A: number;
  neighborKind: 'half' | 'full';
  interactionDepth: number;
  provider?: string;
  notes: string[];
}

/** Arrays shared by all workers for systems of one size. */
export interface SharedArrays {
  /** (N, 3) current positions, Å. */
  positions: Float64Array;
  /** (N, 3) positions the decomposition and the lists were made from, Å. */
  reference: Float64Array;
  /** (N, 3) forces: each worker writes its owned atoms' rows. */
  forces: Float64Array;
  /** (N,) type ids in the workers' `typeNames` order. */
  typeIds: Int32Array;
  /** (9,) current cell, rows a, b, c (Å). */
  cell: Float64Array;
}

/** One domain of a layout, as a worker receives it. */
export interface LayoutDomain {
  /** Index of the domain (its row of `results`). */
  index: number;
  atoms: Int32Array;
  cells: Int32Array;
  owned: number;
  pbc: [boolean, boolean, boolean];
  /** First row of this domain's ghosts in `ghostForces`. */
  ghostOffset: number;
}

/** A decomposition as the workers see it; a new one follows every neighbour-list rebuild. */
export interface Layout {
  /** The cell (9) and periodicity of the box the decomposition was made in. */
  referenceCell: Float64Array;
  pbc: [boolean, boolean, boolean];
  /** Verlet skin, Å: lists are built with radius cutoff + skin. */
  skin_A: number;
  /** This worker's domains. */
  domains: LayoutDomain[];
  /** (G, 3) forces on every domain's ghosts, eV/Å, summed back to their owners by the main thread. */
  ghostForces: Float64Array;
  /** (D, RESULT_STRIDE) per-domain results. */
  results: Float64Array;
}

/** An evaluation at the current positions; `arrays` and `layout` when they changed. */
export interface StepTask {
  op: 'step';
  slot: number;
  arrays?: SharedArrays;
  layout?: Layout;
}
