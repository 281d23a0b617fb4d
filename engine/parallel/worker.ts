/**
 * The worker-thread side of a domain-decomposed potential (DESIGN.md §7). A worker module (named
 * by the layer that knows the force fields, e.g. potentials/domain-potentials.ts) default-exports
 * `createDomainWorker(factory)`; piscina calls it once per task. Each thread serves one slot:
 * `init` makes its potential with the factory; every `step` evaluates the thread's
 * domains at the shared current positions — after rebuilding their lists when a new layout came
 * — and writes owned atoms' forces into the shared force array, ghost forces into the layout's
 * ghost array, and energies and virials into its results. The main thread sums the pieces in a
 * fixed order, so results do not depend on which thread finishes first. The same handler, with
 * state of its own (`inline()`), serves the main thread's domain 0 when the decomposed potential
 * keeps one there (`mainThreadDomain`): the same code, so the same bits. Between list builds a
 * thread may take its steps in a step loop instead of one task each (`stepLoop`; protocol.ts
 * StepLoopTask): woken by a shared-memory signal, not a message.
 *
 * Full-list (model) domains are evaluated in chunks when the potential can estimate its memory
 * and a budget is set: the owned atoms are bisected until every chunk, with its receptive-field
 * context, fits; the chunks' forces are summed in chunk order.
 */
import { totalmem } from 'node:os';
import { Box, createCellList, createForceOutput, setImageShifts, type CellList, type ForceOutput, type NeighborList, type System } from '../index.js';
import { bisectPoints, domainOf, type Domain } from './decomposition.js';
import { createPartScratch, domainBox, gatherLocalPositions, localPartList, receptiveChunk, type Chunk, type PartScratch } from './domain-lists.js';
import type { DomainPotential, DomainPotentialFactory } from './domain-potential.js';
import { RESULT, RESULT_STRIDE, type InitResult, type InitTask, type Layout, type RebuiltDomain, type SharedArrays, type StepLoopTask, type StepResult, type StepTask } from './protocol.js';

/** A chunk (or, for pair potentials, the whole domain) ready to evaluate. */
interface Piece {
  /** Domain-local index of each of its atoms (identity for a whole domain). */
  atoms: Int32Array | null;
  owned: number;
  list: NeighborList;
  system: System;
  out: ForceOutput;
}

interface DomainState {
  index: number;
  domain: Domain;
  /** (G, 3) forces on the ghosts (shared with the main thread). */
  ghostForces: Float64Array;
  /** (M, 3) local positions, Å. */
  local: Float64Array;
  /** (M, 3) forces on the local atoms (chunk sums), eV/Å. */
  forces: Float64Array;
  pieces: Piece[];
  /** The domain's list (null without owned atoms): its image shifts are shared by every piece. */
  list: NeighborList | null;
  pairs: number;
  /** Seconds the last rebuild took (reported with the next step, then 0). */
  build_s: number;
}

/** What a worker module's default export does with one task. */
export type DomainTaskHandler = (task: InitTask | StepTask | StepLoopTask) => Promise<InitResult | StepResult>;

/** A worker module's default export: the thread's handler, and `inline()` for one more with its own state. */
export interface DomainWorkerHandler extends DomainTaskHandler {
  /**
   * A handler with state of its own, for a domain evaluated in the calling thread (the main
   * thread's domain 0; engine/parallel/decomposed-potential.ts `mainThreadDomain`).
   */
  inline(): DomainTaskHandler;
}

/**
 * The task handler a worker module default-exports, for potentials made by `make`.
 * @example
 * // my-worker.ts, given to createDecomposedPotential as `worker: new URL('./my-worker.js', import.meta.url)`
 * export default createDomainWorker(async (spec, ctx) => myDomainPotential(spec, ctx));
 */
export function createDomainWorker(make: DomainPotentialFactory): DomainWorkerHandler {
  return Object.assign(domainEvaluator(make), { inline: () => domainEvaluator(make) });
}

/**
 * A chunk plan may cost at most this many times the unchunked evaluation's work (the sum of the
 * chunks' estimates): beyond it, the chunks' receptive-field context (interaction_depth × r_max
 * around each) is most of every chunk, and more chunks only cost time.
 */
export const MAX_CHUNK_OVERHEAD = 4;

/** The state and steps of one slot: its potential, the shared arrays, its layout and its domains' lists. */
function domainEvaluator(make: DomainPotentialFactory): DomainTaskHandler {
  let potential: DomainPotential | null = null;
  let slot = -1;
  let typeNames: readonly string[] = [];
  let budget: number | null = null;
  let arrays: SharedArrays | null = null;
  let layout: Layout | null = null;
  let states: DomainState[] = [];
  let search: CellList | null = null;
  /** The cell the image shifts were last written for. */
  const shiftsCell = new Float64Array(9);

  /** Per part of a half list (Layout.parts) this worker evaluates: its cell list and renumbering buffers, kept between builds. */
  const parts = new Map<number, { search: CellList; scratch: PartScratch }>();

  async function init(task: InitTask): Promise<InitResult> {
    slot = task.slot;
    typeNames = task.typeNames;
    budget = task.budget_bytes;
    const notes: string[] = [];
    potential = await make(task.spec, { slot, typeNames, device: task.device, memoryBudget_bytes: budget, log: (m) => notes.push(m) });
    if (potential.neighborKind === 'full' && !potential.setOwnedAtoms) throw new Error(`${potential.name} lists full neighbours but has no setOwnedAtoms (energy mask)`);
    return { name: potential.name, cutoff_A: potential.cutoff_A, neighborKind: potential.neighborKind, interactionDepth: potential.interactionDepth, provider: potential.provider, notes };
  }

  /** Builds this worker's domains of a new layout — ghost shells, then lists — at the reference positions. */
  function rebuild(next: Layout): RebuiltDomain[] {
    const pot = potential!, shared = arrays!;
    layout = next;
    const cutoff = pot.cutoff_A;
    states = [];
    const referenceBox = new Box(next.referenceCell, next.pbc);
    if (next.parts !== undefined) return rebuildParts(next, referenceBox);
    if (search?.radius_A !== cutoff + next.skin_A) search = createCellList({ radius_A: cutoff + next.skin_A, cutoff_A: cutoff, kind: pot.neighborKind });
    const partition = { owner: next.owner, cut: next.cut };
    for (const index of next.domains) {
      const tBuild = performance.now();
      const domain = domainOf(shared.reference, referenceBox, partition, index, next.ghostWidth_A, { shared: true });
      const m = domain.atoms.length;
      const local = new Float64Array(3 * m);
      gatherLocalPositions(domain, shared.reference, next.referenceCell, local);
      const ghostForces = new Float64Array(new SharedArrayBuffer(8 * Math.max(3 * (m - domain.owned), 1)), 0, 3 * (m - domain.owned));
      const state: DomainState = { index, domain, ghostForces, local, forces: new Float64Array(3 * m), pieces: [], list: null, pairs: 0, build_s: 0 };
      states.push(state);
      if (domain.owned === 0) continue;
      const box = domainBox(domain, next.referenceCell, next.pbc);
      const list = search.build(local, box);
      state.list = list;
      const typeIds = new Int32Array(m);
      for (let k = 0; k < m; k++) typeIds[k] = shared.typeIds[domain.atoms[k]];
      for (const chunk of planChunks(list, domain, pot, local, budget)) {
        const n = chunk.atoms.length;
        const ids = new Int32Array(n);
        for (let k = 0; k < n; k++) ids[k] = typeIds[chunk.atoms[k]];
        state.pairs += chunk.list.nPairs;
        state.pieces.push({ atoms: chunk.atoms, owned: chunk.owned, list: chunk.list, system: localSystem(new Float64Array(3 * n), ids, box, typeNames), out: createForceOutput(n) });
      }
      state.build_s = (performance.now() - tBuild) / 1000;
    }
    return rebuilt(next);
  }

  /** Ends a rebuild: the shifts follow the reference cell; the main thread gets each domain's ghosts. */
  function rebuilt(next: Layout): RebuiltDomain[] {
    shiftsCell.set(next.referenceCell);
    return states.map((st) => ({ index: st.index, owned: st.domain.owned, ghosts: st.domain.atoms.subarray(st.domain.owned), ghostForces: st.ghostForces }));
  }

  /**
   * A half-list potential's parts (Layout.parts): one list over the whole shared system per domain,
   * holding only that part's rows, built at the shared reference positions in the reference box.
   */
  function rebuildParts(next: Layout, referenceBox: Box): RebuiltDomain[] {
    const pot = potential!, shared = arrays!, n = shared.typeIds.length;
    const radius = pot.cutoff_A + next.skin_A;
    for (const index of next.domains) {
      const tBuild = performance.now();
      let part = parts.get(index);
      if (!part || part.search.radius_A !== radius || part.scratch.n !== n) {
        part = { search: createCellList({ radius_A: radius, cutoff_A: pot.cutoff_A, kind: 'half' }), scratch: createPartScratch(n) };
        parts.set(index, part);
      }
      const list = part.search.build(shared.reference, referenceBox, { index, count: next.parts! });
      const [r0, r1] = part.search.partRows;
      // The part renumbered to its own atoms (its rows) and the other atoms its pairs reach: the
      // kernel then gathers and scatters these M atoms at each step, not all N. They are the domain's
      // owned atoms and ghosts (read in place, never copied into shells).
      const { atoms: view, list: local } = localPartList(list, r0, r1, part.scratch);
      const atoms = view.slice(), m = atoms.length, ghosts = m - (r1 - r0);
      const domain: Domain = { atoms, cells: new Int32Array(0), owned: r1 - r0, pbc: next.pbc };
      const ghostForces = new Float64Array(new SharedArrayBuffer(8 * Math.max(3 * ghosts, 1)), 0, 3 * ghosts);
      const typeIds = new Int32Array(m);
      for (let k = 0; k < m; k++) typeIds[k] = shared.typeIds[atoms[k]];
      const positions = new Float64Array(3 * m), out = createForceOutput(m);
      states.push({
        index, domain, ghostForces, local: positions, forces: out.forces, list: local, pairs: list.nPairs,
        pieces: [{ atoms: null, owned: r1 - r0, list: local, system: localSystem(positions, typeIds, referenceBox, typeNames), out }],
        build_s: (performance.now() - tBuild) / 1000,
      });
    }
    return rebuilt(next);
  }

  async function step(): Promise<void> {
    const pot = potential!, shared = arrays!, lay = layout!;
    const cell = shared.cell;
    // The cell moved (NPT) since the shifts were written: images follow it.
    const moved = !sameCell(cell, shiftsCell);
    if (moved) shiftsCell.set(cell);
    const { forces } = shared, { results } = lay;
    if (lay.parts !== undefined) return stepParts(moved);
    for (const state of states) {
      const { domain } = state;
      const res = results.subarray(RESULT_STRIDE * state.index, RESULT_STRIDE * (state.index + 1));
      res.fill(0);
      if (domain.owned === 0) continue;
      const t0 = performance.now();
      gatherLocalPositions(domain, shared.positions, cell, state.local);
      if (moved) setImageShifts(state.list!, cell);
      let compute_ms = 0, gather_ms = performance.now() - t0;
      let energy = 0;
      const virial = res.subarray(RESULT.virial, RESULT.virial + 9);
      if (state.pieces.length !== 1 || state.pieces[0].atoms !== null) state.forces.fill(0);
      for (const piece of state.pieces) {
        const t1 = performance.now();
        if (piece.atoms) {
          const x = piece.system.positions, a = piece.atoms;
          for (let k = 0; k < a.length; k++) {
            const s = 3 * a[k];
            x[3 * k] = state.local[s]; x[3 * k + 1] = state.local[s + 1]; x[3 * k + 2] = state.local[s + 2];
          }
        }
        const t2 = performance.now();
        pot.setOwnedAtoms?.(piece.owned);
        const pending = pot.compute(piece.system, piece.list, piece.out);
        if (pending) await pending;
        const t3 = performance.now();
        energy += piece.out.energy_eV;
        for (let k = 0; k < 9; k++) virial[k] += piece.out.virial[k];
        if (piece.atoms) {
          const f = piece.out.forces, a = piece.atoms;
          for (let k = 0; k < a.length; k++) {
            const s = 3 * a[k];
            state.forces[s] += f[3 * k]; state.forces[s + 1] += f[3 * k + 1]; state.forces[s + 2] += f[3 * k + 2];
          }
        }
        gather_ms += t2 - t1 + (performance.now() - t3);
        compute_ms += t3 - t2;
      }
      const t4 = performance.now();
      const { atoms, owned } = domain;
      const f = state.forces;
      for (let k = 0; k < owned; k++) {
        const i3 = 3 * atoms[k];
        forces[i3] = f[3 * k]; forces[i3 + 1] = f[3 * k + 1]; forces[i3 + 2] = f[3 * k + 2];
      }
      state.ghostForces.set(f.subarray(3 * owned));
      res[RESULT.energy] = energy;
      res[RESULT.gather_s] = gather_ms / 1000;
      res[RESULT.compute_s] = compute_ms / 1000;
      res[RESULT.scatter_s] = (performance.now() - t4) / 1000;
      res[RESULT.build_s] = state.build_s;
      state.build_s = 0;
      res[RESULT.chunks] = state.pieces.length;
      res[RESULT.pairs] = state.pairs;
    }
  }

  /** A step of a half-list potential's parts: gather the part's M atoms, run the kernel over its local list, scatter owned and ghost forces. */
  async function stepParts(moved: boolean): Promise<void> {
    const pot = potential!, shared = arrays!, { results } = layout!;
    for (const state of states) {
      const res = results.subarray(RESULT_STRIDE * state.index, RESULT_STRIDE * (state.index + 1));
      res.fill(0);
      if (moved) setImageShifts(state.list!, shared.cell);
      const piece = state.pieces[0], { atoms, owned } = state.domain;
      const t0 = performance.now();
      // The main thread may have handed over other shared arrays (the system's own) since the build.
      const x = shared.positions, types = piece.system.typeIds, local = state.local;
      for (let k = 0; k < atoms.length; k++) {
        const i3 = 3 * atoms[k];
        local[3 * k] = x[i3]; local[3 * k + 1] = x[i3 + 1]; local[3 * k + 2] = x[i3 + 2];
        types[k] = shared.typeIds[atoms[k]];
      }
      const t1 = performance.now();
      const pending = pot.compute(piece.system, piece.list, piece.out);
      if (pending) await pending;
      const t2 = performance.now();
      // Own atoms' forces straight to the shared array, the others' to the ghost array (the main thread adds them).
      const f = state.forces, out = shared.forces, g = state.ghostForces;
      for (let k = 0; k < owned; k++) {
        const i3 = 3 * atoms[k];
        out[i3] = f[3 * k]; out[i3 + 1] = f[3 * k + 1]; out[i3 + 2] = f[3 * k + 2];
      }
      g.set(f.subarray(3 * owned));
      res[RESULT.energy] = piece.out.energy_eV;
      res.set(piece.out.virial, RESULT.virial);
      res[RESULT.gather_s] = (t1 - t0) / 1000;
      res[RESULT.compute_s] = (t2 - t1) / 1000;
      res[RESULT.scatter_s] = (performance.now() - t2) / 1000;
      res[RESULT.build_s] = state.build_s;
      state.build_s = 0;
      res[RESULT.chunks] = 1;
      res[RESULT.pairs] = state.pairs;
    }
  }

  /**
   * Steps on the main thread's signal (protocol.ts StepLoopTask) until told to leave. The thread
   * blocks in Atomics.wait between steps: it serves no other task meanwhile, and needs none.
   */
  async function stepLoop(task: StepLoopTask): Promise<null> {
    if (!layout || !arrays) throw new Error('step-loop before the first step');
    const { control } = task, command = 2 * task.slot, done = command + 1;
    let last = task.from;
    for (;;) {
      Atomics.wait(control, command, last);
      const v = Atomics.load(control, command);
      if (v === last) continue;
      last = v;
      if (v < 0) return null;
      try {
        await step();
      } catch (e) {
        Atomics.store(control, done, -v);
        Atomics.notify(control, done);
        throw e;
      }
      Atomics.store(control, done, v);
      Atomics.notify(control, done);
    }
  }

  return async (task) => {
    if (task.op === 'init') return init(task);
    if (!potential) throw new Error('step before init');
    if (task.op === 'step-loop') return stepLoop(task);
    if (task.arrays) arrays = task.arrays;
    const rebuiltDomains = task.layout ? rebuild(task.layout) : null;
    await step();
    return rebuiltDomains;
  };
}

/**
 * Chunks of a full-list domain: one when no budget applies, else the fewest bisections of the
 * owned atoms whose every chunk the potential estimates within the budget. When the budget cannot
 * be met within {@link MAX_CHUNK_OVERHEAD} × the unchunked work (a deep model's context spans the
 * domain), the plan within it that lowers the largest chunk most — counted only when it is a
 * quarter or more below the whole evaluation, which is taken otherwise — instead of one chunk per
 * atom, each holding the domain.
 * @throws when even that plan needs more memory than the machine has (naming both)
 */
function planChunks(list: NeighborList, domain: Domain, pot: DomainPotential, local: Float64Array, budget: number | null): Chunk[] {
  const all = Int32Array.from({ length: domain.owned }, (_, k) => k);
  const depth = pot.interactionDepth, cutoff = pot.cutoff_A;
  const whole = receptiveChunk(list, all, depth, local, cutoff);
  if (budget === null || !pot.estimateBytes) return [whole];
  const cost = (c: Chunk): number => pot.estimateBytes!(c.atoms.length, c.edges, c.maxDegree);
  const wholeCost = cost(whole);
  if (wholeCost <= budget) return [whole];
  let best: Chunk[] = [whole], bestWorst = wholeCost;
  let parts = Math.min(domain.owned, Math.ceil(wholeCost / budget));
  for (;;) {
    const chunks = bisectPoints(local, all, parts).map((owned) => receptiveChunk(list, owned, depth, local, cutoff));
    const costs = chunks.map(cost);
    const worst = Math.max(...costs), total = costs.reduce((a, b) => a + b, 0);
    if (total > MAX_CHUNK_OVERHEAD * wholeCost) break;
    if (worst <= budget) return chunks;
    if (worst <= 0.75 * bestWorst) { best = chunks; bestWorst = worst; }
    if (parts >= domain.owned) break;
    // Context makes small chunks cost more than their share: grow by the overshoot, at least ×1.5.
    parts = Math.min(domain.owned, Math.ceil(parts * Math.max(1.5, worst / budget)));
  }
  if (bestWorst > 0.8 * totalmem()) {
    throw new Error(
      `a model evaluation of this domain (${domain.owned} atoms and ${domain.atoms.length - domain.owned} ghosts) needs about ${(bestWorst / 1e9).toFixed(1)} GB, ` +
        `more than this machine's ${(totalmem() / 1e9).toFixed(1)} GB, and chunks cannot lower it: each carries interaction_depth × r_max = ${(depth * cutoff).toFixed(1)} Å ` +
        'of context, most of the domain; use a machine with more memory or a model with fewer layers or a shorter r_max (more workers help only when each domain is much wider than that context)',
    );
  }
  return best;
}

function localSystem(positions: Float64Array, typeIds: Int32Array, box: Box, typeNames: readonly string[]): System {
  const n = typeIds.length;
  return { n, positions, velocities: new Float64Array(0), forces: new Float64Array(0), masses: new Float64Array(0), typeIds, typeNames, box };
}

function sameCell(a: Float64Array, b: Float64Array): boolean {
  for (let k = 0; k < 9; k++) if (a[k] !== b[k]) return false;
  return true;
}
