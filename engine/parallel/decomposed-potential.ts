/**
 * A domain-decomposed potential (DESIGN.md §7): a Potential like any other to the run loop, whose
 * forces come from a pool of worker threads, one domain per worker (with `mainThreadDomain`, domain
 * 0 is evaluated in the calling thread and worker threads take the others). It keeps its own neighbour
 * lists (each worker lists its domain's pairs) and hands the run loop a VerletList
 * (`createNeighbors`) that decides rebuilds like the ordinary one and, at every build,
 * re-decomposes from the positions it is given — the checkpoint's reference positions on a
 * restart — so restarts decompose, list and sum exactly as the uninterrupted run did.
 *
 * Per evaluation: positions go to shared memory (no copy when the system's arrays are already
 * SharedArrayBuffer-backed), every worker evaluates its domain (told by a message, or with
 * `stepLoop` by a shared-memory signal between builds), then the main thread adds ghost
 * forces to their owners and sums energies and virials, always in domain order: the same worker
 * count gives the same bits, whatever the threads' timing. Any other NeighborList given to
 * `compute` (a single-point evaluation) makes it decompose at the current positions first.
 */
import { createRebuildCriterion, type Box, type ForceOutput, type NeighborList, type NeighborListKind, type Potential, type System, type VerletList, type VerletListOptions } from '../index.js';
import { partition } from './decomposition.js';
import { createWorkerPool, type WorkerPool } from './pool.js';
import { RESULT, RESULT_STRIDE, type InitResult, type Layout, type RebuiltDomain, type SharedArrays, type StepLoopTask, type StepResult, type StepTask } from './protocol.js';
import type { DomainTaskHandler, DomainWorkerHandler } from './worker.js';

/** Runs a task of one slot: in a worker thread, or in this thread for the main thread's domain. */
interface Slots {
  readonly size: number;
  run<R>(slot: number, task: object): Promise<R>;
  close(): Promise<void>;
}

/** Slots 1 … W − 1 in `pool` (none when W = 1), slot 0 in this thread by `inline`. */
function withMainThreadSlot(inline: DomainTaskHandler, pool: WorkerPool | null, size: number): Slots {
  return {
    size,
    run<R>(slot: number, task: object): Promise<R> {
      if (slot !== 0) return pool!.run<R>(slot, task);
      try {
        return inline(task as Parameters<DomainTaskHandler>[0]) as Promise<R>;
      } catch (e) {
        return Promise.reject(e);
      }
    },
    close: async () => { await pool?.close(); },
  };
}

/** The handler `inline()` gives for the main thread's domain; rejects naming the module when it has none. */
async function inlineHandler(module: URL | string): Promise<DomainTaskHandler> {
  const href = module instanceof URL ? module.href : module;
  const loaded = (await import(href)) as { default?: Partial<DomainWorkerHandler> };
  const make = loaded.default?.inline;
  if (typeof make !== 'function') throw new Error(`createDecomposedPotential: ${href} does not default-export createDomainWorker(…), whose inline() mainThreadDomain needs`);
  return make();
}

/** Options of {@link createDecomposedPotential}. */
export interface DecomposedPotentialOptions {
  /**
   * The worker module (file URL): its default export is `createDomainWorker(factory)`
   * (engine/parallel/worker.ts), whose factory makes each worker's potential from `spec`.
   */
  worker: URL | string;
  /** Serializable description of the potential, handed to the factory in every worker. */
  spec: unknown;
  /** Species of the systems it will see (workers' type id order). */
  typeNames: readonly string[];
  /** Domains, each evaluated by a worker thread (but see `mainThreadDomain`). */
  workers: number;
  /**
   * Domain 0 is evaluated in the calling (main) thread, by a handler with its own state from the
   * worker module (its default export's `inline()`), while worker threads evaluate domains 1 … W − 1:
   * W domains keep W cores busy with W threads, not W + 1 with the main thread idle, and domain 0
   * costs no message round trip. Sums and bits are those of W worker threads. Meant for pair
   * potentials, whose evaluations are synchronous and a few milliseconds long; a model's domain
   * runs asynchronously in onnxruntime, so its main thread is free anyway. Default false.
   */
  mainThreadDomain?: boolean;
  /**
   * Between list builds, worker threads take their steps through shared-memory signals (Atomics)
   * instead of piscina messages: each waits in a step loop (protocol.ts StepLoopTask) and the main
   * thread wakes it, then waits on its done word. A message costs about 0.1 ms to post and up to
   * 0.4 ms before the main thread sees the answer; a signal tens of microseconds. Meant, like
   * `mainThreadDomain`, for pair potentials' millisecond steps. Same tasks, same bits. Default false.
   */
  stepLoop?: boolean;
  /** Devices assigned to workers round-robin (worker k gets devices[k mod length]). */
  devices?: readonly string[];
  /** Peak bytes one model evaluation may take in a worker; larger domains are chunked. Default: no limit. */
  memoryBudget_bytes?: number | null;
  /** Receives the workers' notes (device fallbacks), each once. Default console.warn. */
  log?: (message: string) => void;
}

/** Sizes of the current decomposition, per domain; known after its first evaluation. */
export interface DecompositionStats {
  owned: number[];
  ghosts: number[];
  /** Model evaluations per domain and step (1 unless chunked). */
  chunks: number[];
  /** Pairs each domain evaluates (pair potentials) or lists for its chunks (models). */
  pairs: number[];
}

/** Cumulative seconds per part of the work; `compute_s` etc. are the slowest worker's per call. */
export interface ParallelTimings {
  calls: number;
  /** Main thread: decompositions (RCB and ghost shells). */
  decompose_s: number;
  /** Main thread: shared-memory copies, ghost-force reduction, energy and virial sums. */
  reduce_s: number;
  /** Main thread waiting for the workers. */
  wait_s: number;
  /** Workers (slowest per call): list builds, position gathers and force scatters (engine), potential evaluations. */
  build_s: number;
  gather_s: number;
  compute_s: number;
}

/** A Potential evaluated by domain decomposition over worker threads. */
export interface DecomposedPotential extends Potential {
  readonly workers: number;
  readonly interactionDepth: number;
  /** Provider of each worker's potential (ONNX), when it has one. */
  readonly providers: readonly (string | undefined)[];
  /** The workers' provider when they all run on one (e.g. 'cpu'), else the distinct ones joined by '+'. */
  readonly provider: string | undefined;
  readonly stats: DecompositionStats;
  readonly timings: ParallelTimings;
  resetTimings(): void;
  /** The run loop's neighbour bookkeeping for this potential: rebuilds re-decompose (see the file comment). */
  createNeighbors(options: VerletListOptions): VerletList;
  /** Ends the worker threads. */
  dispose(): Promise<void>;
}

const isShared = (a: Float64Array): boolean => a.buffer instanceof SharedArrayBuffer;
const sharedF64 = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(8 * Math.max(n, 1)), 0, n);

/**
 * Starts the workers and makes their potentials; rejects (with every thread ended) naming the
 * worker when one cannot be made.
 *
 * @example
 * const pot = await createDecomposedPotential({ worker: workerUrl, spec: { kind: 'lennard-jones', … }, typeNames: ['Ar'], workers: 2 });
 * const sim = createSimulation({ system, potential: pot, integrator });   // the run loop uses pot.createNeighbors
 * await sim.run(100);
 * await pot.dispose();
 */
export async function createDecomposedPotential(options: DecomposedPotentialOptions): Promise<DecomposedPotential> {
  const W = options.workers;
  if (!Number.isInteger(W) || W < 1) throw new Error(`createDecomposedPotential: workers must be a positive integer, got ${W}`);
  const log = options.log ?? ((m: string) => console.warn(m));
  const budget = options.memoryBudget_bytes ?? null;
  if (budget !== null && !(budget > 0)) throw new Error(`createDecomposedPotential: memoryBudget_bytes must be positive, got ${budget}`);
  const typeNames = [...options.typeNames];
  let pool: Slots;
  if (options.mainThreadDomain) {
    const inline = await inlineHandler(options.worker);
    pool = withMainThreadSlot(inline, W > 1 ? createWorkerPool({ module: options.worker, workers: W - 1, firstSlot: 1 }) : null, W);
  } else {
    pool = createWorkerPool({ module: options.worker, workers: W });
  }
  let inits: InitResult[];
  try {
    inits = await Promise.all(Array.from({ length: W }, (_, slot) => pool.run<InitResult>(slot, {
      op: 'init', slot, spec: options.spec, typeNames, device: options.devices?.length ? options.devices[slot % options.devices.length] : undefined, budget_bytes: budget,
    }).catch((e: Error) => { throw new Error(`worker ${slot} of ${W} could not start: ${e.message}`); })));
  } catch (e) {
    await pool.close();
    throw e;
  }
  for (const note of new Set(inits.flatMap((r) => r.notes))) log(note);
  // Step loops in the worker threads' slots only (waitAsync is in Node ≥ 16; without it, messages).
  const loopSlots = options.stepLoop && waitAsync ? Array.from({ length: W }, (_, k) => k).filter((k) => !(options.mainThreadDomain && k === 0)) : [];
  return wrap(pool, inits, typeNames, loopSlots);
}

/** Atomics.waitAsync (ES2024; Node ≥ 16), typed here because the project's lib is ES2022. */
const waitAsync = (Atomics as unknown as { waitAsync?: (a: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;

function wrap(pool: Slots, inits: InitResult[], typeNames: readonly string[], loopSlots: readonly number[]): DecomposedPotential {
  const W = pool.size;
  const { name, cutoff_A, neighborKind, interactionDepth } = inits[0];
  const kind: NeighborListKind = neighborKind;
  let failure: Error | null = null;

  // Shared arrays for systems of `n` atoms; `sent[k]` says whether worker k has the current ones.
  let n = -1;
  let arrays: SharedArrays | null = null;
  const sent = new Array<boolean>(W).fill(false);
  let typesFrom: Int32Array | null = null, namesFrom: readonly string[] | null = null;

  // The current decomposition's ghosts (reported by the workers) and results, and the layouts still to be sent.
  let ghostsOf: (RebuiltDomain | null)[] = new Array(W).fill(null);
  let results: Float64Array = new Float64Array(0);
  let pendingLayouts: (Layout | undefined)[] = new Array(W).fill(undefined);
  let placeholder: NeighborList | null = null;
  const stats: DecompositionStats = { owned: [], ghosts: [], chunks: [], pairs: [] };
  const timings: ParallelTimings = { calls: 0, decompose_s: 0, reduce_s: 0, wait_s: 0, build_s: 0, gather_s: 0, compute_s: 0 };

  // Step loops (stepLoop): per slot a command word and a done word (protocol.ts StepLoopTask), the
  // loop's task while it runs (it resolves when the loop is left, rejects when a step threw or the
  // thread died), and the last command's sequence number.
  const control = new Int32Array(new SharedArrayBuffer(8 * W));
  const looping: (Promise<unknown> | null)[] = new Array(W).fill(null);
  const sequence = new Array<number>(W).fill(0);
  const loops = new Set(loopSlots);

  function enterLoop(slot: number): void {
    const task: StepLoopTask = { op: 'step-loop', slot, control, from: Atomics.load(control, 2 * slot) };
    const p = pool.run<null>(slot, task);
    // A thread that dies never writes its done word: its task's rejection does, waking the step that waits.
    p.catch(() => {
      Atomics.store(control, 2 * slot + 1, -0x7fffffff);
      Atomics.notify(control, 2 * slot + 1);
    });
    looping[slot] = p;
  }

  /** Ends slot's loop; resolves when its task has (after which the slot takes messages again). */
  function leaveLoop(slot: number): Promise<unknown> {
    const p = looping[slot];
    if (!p) return Promise.resolve();
    looping[slot] = null;
    Atomics.store(control, 2 * slot, -++sequence[slot]);
    Atomics.notify(control, 2 * slot);
    return p;
  }

  /** One step of slot's loop: raise its command word, wait for its done word (no allocation but the wait's). */
  async function loopStep(slot: number): Promise<void> {
    const task = looping[slot]!, done = 2 * slot + 1;
    const s = ++sequence[slot];
    Atomics.store(control, 2 * slot, s);
    Atomics.notify(control, 2 * slot);
    for (;;) {
      const d = Atomics.load(control, done);
      if (d === s) return;
      if (d < 0) {
        await task; // the step threw or the thread died: rejects with the cause
        throw new Error(`its step ${s} failed, but its step loop ended without an error`);
      }
      const w = waitAsync!(control, done, d);
      if (w.async) await w.value;
    }
  }

  /** After a failure: every loop is told to leave. */
  function stopLoops(): void {
    for (const slot of loops) void leaveLoop(slot).catch(() => {});
  }

  function ensureArrays(atoms: number): void {
    if (atoms === n && arrays) return;
    n = atoms;
    arrays = { positions: sharedF64(3 * n), reference: sharedF64(3 * n), forces: sharedF64(3 * n), typeIds: new Int32Array(new SharedArrayBuffer(4 * Math.max(n, 1)), 0, n), cell: sharedF64(9) };
    sent.fill(false);
    typesFrom = null;
  }

  /**
   * Queues a new layout for `positions` in `box`: for models, the bisection (the workers then
   * build their own domains' shells and lists from the same reference positions); for pair
   * potentials, the parts of one list over the whole shared system (no bisection, no shells: the
   * atoms a part's pairs reach are read where they are).
   */
  function redecompose(positions: Float64Array, box: Box, skin_A: number): NeighborList {
    const t0 = performance.now();
    ensureArrays(positions.length / 3);
    arrays!.reference.set(positions);
    results = sharedF64(RESULT_STRIDE * W);
    const common = { referenceCell: Float64Array.from(box.cell), pbc: [box.pbc[0], box.pbc[1], box.pbc[2]] as [boolean, boolean, boolean], skin_A, results, domains: [] };
    let layout: Layout;
    if (kind === 'half') {
      layout = { ...common, ghostWidth_A: 0, owner: new Int32Array(0), cut: [], parts: W };
    } else {
      const p = partition(positions, box, W, { shared: true });
      layout = { ...common, ghostWidth_A: interactionDepth * cutoff_A + skin_A, owner: p.owner, cut: p.cut.map((c) => [c[0], c[1], c[2]] as [boolean, boolean, boolean]) };
    }
    pendingLayouts = Array.from({ length: W }, (_, k): Layout => ({ ...layout, domains: [k] }));
    // Sizes arrive with the workers' rebuilt domains.
    ghostsOf = new Array(W).fill(null);
    stats.owned = [];
    stats.ghosts = [];
    stats.chunks = [];
    stats.pairs = [];
    // The run loop passes this back to `compute`: the pairs themselves live in the workers.
    placeholder = emptyList(kind, n, cutoff_A + skin_A, placeholder);
    timings.decompose_s += (performance.now() - t0) / 1000;
    return placeholder;
  }

  async function compute(system: System, list: NeighborList, out: ForceOutput): Promise<void> {
    if (failure) throw failure;
    if (list.kind !== kind) throw new Error(`${name} (decomposed): needs a ${kind} neighbor list, got a ${list.kind} one`);
    if (list.n !== system.n) throw new Error(`${name} (decomposed): the neighbor list has ${list.n} atoms, the system ${system.n}`);
    if (list.radius_A < cutoff_A) throw new Error(`${name} (decomposed): the neighbor list radius ${list.radius_A} Å is shorter than the cutoff ${cutoff_A} Å`);
    // Not our own list (a single-point evaluation): decompose here, with the caller's skin.
    if (list !== placeholder || system.n !== n) redecompose(system.positions, system.box, list.radius_A - cutoff_A);
    const t0 = performance.now();
    const shared = arrays!;
    if (system.typeIds !== typesFrom || system.typeNames !== namesFrom) {
      const map = system.typeNames.map((s) => {
        const k = typeNames.indexOf(s);
        if (k < 0) throw new Error(`${name} (decomposed): species '${s}' was not among those the workers were made for (${typeNames.join(', ')})`);
        return k;
      });
      for (let i = 0; i < system.n; i++) shared.typeIds[i] = map[system.typeIds[i]];
      typesFrom = system.typeIds;
      namesFrom = system.typeNames;
    }
    // Positions and forces: the system's own arrays when they are shared memory, else copies.
    const positions = isShared(system.positions) ? system.positions : shared.positions;
    const forces = isShared(out.forces) && out.forces.length === 3 * n ? out.forces : shared.forces;
    if (positions !== shared.positions || forces !== shared.forces) {
      if (positions !== shared.positions) shared.positions = positions;
      if (forces !== shared.forces) shared.forces = forces;
      sent.fill(false);
    }
    if (positions !== system.positions) positions.set(system.positions);
    shared.cell.set(system.box.cell);
    const t1 = performance.now();
    try {
      // A new layout or new arrays travel as messages: the loops of the slots that need them end first.
      const leaving: Promise<unknown>[] = [];
      for (const slot of loops) {
        if (looping[slot] && (!sent[slot] || pendingLayouts[slot])) {
          leaving.push(leaveLoop(slot).catch((e: Error) => { throw new Error(`worker ${slot} of ${W} failed: ${e.message}`); }));
        }
      }
      if (leaving.length > 0) await Promise.all(leaving);
      // The last slot first: worker threads get their tasks before the main thread's domain (if
      // it has one) runs here, synchronously for a pair potential.
      await Promise.all(Array.from({ length: W }, (_, k) => {
        const slot = W - 1 - k;
        const failed = (e: Error): never => { throw new Error(`worker ${slot} of ${W} failed: ${e.message}`); };
        if (looping[slot]) return loopStep(slot).catch(failed);
        const task: StepTask = { op: 'step', slot };
        if (!sent[slot]) task.arrays = shared;
        if (pendingLayouts[slot]) task.layout = pendingLayouts[slot];
        return pool.run<StepResult>(slot, task).then(
          (rebuilt) => {
            sent[slot] = true;
            pendingLayouts[slot] = undefined;
            for (const r of rebuilt ?? []) {
              ghostsOf[r.index] = r;
              stats.owned[r.index] = r.owned;
            }
            if (loops.has(slot)) enterLoop(slot);
          },
          failed,
        );
      }));
    } catch (e) {
      failure = e as Error;
      stopLoops();
      throw failure;
    }
    const t2 = performance.now();
    // Ghost forces back to their owners, in domain order and ghost order: a fixed summation order.
    for (let d = 0; d < W; d++) {
      const { ghosts, ghostForces } = ghostsOf[d]!;
      for (let g = 0; g < ghosts.length; g++) {
        const i3 = 3 * ghosts[g];
        forces[i3] += ghostForces[3 * g]; forces[i3 + 1] += ghostForces[3 * g + 1]; forces[i3 + 2] += ghostForces[3 * g + 2];
      }
      stats.ghosts[d] = ghosts.length;
    }
    if (forces !== out.forces) out.forces.set(forces);
    let energy = 0;
    out.virial.fill(0);
    let build = 0, gather = 0, work = 0;
    for (let d = 0; d < W; d++) {
      const r = RESULT_STRIDE * d;
      energy += results[r + RESULT.energy];
      for (let k = 0; k < 9; k++) out.virial[k] += results[r + RESULT.virial + k];
      build = Math.max(build, results[r + RESULT.build_s]);
      gather = Math.max(gather, results[r + RESULT.gather_s] + results[r + RESULT.scatter_s]);
      work = Math.max(work, results[r + RESULT.compute_s]);
      stats.chunks[d] = results[r + RESULT.chunks];
      stats.pairs[d] = results[r + RESULT.pairs];
    }
    out.energy_eV = energy;
    timings.calls++;
    timings.reduce_s += (t1 - t0 + performance.now() - t2) / 1000;
    timings.wait_s += (t2 - t1) / 1000;
    timings.build_s += build;
    timings.gather_s += gather;
    timings.compute_s += work;
  }

  function createNeighbors(options: VerletListOptions): VerletList {
    const { skin_A } = options;
    const criterion = createRebuildCriterion({ ...options, cutoff_A }, 'createNeighbors');
    let current: NeighborList | null = null;
    let followed: Box | null = null;
    let builds = 0;
    return {
      cutoff_A, skin_A, kind,
      get list() { return current; },
      get reference() { return criterion.reference; },
      get referenceBox() { return criterion.referenceBox; },
      get box() { return followed; },
      get builds() { return builds; },
      build(positions, box) {
        criterion.built(positions, box);
        followed = box;
        builds++;
        current = redecompose(positions, box, skin_A);
        return current;
      },
      // As the ordinary Verlet list. Pair potentials' parts are one list over the whole system, so a
      // deformed cell (NPT) is followed as that list follows it (each worker moves its parts' image
      // shifts when the shared cell changes); a model's domains carry ghost shells cut in the
      // build's cell, so any change of box re-decomposes them.
      needsRebuild(positions, box, stepsSinceBuild = 0) {
        if (current === null || current !== placeholder) return true;
        if (kind === 'full' && box !== criterion.referenceBox) return true;
        return criterion.needsRebuild(positions, box, stepsSinceBuild);
      },
      followBox(box) {
        const built = criterion.referenceBox;
        if (kind === 'full' && box !== built) throw new Error('decomposed potential: the box changed without a rebuild (a cell change re-decomposes a model\'s domains)');
        if (built === null || !box.samePeriodicity(built)) throw new Error('decomposed potential: followBox needs a built list and a box of the same periodicity; rebuild instead');
        followed = box;
      },
    };
  }

  return {
    name, cutoff_A, neighborKind: kind, interactionDepth,
    workers: W,
    providers: inits.map((r) => r.provider),
    provider: inits[0].provider === undefined ? undefined : [...new Set(inits.map((r) => r.provider))].join('+'),
    get stats() { return stats; },
    timings,
    resetTimings() { for (const k of Object.keys(timings) as (keyof ParallelTimings)[]) timings[k] = 0; },
    compute,
    createNeighbors,
    async dispose() {
      await Promise.allSettled([...loops].map(leaveLoop));
      await pool.close();
    },
  };
}

/**
 * A list with no pairs standing in for the workers' lists (the run loop only passes it back): a
 * new object per build, sharing the arrays of `previous` when the atom count is the same.
 */
function emptyList(kind: NeighborListKind, n: number, radius_A: number, previous: NeighborList | null): NeighborList {
  const same = previous !== null && previous.n === n;
  return {
    kind, n, radius_A, nPairs: 0,
    rowAtoms: same ? previous.rowAtoms : Int32Array.from({ length: n }, (_, i) => i),
    offsets: same ? previous.offsets : new Int32Array(n + 1),
    firstImaged: same ? previous.firstImaged : new Int32Array(n),
    neighbors: new Int32Array(0), images: new Uint16Array(0), imageShifts: new Float64Array(3), imageCells: new Int32Array(3),
  };
}
