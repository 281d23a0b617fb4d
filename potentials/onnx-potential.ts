/**
 * The `onnx` potential kind (DESIGN.md §4, §5): any ONNX file following the e3md contract drives
 * the engine. Per step it turns the engine's full neighbor list into the model's inputs — only
 * pairs closer than r_max, so the Verlet skin costs no model time — runs the model with
 * onnx/'s session and writes energy, forces and virial back in float64.
 *
 * Input preparation is flat loops over typed buffers that grow only when the edge count does
 * (the edges by engine's `createEdgeTensors`, the one neighbour-list → edge-tensor kernel).
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createEdgeTensors, type NeighborList, type System } from '../engine/index.js';
import { createSession, readModelInfo, type Device, type ModelSession, type Provider, type RunFeed } from '../onnx/index.js';
import { checkPotentialContract, mapSpecies } from './onnx-metadata.js';
import { POTENTIAL_INPUTS as IN, POTENTIAL_OUTPUTS as OUT, type ForceOutput, type Potential, type PotentialInputName, type PotentialMetadata } from '../engine/index.js';

/** Options of {@link createOnnxPotential}. */
export interface OnnxPotentialOptions {
  /** Path of the .onnx file, or its bytes. */
  readonly model: string | Uint8Array;
  /** Species of the systems it will see, `System.typeNames` order; each must be in the model's `e3md.type_names`. */
  readonly typeNames: readonly string[];
  /** Execution device (default 'auto'). */
  readonly device?: Device | string;
  /** CPU threads for onnxruntime (default: its own choice). */
  readonly intraOpThreads?: number;
  /** onnxruntime's CPU memory arena (default true; off for evaluations of many different sizes, see SessionOptions.memoryArena). */
  readonly memoryArena?: boolean;
  /** Receives device fallback messages (default console.warn). */
  readonly log?: (message: string) => void;
}

/**
 * onnxruntime intra-op threads when none are asked for: one for small systems, where threads cost
 * more than they save, and every core from {@link THREADS_ALL_CORES_FROM_ATOMS} atoms up. Every count
 * is deterministic (segment sums are lowered without racing kernels) and counts agree to rounding
 * (a GEMM may block differently), so this is speed only.
 * @example createOnnxPotential({ model, typeNames, intraOpThreads: defaultModelThreads(system.n) })
 */
export function defaultModelThreads(atoms: number, cores: number = availableParallelism()): number {
  return atoms >= THREADS_ALL_CORES_FROM_ATOMS ? cores : 1;
}

/** System size (atoms) from which {@link defaultModelThreads} uses every core (measured: README, "Threads"). */
export const THREADS_ALL_CORES_FROM_ATOMS = 100;

/** Cumulative time spent per part of `compute`, s. */
export interface OnnxTimings {
  calls: number;
  /** Filtering pairs and filling the input tensors. */
  prepare_s: number;
  /** onnxruntime, including copying results out. */
  model_s: number;
}

/** An ONNX-backed potential. */
export interface OnnxPotential extends Potential {
  readonly metadata: PotentialMetadata;
  /** The execution provider the session runs on. */
  readonly provider: Provider;
  /** Edges (pairs within r_max) of the last evaluation. */
  readonly lastEdgeCount: number;
  /** (N,) atomic energies of the last evaluation, eV (a buffer reused by the next call). */
  readonly lastAtomicEnergy: Float64Array;
  readonly timings: OnnxTimings;
  resetTimings(): void;
  /**
   * Domain decomposition (DESIGN.md §7): atoms [0, count) are owned, the rest are ghosts with
   * `energy_mask` 0. The energy then counts owned atoms only, the virial is that energy's, and the
   * forces on ghosts are contributions the caller adds back to the ghosts' owners. A ghost shell
   * must reach `interactionDepth · r_max` (+ skin) beyond the owned atoms. `null` (the default):
   * every atom is owned.
   * @example pot.setOwnedAtoms(domain.ownedCount); await pot.compute(domainSystem, list, out);
   */
  setOwnedAtoms(count: number | null): void;
}

type FloatBuf = Float32Array | Float64Array;

/**
 * Loads a model, checks it against the contract and the species, and opens a session.
 * @throws naming the contract key, the unknown element or the device problem
 * @example
 * const pot = await createOnnxPotential({ model: 'model.onnx', typeNames: system.typeNames });
 * const sim = createSimulation({ system, potential: pot, integrator });
 */
export async function createOnnxPotential(options: OnnxPotentialOptions): Promise<OnnxPotential> {
  const what = typeof options.model === 'string' ? `model '${options.model}'` : 'model';
  let bytes: Uint8Array;
  try {
    bytes = typeof options.model === 'string' ? await readFile(options.model) : options.model;
  } catch (e) {
    throw new Error(`${what}: cannot read the file (${(e as Error).message})`);
  }
  let info;
  try {
    info = readModelInfo(bytes);
  } catch (e) {
    throw new Error(`${what}: not a readable ONNX model (${(e as Error).message})`);
  }
  const meta = checkPotentialContract(info, what);
  // Checked now so that a bad element fails before any output is written; `compute` maps the
  // species of whatever system it is given.
  mapSpecies(options.typeNames, meta.typeNames, what);
  let threads = options.intraOpThreads;
  if ((info.opCounts['ScatterND'] ?? 0) > 0 && threads !== 1) {
    // Files from e3md < 0.2 sum with ScatterND, whose CPU add races across threads: forces would
    // change from call to call. One thread is exact; `e3md model upgrade` removes the need.
    (options.log ?? console.warn)(`${what} sums with ONNX ScatterND, whose multi-threaded CPU kernel races (forces vary between identical calls); running it on 1 thread — re-export it with \`e3md model upgrade\` to use more`);
    threads = 1;
  }
  const session = await createSession(bytes, { device: options.device ?? 'auto', intraOpThreads: threads, memoryArena: options.memoryArena, log: options.log });
  return wrap(session, meta, what);
}

function wrap(session: ModelSession, meta: PotentialMetadata, what: string): OnnxPotential {
  const rMax = meta.rMax_A;
  const f64 = meta.dtype === 'float64';
  const newFloat = (n: number): FloatBuf => (f64 ? new Float64Array(n) : new Float32Array(n));
  let nAtoms = -1;
  let pos: FloatBuf = newFloat(0);
  let types = new BigInt64Array(0);
  let mask: FloatBuf = newFloat(0);
  const edges = createEdgeTensors(meta.dtype);
  let typesFrom: Int32Array | null = null;
  let namesFrom: readonly string[] | null = null;
  let typeMap: Int32Array = new Int32Array(0);
  let lastEdgeCount = 0;
  let owned: number | null = null;
  let maskOwned = -1;
  let atomic = new Float64Array(0);
  const timings: OnnxTimings = { calls: 0, prepare_s: 0, model_s: 0 };
  const outputs = [OUT.atomic_energy.name, OUT.forces.name, OUT.virial.name];
  // One feed record for every call: its arrays and dims change only when the atom or edge count
  // (or an edge buffer) does, so the session reuses its tensors while they stay the same.
  const feed = (data: RunFeed['data']): RunFeed => ({ data, dims: [] });
  const feeds: Record<PotentialInputName, RunFeed> = {
    [IN.pos.name]: feed(pos),
    [IN.atom_types.name]: feed(types),
    [IN.edge_index.name]: feed(edges.edgeIndex),
    [IN.edge_shift.name]: feed(edges.edgeShift),
    [IN.energy_mask.name]: feed(mask),
  };
  let fedEdges = -1;
  let fedIndex: BigInt64Array | null = null;

  /** Points the edge feeds at the first E edges (new views only when E or the buffers changed). */
  function feedEdges(E: number): void {
    if (E === fedEdges && edges.edgeIndex === fedIndex) return;
    feeds[IN.edge_index.name] = { data: edges.edgeIndex.subarray(0, 2 * E), dims: [2, E] };
    feeds[IN.edge_shift.name] = { data: edges.edgeShift.subarray(0, 3 * E), dims: [E, 3] };
    fedEdges = E;
    fedIndex = edges.edgeIndex;
  }

  function ensureAtoms(system: System): void {
    const n = system.n;
    if (n !== nAtoms) {
      nAtoms = n;
      pos = newFloat(3 * n);
      types = new BigInt64Array(n);
      mask = newFloat(n);
      maskOwned = -1;
      typesFrom = null;
      feeds[IN.pos.name] = { data: pos, dims: [n, 3] };
      feeds[IN.atom_types.name] = { data: types, dims: [n] };
      feeds[IN.energy_mask.name] = { data: mask, dims: [n] };
    }
    const o = owned === null ? n : Math.min(owned, n);
    if (o !== maskOwned) {
      mask.fill(1, 0, o);
      mask.fill(0, o, n);
      maskOwned = o;
    }
    if (namesFrom !== system.typeNames) {
      typeMap = mapSpecies(system.typeNames, meta.typeNames, what);
      namesFrom = system.typeNames;
      typesFrom = null;
    }
    if (typesFrom !== system.typeIds) {
      const ids = system.typeIds;
      for (let i = 0; i < n; i++) types[i] = BigInt(typeMap[ids[i]!]!);
      typesFrom = ids;
    }
  }

  async function compute(system: System, list: NeighborList, out: ForceOutput): Promise<void> {
    if (list.kind !== 'full') throw new Error(`onnx potential: needs a full neighbor list, got a ${list.kind} one`);
    if (list.n !== system.n) throw new Error(`onnx potential: the neighbor list has ${list.n} atoms, the system ${system.n}`);
    if (list.radius_A < rMax) throw new Error(`onnx potential: the neighbor list radius ${list.radius_A} Å is shorter than the model's r_max ${rMax} Å`);
    const t0 = performance.now();
    ensureAtoms(system);
    const n = system.n;
    const x = system.positions;
    for (let k = 0; k < 3 * n; k++) pos[k] = x[k]!;
    const E = edges.fill(list, x, rMax);
    lastEdgeCount = E;
    feedEdges(E);
    const t1 = performance.now();
    const r = await session.run(feeds, outputs);
    const ae = r[OUT.atomic_energy.name]!.data as FloatBuf;
    const fo = r[OUT.forces.name]!.data as FloatBuf;
    const vo = r[OUT.virial.name]!.data as FloatBuf;
    // The engine sums energies in float64 (DESIGN.md §3), whatever the model's dtype.
    if (atomic.length !== n) atomic = new Float64Array(n);
    let energy = 0;
    for (let i = 0; i < n; i++) atomic[i] = ae[i]!;
    for (let i = 0; i < maskOwned; i++) energy += atomic[i]!;
    const f = out.forces;
    for (let k = 0; k < 3 * n; k++) f[k] = fo[k]!;
    for (let k = 0; k < 9; k++) out.virial[k] = vo[k]!;
    out.energy_eV = energy;
    const t2 = performance.now();
    timings.calls++;
    timings.prepare_s += (t1 - t0) / 1000;
    timings.model_s += (t2 - t1) / 1000;
  }

  return {
    name: `onnx:${meta.architecture}`,
    cutoff_A: rMax,
    neighborKind: 'full',
    metadata: meta,
    provider: session.provider,
    get lastEdgeCount() { return lastEdgeCount; },
    get lastAtomicEnergy() { return atomic; },
    timings,
    setOwnedAtoms(count) {
      if (count !== null && !(Number.isInteger(count) && count >= 0)) throw new Error(`onnx potential: setOwnedAtoms needs a non-negative integer or null, got ${count}`);
      owned = count;
    },
    resetTimings() {
      timings.calls = 0;
      timings.prepare_s = 0;
      timings.model_s = 0;
    },
    compute,
    dispose: () => session.release(),
  };
}
