/**
 * The `onnx` potential kind (DESIGN.md §4, §5): any ONNX file following the e3md contract drives
 * the engine. Per step it turns the engine's full neighbor list into the model's inputs — only
 * pairs closer than r_max, so the Verlet skin costs no model time — runs the model with
 * onnx/'s runner and writes energy, forces and virial back in float64.
 *
 * Input preparation is flat loops over typed buffers that grow only when the edge count does;
 * int64 indices are written through an Int32 view (low word, high word 0) instead of one BigInt
 * per element.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Box, createCellList, type NeighborList, type System } from '../engine/index.js';
import { createSession, readModelInfo, type Device, type ModelSession, type Provider, type RunFeed } from '../onnx/index.js';
import { checkPotentialContract, mapSpecies } from './onnx-metadata.js';
import { createForceOutput, POTENTIAL_INPUTS as IN, POTENTIAL_OUTPUTS as OUT, type ForceOutput, type Potential, type PotentialInputName, type PotentialMetadata } from '../engine/index.js';

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
  /** Receives device fallback messages (default console.warn). */
  readonly log?: (message: string) => void;
}

/**
 * onnxruntime intra-op threads when none are asked for: one for small systems, where threads cost
 * more than they save, and every core from {@link THREADS_ALL_CORES_FROM_ATOMS} atoms up. Any count
 * gives the same bits (segment sums are lowered without racing kernels), so this is speed only.
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
  const session = await createSession(bytes, { device: options.device ?? 'auto', intraOpThreads: threads, log: options.log });
  return wrap(session, meta, what);
}

function wrap(session: ModelSession, meta: PotentialMetadata, what: string): OnnxPotential {
  const rMax = meta.rMax_A;
  const r2max = rMax * rMax;
  const f64 = meta.dtype === 'float64';
  const newFloat = (n: number): FloatBuf => (f64 ? new Float64Array(n) : new Float32Array(n));
  let nAtoms = -1;
  let pos: FloatBuf = newFloat(0);
  let types = new BigInt64Array(0);
  let mask: FloatBuf = newFloat(0);
  let edgeCap = 0;
  let edgeIndex = new BigInt64Array(0);
  let edgeIndex32 = new Int32Array(0);
  let shifts: FloatBuf = newFloat(0);
  let typesFrom: Int32Array | null = null;
  let namesFrom: readonly string[] | null = null;
  let typeMap: Int32Array = new Int32Array(0);
  let lastEdgeCount = 0;
  let owned: number | null = null;
  let maskOwned = -1;
  let atomic = new Float64Array(0);
  const timings: OnnxTimings = { calls: 0, prepare_s: 0, model_s: 0 };
  const outputs = [OUT.atomic_energy.name, OUT.forces.name, OUT.virial.name];

  function ensureAtoms(system: System): void {
    const n = system.n;
    if (n !== nAtoms) {
      nAtoms = n;
      pos = newFloat(3 * n);
      types = new BigInt64Array(n);
      mask = newFloat(n);
      maskOwned = -1;
      typesFrom = null;
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

  function ensureEdges(cap: number): void {
    if (cap <= edgeCap) return;
    edgeCap = Math.max(cap, Math.ceil(edgeCap * 1.25));
    edgeIndex = new BigInt64Array(2 * edgeCap);
    edgeIndex32 = new Int32Array(edgeIndex.buffer);
    shifts = newFloat(3 * edgeCap);
  }

  /** Keeps pairs with r < r_max: centres into edgeIndex32[2p], neighbours after the E centres. Returns E. */
  function fillEdges(x: Float64Array, list: NeighborList): number {
    ensureEdges(list.nPairs);
    const { rowAtoms, offsets, neighbors, images, imageShifts } = list;
    // One pass: centres go to row 0 in place; E is not known yet, so neighbours go to the upper
    // half of the buffer (int64 index cap + e) and are moved to start at index E afterwards.
    const idx = edgeIndex32;
    const cap = edgeCap;
    let e = 0;
    // Rows come in the list's spatial order (row r is centre rowAtoms[r]); edges keep that order,
    // which keeps the model's gathers cache-friendly.
    for (let r = 0; r < list.n; r++) {
      const i = rowAtoms[r]!;
      const xi = x[3 * i]!, yi = x[3 * i + 1]!, zi = x[3 * i + 2]!;
      for (let p = offsets[r]!; p < offsets[r + 1]!; p++) {
        const j = neighbors[p]!;
        const s = 3 * images[p]!;
        const sx = imageShifts[s]!, sy = imageShifts[s + 1]!, sz = imageShifts[s + 2]!;
        const dx = x[3 * j]! - xi + sx, dy = x[3 * j + 1]! - yi + sy, dz = x[3 * j + 2]! - zi + sz;
        if (dx * dx + dy * dy + dz * dz >= r2max) continue;
        idx[2 * e] = i;
        idx[2 * e + 1] = 0;
        idx[2 * (cap + e)] = j;
        idx[2 * (cap + e) + 1] = 0;
        shifts[3 * e] = sx;
        shifts[3 * e + 1] = sy;
        shifts[3 * e + 2] = sz;
        e++;
      }
    }
    // Row 1 must start right after the E centres.
    if (e < cap) idx.copyWithin(2 * e, 2 * cap, 2 * (cap + e));
    return e;
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
    const E = fillEdges(x, list);
    lastEdgeCount = E;
    const feeds: Record<PotentialInputName, RunFeed> = {
      [IN.pos.name]: { data: pos, dims: [n, 3] },
      [IN.atom_types.name]: { data: types, dims: [n] },
      [IN.edge_index.name]: { data: edgeIndex.subarray(0, 2 * E), dims: [2, E] },
      [IN.edge_shift.name]: { data: shifts.subarray(0, 3 * E), dims: [E, 3] },
      [IN.energy_mask.name]: { data: mask, dims: [n] },
    };
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

/** Energy (eV), forces (eV/Å, [N,3]) and virial (eV, [3,3]) of one configuration. */
export interface SinglePoint {
  energy_eV: number;
  forces: Float64Array;
  virial: Float64Array;
}

/**
 * Evaluates a potential once on `system` with a fresh neighbor list of radius cutoff_A, of the
 * kind the potential asks for (for `e3md eval` and tests; MD uses the engine's Verlet list
 * instead). The returned arrays are new on every call: the caller may keep them.
 * @example const { energy_eV, forces } = await singlePoint(pot, system);
 */
export async function singlePoint(potential: Potential, system: System): Promise<SinglePoint> {
  const search = createCellList({ radius_A: potential.cutoff_A, kind: potential.neighborKind });
  const box = system.box ?? Box.open();
  const list = search.build(system.positions, box);
  const out = createForceOutput(system.n);
  await potential.compute(system, list, out);
  return { energy_eV: out.energy_eV, forces: out.forces, virial: out.virial };
}
