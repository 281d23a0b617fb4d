/**
 * A message-passing model (NequIP) evaluated layer by layer in chunks, with working memory
 * bounded by a budget however large the system (models/stages.ts explains the cut). Per call:
 *
 *   1. edges within r_max from the list; edge vectors r_ij in float64, fed in the model's dtype;
 *   2. init and geometry stages (per-atom and per-edge: cut into ranges that fit the budget);
 *   3. layers 0 … L−1 forward, each over chunks of centres, keeping h_k of every atom (the
 *      checkpoints, N × width numbers per layer);
 *   4. readout, giving atomic energies and ∂E/∂h_L;
 *   5. layers L−1 … 0 backward: each chunk's VJP recomputes that layer's forward on the chunk and
 *      gives ∂E/∂h_k (added over chunks) and ∂E/∂edge_attrs, ∂E/∂edge_embedding (added over layers);
 *   6. the geometry VJP gives g_e = ∂E/∂r_ij; F_k = Σ_{i=k} g_e − Σ_{j=k} g_e, W = −Σ r_e ⊗ g_e.
 *
 * A chunk is a spatially compact set C of centres (recursive coordinate bisection) with the atoms
 * its edges reach: its layer graph sees C's edges only and makes C's outputs only, so its size is
 * that of C's edges and one hop of neighbours, not of the model's whole receptive field. Each
 * stage's session keeps the memory of its largest run (onnxruntime's arena), so the budget is
 * shared out: the chunks are the fewest bisections for which the fitted memory models
 * (potentials/onnx-memory.ts) of all layers' forward and VJP graphs together stay within
 * {@link LAYER_SHARE} of it, and the per-atom and per-edge stages run in ranges within a twentieth
 * each. The plan depends only on the positions, so the bits repeat.
 *
 * Outside the budget it keeps, in the model's float type, h_0 … h_L of every atom and the edge
 * features, and in float64 two levels of ∂E/∂h and ∂E/∂(edge features): about (L+1)·N·width +
 * 2·N·width + 3·E·(edge widths) numbers — 0.3 GB for a 4-layer NequIP at 12,288 atoms of water.
 *
 * It costs one more forward pass than the monolithic graph (the layer forwards run twice), plus
 * the chunks' halos (their neighbours' features): measured 1.6–1.8× its time (bench/staged-chunks.ts).
 */
import { readFile } from 'node:fs/promises';
import { bisectPoints } from '../engine/parallel/index.js';
import { writeEdges, type ForceOutput, type NeighborList, type Potential, type PotentialMetadata, type System } from '../engine/index.js';
import { rebuildModel, stageModel, type StagedModel, type StageGraph } from '../models/index.js';
import { createSession, readModelInfo, type ModelSession, type RunFeed } from '../onnx/index.js';
import { estimateModelMemory, type ModelMemory } from './onnx-memory.js';
import { checkPotentialContract, mapSpecies } from './onnx-metadata.js';
import { createOnnxPotential, type OnnxPotential } from './onnx-potential.js';

/** Thrown by {@link createStagedPotential} for a model that cannot be cut into layers (Allegro, or a file without e3md.settings). */
export class StagingError extends Error {
  override readonly name = 'StagingError';
}

/** Options of {@link createStagedPotential}. */
export interface StagedPotentialOptions {
  /** Path of an e3md .onnx file of a message-passing model, or its bytes. */
  readonly model: string | Uint8Array;
  /** Species of the systems it will see, `System.typeNames` order. */
  readonly typeNames: readonly string[];
  /**
   * Working memory, bytes: what the stages' sessions keep together (weights and the per-atom
   * checkpoints aside, N × the layers' widths). A call that fits it whole runs the file instead,
   * whose session frees its memory after each call.
   */
  readonly budget_bytes: number;
  /** onnxruntime intra-op threads (default 1). */
  readonly intraOpThreads?: number;
  /** Execution device of every session (default 'cpu'; falls back as `createSession` does). */
  readonly device?: string;
  /** Receives device fallback messages, each once (default: none). */
  readonly log?: (message: string) => void;
  /**
   * Fixes the number of centre chunks instead of planning it from the budget (tests); without it,
   * a call whose monolithic evaluation fits the budget runs the file in one piece.
   */
  readonly chunks?: number;
}

/** Cumulative counts of a staged potential. */
export interface StagedTimings {
  calls: number;
  /** Centre chunks of the last call (0: it ran the monolithic file). */
  chunks: number;
  /**
   * Estimated working memory the sessions keep, bytes: the sum over the stages of each one's
   * largest run so far (its arena keeps that much), or the monolithic call's estimate.
   */
  peakEstimate_bytes: number;
  model_s: number;
}

/** A staged potential: the contract's Potential plus the energy mask of a domain. */
export interface StagedPotential extends Potential {
  readonly metadata: PotentialMetadata;
  readonly timings: StagedTimings;
  /** The execution provider of its sessions (of the whole file's, before any staged call). */
  readonly provider: string;
  /** Atoms [0, count) own their energy (as OnnxPotential.setOwnedAtoms); null: all. */
  setOwnedAtoms(count: number | null): void;
}

type FloatArray = Float32Array | Float64Array;

/** Share of the budget for the layers' sessions, together (the rest: init, geometry, its VJP, readout). */
export const LAYER_SHARE = 0.8;

/** One stage's session, its memory model, and the output names in graph order. */
interface Stage {
  session: ModelSession;
  memory: ModelMemory;
  outputs: readonly string[];
  /** Estimated bytes of its largest run so far. */
  high: number;
}

async function openStage(graph: StageGraph, threads: number, device: string, log: (message: string) => void): Promise<Stage> {
  // With its arena, each session keeps the memory of its largest run (the plan below budgets for
  // that). Without it, every run maps and faults in its tensors afresh: measured on the 1,536-atom
  // box, default NequIP, one chunk, 12.7 s against 6.8 s per evaluation (bench/staged-chunks.ts).
  const session = await createSession(graph.bytes, { device, intraOpThreads: threads, memoryArena: true, log });
  return { session, memory: await estimateModelMemory(graph.bytes), outputs: graph.outputs, high: 0 };
}

/** A chunk of centres and the subgraph its layers run on. */
interface Chunk {
  /** Global atoms, the centres first (`centres` of them), then the neighbours they reach. */
  nodes: Int32Array;
  centres: number;
  /** Global edge ids of the centres' edges, and their [2, e] local edge_index. */
  edges: Int32Array;
  edgeIndex: BigInt64Array;
  maxDegree: number;
  /** 0 … centres − 1: the local atoms whose layer outputs are wanted. */
  outputAtoms: BigInt64Array;
}

/**
 * Loads a message-passing model and compiles its stages.
 * @throws StagingError naming the file when it is not an e3md model that can be staged
 * @example
 * const pot = await createStagedPotential({ model: 'nequip.onnx', typeNames: system.typeNames, budget_bytes: 2e9 });
 */
export async function createStagedPotential(options: StagedPotentialOptions): Promise<StagedPotential> {
  const what = typeof options.model === 'string' ? `model '${options.model}'` : 'model';
  let bytes: Uint8Array;
  try {
    bytes = typeof options.model === 'string' ? new Uint8Array(await readFile(options.model)) : options.model;
  } catch (e) {
    throw new Error(`${what}: cannot read the file (${(e as Error).message})`);
  }
  const meta = checkPotentialContract(readModelInfo(bytes), what);
  mapSpecies(options.typeNames, meta.typeNames, what);
  if (!(options.budget_bytes > 0)) throw new Error(`staged potential: budget_bytes must be positive, got ${options.budget_bytes}`);
  if (options.chunks !== undefined && !(Number.isInteger(options.chunks) && options.chunks >= 1)) throw new Error(`staged potential: chunks must be a positive integer, got ${options.chunks}`);
  let staged: StagedModel;
  try {
    staged = stageModel(rebuildModel(bytes, what).model, meta.dtype);
  } catch (e) {
    throw new StagingError(`${what}: cannot be evaluated layer by layer: ${(e as Error).message}`);
  }
  const threads = options.intraOpThreads ?? 1;
  const device = options.device ?? 'cpu';
  // Every session would say the same fallback: each message once.
  const said = new Set<string>();
  const log = (m: string): void => {
    if (!said.has(m)) options.log?.(m);
    said.add(m);
  };
  const open = (g: StageGraph) => openStage(g, threads, device, log);
  // The stages' sessions (and their memory fits, a few seconds) are opened by the first call
  // that does not fit whole: a worker whose domains always fit never pays for them.
  const stages = async (): Promise<Stages> => ({
    init: await open(staged.init),
    geometry: await open(staged.geometry),
    geometryVjp: await open(staged.geometryVjp),
    readout: await open(staged.readout),
    forward: await Promise.all(staged.layers.map((l) => open(l.forward))),
    vjp: await Promise.all(staged.layers.map((l) => open(l.vjp))),
  });
  // The monolithic file, for calls it can take within the budget (not when chunks are fixed).
  const whole = options.chunks !== undefined ? null : {
    potential: await createOnnxPotential({ model: bytes, typeNames: options.typeNames, device, intraOpThreads: threads, memoryArena: false, log }),
    memory: await estimateModelMemory(bytes),
  };
  return wrap(staged, stages, whole, meta, options, what);
}

/** The stages' sessions. */
interface Stages { init: Stage; geometry: Stage; geometryVjp: Stage; readout: Stage; forward: Stage[]; vjp: Stage[] }

/** The file itself, evaluated in one piece. */
interface Whole { potential: OnnxPotential; memory: ModelMemory }

/**
 * The staged potential of a model, or null when it cannot be staged (Allegro, files without e3md.settings).
 * @example const pot = (await stagedOrNull({ model, typeNames, budget_bytes })) ?? await createOnnxPotential({ model, typeNames });
 */
export async function stagedOrNull(options: StagedPotentialOptions): Promise<StagedPotential | null> {
  try {
    return await createStagedPotential(options);
  } catch (e) {
    if (e instanceof StagingError) return null;
    throw e;
  }
}

function wrap(staged: StagedModel, openStages: () => Promise<Stages>, whole: Whole | null, meta: PotentialMetadata, options: StagedPotentialOptions, what: string): StagedPotential {
  const rMax = meta.rMax_A;
  const f64 = staged.dtype === 'float64';
  const F = f64 ? Float64Array : Float32Array;
  const budget = options.budget_bytes;
  const L = staged.layers.length;
  // Term shapes of h_0 … h_L, and their row widths.
  const hDims = [staged.layers[0]!.termsIn, ...staged.layers.map((l) => l.termsOut)];
  const hWidths = hDims.map((terms) => terms.map((t) => t.dim * t.mul));
  const TA = staged.nodeAttrsDim, TE = staged.edgeAttrsDim, TB = staged.edgeEmbeddingDim;
  const timings: StagedTimings = { calls: 0, chunks: 0, peakEstimate_bytes: 0, model_s: 0 };
  let opened: Promise<Stages> | null = null;
  let provider: string = whole?.potential.provider ?? options.device ?? 'cpu';
  const allOf = (st: Stages): Stage[] => [st.init, st.geometry, st.geometryVjp, st.readout, ...st.forward, ...st.vjp];
  let owned: number | null = null;
  let namesFrom: readonly string[] | null = null;
  let typeMap: Int32Array = new Int32Array(0);

  const run = async (stage: Stage, feeds: Record<string, RunFeed>, sizes: [number, number, number]): Promise<Readonly<Record<string, { data: ArrayLike<number> }>>> => {
    stage.high = Math.max(stage.high, stage.memory.bytes(...sizes));
    const t0 = performance.now();
    const r = await stage.session.run(feeds, stage.outputs);
    timings.model_s += (performance.now() - t0) / 1000;
    return r as Readonly<Record<string, { data: ArrayLike<number> }>>;
  };
  /** Rows `rows` of a [·, width] array, as the model's float type. */
  const gatherRows = (src: ArrayLike<number>, width: number, rows: Int32Array, count = rows.length): FloatArray => {
    const out = new F(count * width);
    for (let r = 0; r < count; r++) {
      const s = rows[r]! * width;
      for (let c = 0; c < width; c++) out[r * width + c] = src[s + c]!;
    }
    return out;
  };
  const feed = (data: RunFeed['data'], dims: number[]): RunFeed => ({ data, dims });
  // Every session's arena keeps its largest run, so the budget is shared out: the layers' sessions
  // together get LAYER_SHARE of it, and each per-atom or per-edge stage 1/20 (its runs are cut
  // into ranges, which cost nothing extra).
  const layerBudget = LAYER_SHARE * budget, rangeBudget = ((1 - LAYER_SHARE) / 4) * budget;
  /** The largest run of consecutive items whose `cost(count)` fits a range's share (at least 1). */
  const rangeSize = (total: number, cost: (count: number) => number): number => {
    let size = Math.max(1, total);
    while (size > 1 && cost(size) > rangeBudget) size = Math.ceil(size / 2);
    return size;
  };

  async function compute(system: System, list: NeighborList, out: ForceOutput): Promise<void> {
    if (list.kind !== 'full') throw new Error(`staged potential: needs a full neighbor list, got a ${list.kind} one`);
    if (list.n !== system.n) throw new Error(`staged potential: the neighbor list has ${list.n} atoms, the system ${system.n}`);
    if (list.radius_A < rMax) throw new Error(`staged potential: the neighbor list radius ${list.radius_A} Å is shorter than the model's r_max ${rMax} Å`);
    const n = system.n, x = system.positions;
    if (namesFrom !== system.typeNames) {
      typeMap = mapSpecies(system.typeNames, meta.typeNames, what);
      namesFrom = system.typeNames;
    }
    // 1. Edges.
    const cap = list.nPairs;
    const index = new Int32Array(2 * cap), shifts = new Float64Array(3 * cap);
    const E = writeEdges(list, x, rMax, { index, wordsPerIndex: 1, shifts, capacity: cap });
    const centre = index.subarray(0, E), nbr = index.subarray(E, 2 * E);

    // Each centre's edge count (the CSR offsets), and the busiest centre.
    const start = new Int32Array(n + 1);
    for (let e = 0; e < E; e++) start[centre[e]! + 1]++;
    let maxDegree = 0;
    for (let i = 0; i < n; i++) {
      maxDegree = Math.max(maxDegree, start[i + 1]!);
      start[i + 1] += start[i]!;
    }
    const wholeBytes = whole && options.chunks === undefined ? whole.memory.bytes(n, E, maxDegree) : Infinity;
    if (whole && wholeBytes <= budget) {
      // It fits in one piece: the monolithic graph, which does not run the layers twice.
      timings.chunks = 0;
      timings.peakEstimate_bytes = wholeBytes;
      const t0 = performance.now();
      await whole.potential.compute(system, list, out);
      timings.model_s += (performance.now() - t0) / 1000;
      timings.calls++;
      return;
    }

    const stages = await (opened ??= openStages());
    provider = stages.init.session.provider;
    const vec = new Float64Array(3 * E);
    for (let e = 0; e < E; e++) {
      const i = centre[e]!, j = nbr[e]!;
      for (let k = 0; k < 3; k++) vec[3 * e + k] = x[3 * j + k]! - x[3 * i + k]! + shifts[3 * e + k]!;
    }
    const types = new BigInt64Array(n);
    for (let i = 0; i < n; i++) types[i] = BigInt(typeMap[system.typeIds[i]!]!);
    const o = owned === null ? n : Math.min(owned, n);
    // 2. init (per atom) and geometry (per edge), in ranges that fit.
    // What the stages make is kept in the model's float type (they make nothing finer); the
    // sums over chunks and layers (gradients) are kept in float64.
    const nodeAttrs = new F(n * TA);
    const h: FloatArray[][] = hWidths.map((ws) => ws.map((w) => new F(n * w)));
    const atomRange = rangeSize(n, (c) => stages.init.memory.bytes(c, 0, 0));
    for (let a = 0; a < n; a += atomRange) {
      const c = Math.min(atomRange, n - a);
      const r = await run(stages.init, { atom_types: feed(types.subarray(a, a + c), [c]) }, [c, 0, 0]);
      nodeAttrs.set(r['node_attrs']!.data, a * TA);
      hWidths[0]!.forEach((w, t) => h[0]![t]!.set(r[`h_out.${t}`]!.data, a * w));
    }
    const edgeAttrs = new F(E * TE), edgeEmb = new F(E * TB);
    const edgeRange = rangeSize(E, (c) => Math.max(stages.geometry.memory.bytes(0, c, 0), stages.geometryVjp.memory.bytes(0, c, 0)));
    for (let a = 0; a < E; a += edgeRange) {
      const c = Math.min(edgeRange, E - a);
      const r = await run(stages.geometry, { edge_vectors: feed(F.from(vec.subarray(3 * a, 3 * (a + c))), [c, 3]) }, [0, c, 0]);
      edgeAttrs.set(r['edge_attrs']!.data, a * TE);
      edgeEmb.set(r['edge_embedding']!.data, a * TB);
    }

    // 3. The chunk plan: the fewest bisections of the centres that fit.
    const byCentre = new Int32Array(E);
    { const fill = start.slice(0, n); for (let e = 0; e < E; e++) byCentre[fill[centre[e]!]!++] = e; }
    const local = new Int32Array(n).fill(-1);
    const chunkOf = (centres: Int32Array): Chunk => {
      const nodes: number[] = Array.from(centres);
      centres.forEach((i, k) => (local[i] = k));
      let e = 0, maxDegree = 0;
      for (const i of centres) {
        e += start[i + 1]! - start[i]!;
        maxDegree = Math.max(maxDegree, start[i + 1]! - start[i]!);
      }
      const edges = new Int32Array(e);
      const edgeIndex = new BigInt64Array(2 * e);
      let p = 0;
      for (const i of centres) {
        for (let q = start[i]!; q < start[i + 1]!; q++) {
          const id = byCentre[q]!, j = nbr[id]!;
          if (local[j] < 0) { local[j] = nodes.length; nodes.push(j); }
          edges[p] = id;
          edgeIndex[p] = BigInt(local[i]!);
          edgeIndex[e + p] = BigInt(local[j]!);
          p++;
        }
      }
      for (const j of nodes) local[j] = -1;
      const outputAtoms = BigInt64Array.from({ length: centres.length }, (_, k) => BigInt(k));
      return { nodes: Int32Array.from(nodes), centres: centres.length, edges, edgeIndex, maxDegree, outputAtoms };
    };
    /** What the layers' sessions keep, together, after running chunk c. */
    const layerCost = (c: Chunk): number => staged.layers.reduce((sum, _, k) => sum + [stages.forward[k]!, stages.vjp[k]!].reduce((a, s) => a + s.memory.bytes(c.nodes.length, c.edges.length, c.maxDegree), 0), 0);
    const everyAtom = Int32Array.from({ length: n }, (_, i) => i);
    let chunks: Chunk[];
    if (options.chunks !== undefined) chunks = bisectPoints(x, everyAtom, Math.min(options.chunks, n)).map(chunkOf);
    else {
      let parts = 1;
      for (;;) {
        chunks = parts === 1 ? [chunkOf(everyAtom)] : bisectPoints(x, everyAtom, parts).map(chunkOf);
        const worst = Math.max(...chunks.map(layerCost));
        if (worst <= layerBudget || parts >= n) break;
        parts = Math.min(n, Math.ceil(parts * Math.max(1.5, worst / layerBudget)));
      }
    }
    timings.chunks = chunks.length;

    const layerFeeds = (k: number, c: Chunk): Record<string, RunFeed> => {
      const m = c.nodes.length, e = c.edges.length;
      const feeds: Record<string, RunFeed> = {
        node_attrs: feed(gatherRows(nodeAttrs, TA, c.nodes), [m, TA]),
        edge_attrs: feed(gatherRows(edgeAttrs, TE, c.edges), [e, TE]),
        edge_embedding: feed(gatherRows(edgeEmb, TB, c.edges), [e, TB]),
        edge_index: feed(c.edgeIndex, [2, e]),
        output_atoms: feed(c.outputAtoms, [c.centres]),
      };
      hDims[k]!.forEach((t, q) => (feeds[`h_in.${q}`] = feed(gatherRows(h[k]![q]!, t.dim * t.mul, c.nodes), [m, t.dim, t.mul])));
      return feeds;
    };

    // 4. Layers forward.
    for (let k = 0; k < L; k++) {
      for (const c of chunks) {
        const r = await run(stages.forward[k]!, layerFeeds(k, c), [c.nodes.length, c.edges.length, c.maxDegree]);
        hWidths[k + 1]!.forEach((w, q) => {
          const src = r[`h_out.${q}`]!.data, dst = h[k + 1]![q]!;
          for (let a = 0; a < c.centres; a++) {
            const g = c.nodes[a]! * w;
            for (let col = 0; col < w; col++) dst[g + col] = src[a * w + col]!;
          }
        });
      }
    }

    // 5. Readout with ∂E/∂h_L, per atom range.
    const mask = new F(n);
    mask.fill(1, 0, o);
    const atomic = new Float64Array(n);
    let grad: Float64Array[] = hWidths[L]!.map((w) => new Float64Array(n * w));
    const readoutRange = rangeSize(n, (c) => stages.readout.memory.bytes(c, 0, 0));
    for (let a = 0; a < n; a += readoutRange) {
      const c = Math.min(readoutRange, n - a);
      const rows = Int32Array.from({ length: c }, (_, i) => a + i);
      const feeds: Record<string, RunFeed> = {
        node_attrs: feed(gatherRows(nodeAttrs, TA, rows), [c, TA]),
        atom_types: feed(types.subarray(a, a + c), [c]),
        energy_mask: feed(mask.subarray(a, a + c), [c]),
      };
      hDims[L]!.forEach((t, q) => (feeds[`h_in.${q}`] = feed(gatherRows(h[L]![q]!, t.dim * t.mul, rows), [c, t.dim, t.mul])));
      const r = await run(stages.readout, feeds, [c, 0, 0]);
      atomic.set(r['atomic_energy']!.data, a);
      hWidths[L]!.forEach((w, q) => grad[q]!.set(r[`grad_in.${q}`]!.data, a * w));
    }

    // 6. Layers backward.
    const dAttrs = new Float64Array(E * TE), dEmb = new Float64Array(E * TB);
    for (let k = L - 1; k >= 0; k--) {
      const next = k > 0 ? hWidths[k]!.map((w) => new Float64Array(n * w)) : [];
      for (const c of chunks) {
        const m = c.nodes.length;
        const feeds = layerFeeds(k, c);
        // The layer's outputs are the centres'.
        hDims[k + 1]!.forEach((t, q) => (feeds[`grad_out.${q}`] = feed(gatherRows(grad[q]!, t.dim * t.mul, c.nodes, c.centres), [c.centres, t.dim, t.mul])));
        const r = await run(stages.vjp[k]!, feeds, [m, c.edges.length, c.maxDegree]);
        next.forEach((dst, q) => {
          const w = hWidths[k]![q]!, src = r[`grad_in.${q}`]!.data;
          for (let a = 0; a < m; a++) {
            const g = c.nodes[a]! * w;
            for (let col = 0; col < w; col++) dst[g + col] += src[a * w + col]!;
          }
        });
        const ga = r['grad_edge_attrs']!.data, gb = r['grad_edge_embedding']!.data;
        c.edges.forEach((id, p) => {
          for (let col = 0; col < TE; col++) dAttrs[id * TE + col] += ga[p * TE + col]!;
          for (let col = 0; col < TB; col++) dEmb[id * TB + col] += gb[p * TB + col]!;
        });
      }
      grad = next;
    }

    // 7. Geometry VJP → ∂E/∂r_ij → forces and virial.
    const f = out.forces, w = out.virial;
    f.fill(0, 0, 3 * n);
    w.fill(0);
    for (let a = 0; a < E; a += edgeRange) {
      const c = Math.min(edgeRange, E - a);
      const r = await run(stages.geometryVjp, {
        edge_vectors: feed(F.from(vec.subarray(3 * a, 3 * (a + c))), [c, 3]),
        grad_edge_attrs: feed(F.from(dAttrs.subarray(a * TE, (a + c) * TE)), [c, TE]),
        grad_edge_embedding: feed(F.from(dEmb.subarray(a * TB, (a + c) * TB)), [c, TB]),
      }, [0, c, 0]);
      const g = r['grad_edge_vectors']!.data;
      for (let p = 0; p < c; p++) {
        const e = a + p, i = centre[e]!, j = nbr[e]!;
        for (let k = 0; k < 3; k++) {
          const ge = g[3 * p + k]!;
          f[3 * i + k] += ge;
          f[3 * j + k] -= ge;
          for (let l = 0; l < 3; l++) w[3 * l + k] -= vec[3 * e + l]! * ge;
        }
      }
    }
    let energy = 0;
    for (let i = 0; i < o; i++) energy += atomic[i]!;
    out.energy_eV = energy;
    timings.peakEstimate_bytes = allOf(stages).reduce((a, st) => a + st.high, 0);
    timings.calls++;
  }

  return {
    name: `onnx:${meta.architecture} (layer by layer)`,
    cutoff_A: rMax,
    neighborKind: 'full',
    metadata: meta,
    timings,
    get provider() { return provider; },
    setOwnedAtoms(count) {
      if (count !== null && !(Number.isInteger(count) && count >= 0)) throw new Error(`staged potential: setOwnedAtoms needs a non-negative integer or null, got ${count}`);
      owned = count;
      whole?.potential.setOwnedAtoms(count);
    },
    compute,
    async dispose() {
      await whole?.potential.dispose?.();
      if (opened) for (const s of allOf(await opened)) await s.session.release();
    },
  };
}
