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

/** A partition as the workers see it; a new one follows every neighbour-list rebuild. */
export interface Layout {
  /** The cell (9) and periodicity of the box the partition was made in. */
  referenceCell: Float64Array;
  pbc: [boolean, boolean, boolean];
  /** Verlet skin, Å: lists are built with radius cutoff + skin. */
  skin_A: number;
  /** Ghost shell width, Å (interaction depth × cutoff + skin). */
  ghostWidth_A: number;
  /** (N,) domain owning each atom (empty with `parts`). */
  owner: Int32Array;
  /**
   * Half-list (pair) potentials: the number of parts the rows of one list over the whole shared
   * system are cut into (engine/cell-list.ts ListPart), domain d being part d. A part's atoms are
   * its rows; its ghosts are the other atoms its pairs reach, read in shared memory where they
   * are (no copies, no shells). Absent for models (ghost-shell domains).
   */
  parts?: number;
  /** Axes crossed by cuts, per domain (all domains: a worker needs them to rebuild its own). */
  cut: [boolean, boolean, boolean][];
  /** The domains this worker evaluates. */
  domains: number[];
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

/**
 * Steps without messages (DecomposedPotentialOptions.stepLoop): the worker stays in this task and
 * evaluates a step each time the main thread sets its command word to a new positive number,
 * answering in its done word, until the command is negative; the task then resolves (null). Words
 * of slot k: `control[2k]` the command (a step's sequence number, or the negative of the next one to
 * leave: every command is a new number), `control[2k + 1]` done (the sequence number evaluated, or its negative
 * when the step threw — the task then rejects with the error; the main thread writes a negative
 * value too when the task rejects, e.g. because the thread died). `from` is the command word when the
 * task was posted: a command given before the worker took the task is not missed.
 */
export interface StepLoopTask {
  op: 'step-loop';
  slot: number;
  control: Int32Array;
  from: number;
}

/** A rebuilt domain's ghosts, for the main thread's reduction (shared memory). */
export interface RebuiltDomain {
  index: number;
  owned: number;
  /** (G,) global index of each ghost. */
  ghosts: Int32Array;
  /** (G, 3) forces on the ghosts, eV/Å, written at every step. */
  ghostForces: Float64Array;
}

/** What `step` answers: the ghosts of each domain, after a rebuild (else null). */
export type StepResult = RebuiltDomain[] | null;
