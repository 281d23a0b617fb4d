/**
 * Batched replicas (DESIGN.md §7): K independent copies of a small system, each in its own
 * simulation, whose model evaluations are merged into one call per step — the K neighbour graphs
 * side by side as one disjoint graph (atom indices of replica k offset by the atoms before it, as
 * train/batch.ts batches structures for training). On a GPU that is where throughput comes from;
 * on a CPU it saves the per-call overhead of small graphs.
 *
 * Each replica's potential is a view of the batch: its `compute` hands over the replica's system
 * and list and resolves once all K have done so and the merged call has run. With a memory
 * budget, consecutive replicas are grouped so that each merged call's estimated memory fits
 * (several calls per step when all K do not). Energies are summed
 * per replica in float64 from the model's atomic energies, forces are the replica's rows. The
 * model's virial is one sum over the whole batch, so a replica's own virial is Σ x ⊗ F over its
 * atoms, exact for an open box (no periodic shifts); in a periodic box the §5 outputs cannot
 * split it, and replicas report a NaN virial (NaN pressure).
 */
import { Box, type ForceOutput, type NeighborList, type Potential, type System } from '../engine/index.js';
import type { OnnxPotential } from './onnx-potential.js';

/** K potentials that evaluate together. */
export interface ReplicaBatch {
  /** One potential per replica; give view k to replica k's simulation. */
  readonly views: readonly Potential[];
  /** Merged model calls so far. */
  readonly calls: number;
  /** Model calls per step (groups of replicas), known after the first step. */
  readonly groups: number;
  /**
   * Stops the batch: waiting and later evaluations reject with `reason` (a replica that stopped
   * leaves the others nothing to wait for).
   */
  abort(reason: Error): void;
  /** Releases the model session. */
  dispose(): Promise<void>;
}

interface Request { system: System; list: NeighborList; out: ForceOutput; resolve: () => void; reject: (e: Error) => void }

/**
 * Makes `replicas` views of `model` (which the batch then owns).
 * @example
 * const batch = createReplicaBatch(await createOnnxPotential({ model, typeNames }), 8);
 * const sims = systems.map((s, k) => createSimulation({ system: s, potential: batch.views[k], integrator: integrators[k] }));
 * await Promise.all(sims.map((s) => s.run(1000)));
 */
/** Memory limit of a batch: estimated bytes of one call, and the most one call may take. */
export interface ReplicaMemory {
  estimateBytes(atoms: number, edges: number, maxDegree: number): number;
  budget_bytes: number;
}

export function createReplicaBatch(model: OnnxPotential, replicas: number, memory?: ReplicaMemory): ReplicaBatch {
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`createReplicaBatch: replicas must be a positive integer, got ${replicas}`);
  const waiting: (Request | null)[] = new Array(replicas).fill(null);
  let count = 0;
  let calls = 0;
  let failure: Error | null = null;
  interface Merged { system: System; list: NeighborList; out: ForceOutput; offsets: Int32Array; requests: Request[] }
  // The merged groups, rebuilt when some replica's list or size changed.
  let lists: NeighborList[] = [];
  let sizes: number[] = [];
  let groups: Merged[] = [];

  /** Consecutive replicas whose merged call fits the memory budget (each group at least one replica). */
  function grouping(requests: Request[]): Request[][] {
    if (!memory) return [requests];
    const out: Request[][] = [];
    let current: Request[] = [];
    let atoms = 0, edges = 0, degree = 0;
    for (const r of requests) {
      let d = 0;
      for (let row = 0; row < r.list.n; row++) d = Math.max(d, r.list.offsets[row + 1] - r.list.offsets[row]);
      const fits = memory.estimateBytes(atoms + r.system.n, edges + r.list.nPairs, Math.max(degree, d)) <= memory.budget_bytes;
      if (current.length > 0 && !fits) { out.push(current); current = []; atoms = 0; edges = 0; degree = 0; }
      current.push(r);
      atoms += r.system.n; edges += r.list.nPairs; degree = Math.max(degree, d);
    }
    out.push(current);
    return out;
  }

  function mergeAll(requests: Request[]): Merged[] {
    const same = groups.length > 0 && requests.every((r, k) => r.list === lists[k] && r.system.n === sizes[k]);
    if (same) {
      let k = 0;
      for (const g of groups) g.requests = requests.slice(k, (k += g.requests.length));
      return groups;
    }
    lists = requests.map((r) => r.list);
    sizes = requests.map((r) => r.system.n);
    groups = grouping(requests).map(merge);
    return groups;
  }

  function merge(requests: Request[]): Merged {
    const names = requests[0].system.typeNames;
    const count = requests.length;
    const offsets = new Int32Array(count + 1);
    let pairs = 0, images = 0;
    requests.forEach((r, k) => {
      if (r.system.typeNames.join() !== names.join()) throw new Error(`replica ${k} has species ${r.system.typeNames.join(', ')}, replica 0 ${names.join(', ')}; replicas must be copies of one system`);
      offsets[k + 1] = offsets[k] + r.system.n;
      pairs += r.list.nPairs;
      images += r.list.imageShifts.length / 3;
    });
    if (images > 65536) throw new Error(`createReplicaBatch: ${images} periodic images over ${count} replicas, at most 65536`);
    const n = offsets[count];
    const rowAtoms = new Int32Array(n), rowOffsets = new Int32Array(n + 1), firstImaged = new Int32Array(n);
    const neighbors = new Int32Array(pairs), imageIds = new Uint16Array(pairs), imageShifts = new Float64Array(3 * images), imageCells = new Int32Array(3 * images);
    const typeIds = new Int32Array(n);
    let p0 = 0, i0 = 0;
    requests.forEach((r, k) => {
      const { list, system } = r, a0 = offsets[k];
      typeIds.set(system.typeIds, a0);
      for (let row = 0; row < list.n; row++) {
        rowAtoms[a0 + row] = list.rowAtoms[row] + a0;
        rowOffsets[a0 + row] = list.offsets[row] + p0;
        firstImaged[a0 + row] = list.firstImaged[row] + p0;
      }
      for (let p = 0; p < list.nPairs; p++) {
        neighbors[p0 + p] = list.neighbors[p] + a0;
        imageIds[p0 + p] = list.images[p] + i0;
      }
      imageCells.set(list.imageCells, 3 * i0);
      p0 += list.nPairs;
      i0 += list.imageShifts.length / 3;
    });
    rowOffsets[n] = pairs;
    const radius_A = Math.min(...requests.map((r) => r.list.radius_A));
    const system: System = { n, positions: new Float64Array(3 * n), velocities: new Float64Array(0), forces: new Float64Array(0), masses: new Float64Array(0), typeIds, typeNames: names, box: Box.open() };
    const list: NeighborList = { kind: 'full', n, radius_A, nPairs: pairs, rowAtoms, offsets: rowOffsets, firstImaged, neighbors, images: imageIds, imageShifts, imageCells };
    return { system, list, offsets, requests, out: { energy_eV: 0, forces: new Float64Array(3 * n), virial: new Float64Array(9) } };
  }

  async function evaluate(requests: Request[]): Promise<void> {
    for (const group of mergeAll(requests)) await evaluateGroup(group);
  }

  async function evaluateGroup(m: Merged): Promise<void> {
    const requests = m.requests;
    // Positions and image shifts change every step (a deforming cell rewrites shifts in place).
    let i0 = 0;
    requests.forEach((r, k) => {
      m.system.positions.set(r.system.positions, 3 * m.offsets[k]);
      m.list.imageShifts.set(r.list.imageShifts, 3 * i0);
      i0 += r.list.imageShifts.length / 3;
    });
    model.setOwnedAtoms(null);
    await model.compute(m.system, m.list, m.out);
    calls++;
    const atomic = model.lastAtomicEnergy;
    requests.forEach((r, k) => {
      const a0 = m.offsets[k], n = r.system.n, x = r.system.positions;
      const f = r.out.forces;
      f.set(m.out.forces.subarray(3 * a0, 3 * (a0 + n)));
      let energy = 0;
      for (let i = a0; i < a0 + n; i++) energy += atomic[i];
      r.out.energy_eV = energy;
      if (r.system.box.isOpen) {
        const w = r.out.virial;
        w.fill(0);
        for (let i = 0; i < n; i++) {
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) w[3 * a + b] += x[3 * i + a] * f[3 * i + b];
        }
      } else r.out.virial.fill(NaN);
    });
  }

  function request(k: number, system: System, list: NeighborList, out: ForceOutput): Promise<void> {
    if (failure) return Promise.reject(failure);
    if (list.kind !== 'full') return Promise.reject(new Error(`replica ${k}: needs a full neighbor list, got a ${list.kind} one`));
    if (waiting[k]) return Promise.reject(new Error(`replica ${k} asked for forces twice in one step`));
    return new Promise<void>((resolve, reject) => {
      waiting[k] = { system, list, out, resolve, reject };
      if (++count < replicas) return;
      const requests = waiting.slice() as Request[];
      waiting.fill(null);
      count = 0;
      evaluate(requests).then(
        () => { for (const r of requests) r.resolve(); },
        (e: Error) => { failure = e; for (const r of requests) r.reject(e); },
      );
    });
  }

  const views: Potential[] = Array.from({ length: replicas }, (_, k) => ({
    name: model.name,
    cutoff_A: model.cutoff_A,
    neighborKind: 'full' as const,
    compute: (system: System, list: NeighborList, out: ForceOutput) => request(k, system, list, out),
    // The batch owns the session: disposing one replica's view must not end the others'.
    dispose: () => {},
  }));
  return {
    views,
    get calls() { return calls; },
    get groups() { return groups.length; },
    abort(reason) {
      failure ??= reason;
      for (const r of waiting) r?.reject(failure);
      waiting.fill(null);
      count = 0;
    },
    dispose: async () => { await model.dispose?.(); },
  };
}
