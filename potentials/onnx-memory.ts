/**
 * Working memory of one evaluation of an ONNX potential, estimated from the model itself, so that
 * a domain can be chunked to a memory budget (DESIGN.md §7) deterministically: the same model and
 * sizes always give the same estimate, hence the same chunks and the same bits.
 *
 * The model is run once on each of four tiny synthetic graphs with every intermediate tensor made
 * an output; each tensor's element count is fitted as a + b·N + c·E + d·N·K (N atoms, E edges,
 * K the largest number of edges of one atom — segment sums pad to it), which is exact for the
 * shapes e3md's models have and is checked on a fifth graph. The estimate for given sizes is the
 * peak, over the nodes in graph order, of the bytes of the tensors alive at that node (from the
 * node that makes a tensor to the last that reads it), times {@link ORT_OVERHEAD} for what
 * onnxruntime adds (its arena rounds and extends allocations; fused kernels keep workspaces).
 */
import { readFile } from 'node:fs/promises';
import { createSession, exposeIntermediates, readDataflow, readModelInfo, type AnyTypedArray, type RunFeed, type TensorInfo } from '../onnx/index.js';

/**
 * Measured peak working memory (peak RSS minus RSS before the call) over the dataflow estimate,
 * one CPU thread, water boxes of 1,536 atoms at r_max 4 Å: 1.28 for the shipped float64 NequIP,
 * 1.23 for the default float32 NequIP, 1.64 for the default float32 Allegro.
 */
export const ORT_OVERHEAD = 1.7;

/** A fitted memory model of one ONNX potential. */
export interface ModelMemory {
  /** Estimated peak bytes of one evaluation (intermediate tensors, inputs and outputs; not weights). */
  bytes(atoms: number, edges: number, maxDegree: number): number;
  /** Bytes of the weights, resident once per session. */
  readonly weightBytes: number;
}

/** A probe graph: N atoms, directed edges (both directions listed). */
interface Probe { n: number; edges: [number, number][] }

/** Atoms on a ring, each joined to the h nearest on either side, plus (optionally) a hub 0 joined to more. */
function probe(n: number, h: number, hub = 0): Probe {
  const edges: [number, number][] = [];
  const seen = new Set<string>();
  const add = (i: number, j: number): void => {
    if (i === j || seen.has(`${i},${j}`)) return;
    seen.add(`${i},${j}`);
    seen.add(`${j},${i}`);
    edges.push([i, j], [j, i]);
  };
  for (let i = 0; i < n; i++) for (let d = 1; d <= h; d++) add(i, (i + d) % n);
  for (let j = 2; j < 2 + hub; j++) add(0, j);
  return { n, edges };
}

function sizesOf(p: Probe): [number, number, number, number] {
  const degree = new Array<number>(p.n).fill(0);
  for (const [i] of p.edges) degree[i]++;
  return [1, p.n, p.edges.length, p.n * Math.max(...degree)];
}

/** Solves the 4×4 system m x = v by Gaussian elimination with partial pivoting. */
function solve4(m: number[][], v: number[]): number[] {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k < 5; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, i) => row[4] / row[i]);
}

/**
 * Inputs of a probe run for a graph with inputs `inputs`: the contract's (and the staged
 * models') by name — a compact cluster for `pos` and `edge_vectors`, so that every listed edge is
 * real, non-degenerate and shorter than any r_max — and any other tensor filled with small values,
 * its symbolic dims `N` and `E` set to the probe's atoms and edges.
 */
function probeFeeds(inputs: readonly TensorInfo[], p: Probe, f64: boolean): Record<string, RunFeed> {
  const F = f64 ? Float64Array : Float32Array;
  const E = p.edges.length;
  const pos = new Float64Array(3 * p.n);
  for (let i = 0; i < p.n; i++) { pos[3 * i] = 0.05 * i; pos[3 * i + 1] = 0.03 * ((i * 7) % 5); pos[3 * i + 2] = 0.02 * ((i * 3) % 4); }
  const edgeIndex = new BigInt64Array(2 * E);
  p.edges.forEach(([i, j], e) => { edgeIndex[e] = BigInt(i); edgeIndex[E + e] = BigInt(j); });
  const feeds: Record<string, RunFeed> = {};
  for (const t of inputs) {
    // C (a staged layer's output atoms, at most N of them) is probed as N: a bound.
    const dims = t.shape.map((d) => (d === 'N' || d === 'C' ? p.n : d === 'E' ? E : typeof d === 'number' ? d : NaN));
    if (dims.some((d) => !Number.isInteger(d))) throw new Error(`estimateModelMemory: input '${t.name}' has dims [${t.shape.join(', ')}]; only N, C, E and numbers can be probed`);
    const count = dims.reduce((a, b) => a * b, 1);
    if (t.name === 'edge_index') feeds[t.name] = { data: edgeIndex, dims };
    else if (t.name === 'output_atoms') feeds[t.name] = { data: BigInt64Array.from({ length: count }, (_, k) => BigInt(k)), dims };
    else if (t.dtype === 'int64') feeds[t.name] = { data: new BigInt64Array(count), dims };
    else if (t.name === 'pos') feeds[t.name] = { data: F.from(pos), dims };
    else if (t.name === 'edge_vectors') {
      const v = new F(3 * E);
      p.edges.forEach(([i, j], e) => { for (let k = 0; k < 3; k++) v[3 * e + k] = pos[3 * j + k] - pos[3 * i + k]; });
      feeds[t.name] = { data: v, dims };
    } else if (t.name === 'edge_shift') feeds[t.name] = { data: new F(count), dims };
    else if (t.name === 'energy_mask') feeds[t.name] = { data: new F(count).fill(1), dims };
    else {
      const v = new F(count);
      for (let k = 0; k < count; k++) v[k] = 0.01 * ((k % 7) + 1);
      feeds[t.name] = { data: v, dims };
    }
  }
  return feeds;
}

/**
 * Fits the memory model of `model` (path or bytes). Takes a fraction of a second (five runs of a
 * copy of the model on graphs of a few dozen edges).
 * @example
 * const mem = await estimateModelMemory('model.onnx');
 * mem.bytes(20_000, 600_000, 60) / 2 ** 30; // GiB for 20k atoms and 600k edges
 */
export async function estimateModelMemory(model: string | Uint8Array): Promise<ModelMemory> {
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  const info = readModelInfo(bytes);
  const f64 = info.inputs.some((t) => t.dtype === 'float64');
  const flow = readDataflow(bytes);
  const exposed = exposeIntermediates(bytes);
  // Every tensor that occupies memory during a run: graph inputs, node outputs.
  const names = [...new Set([...flow.inputs, ...flow.nodes.flatMap((n) => n.outputs)])];
  const session = await createSession(exposed.bytes, { device: 'cpu', intraOpThreads: 1, graphOptimizationLevel: 'disabled', log: () => {} });
  const probes = [probe(8, 1), probe(16, 1), probe(8, 2), probe(16, 1, 7), probe(12, 2, 5)];
  const counts: Map<string, number>[] = [];
  try {
    for (const p of probes) {
      const feeds = probeFeeds(info.inputs, p, f64);
      const out = await session.run(feeds, [...session.outputNames]);
      const sizes = new Map<string, number>();
      for (const name of names) {
        const t = out[name] ?? feeds[name];
        const data = t?.data as AnyTypedArray | undefined;
        sizes.set(name, data ? data.length * data.BYTES_PER_ELEMENT : 0);
      }
      counts.push(sizes);
    }
  } finally {
    await session.release();
  }
  const rows = probes.map(sizesOf);
  const fits = new Map<string, number[]>();
  for (const name of names) {
    const coef = solve4(rows.slice(0, 4), counts.slice(0, 4).map((c) => c.get(name)!));
    // Check on the fifth probe; a tensor whose size is not of this form is counted at the largest
    // size per edge seen, which bounds it for graphs like the probes.
    const predicted = rows[4].reduce((a, x, k) => a + x * coef[k], 0);
    const actual = counts[4].get(name)!;
    if (Math.abs(predicted - actual) > 0.5 + 1e-9 * actual) {
      const perEdge = Math.max(...counts.map((c, k) => c.get(name)! / rows[k][2]));
      fits.set(name, [0, 0, perEdge, 0]);
    } else fits.set(name, coef);
  }
  // Liveness in graph order: a tensor is alive from the node that makes it (graph inputs: from the
  // start) to the last node that reads it (graph outputs: to the end).
  const born = new Map<string, number>(), dies = new Map<string, number>();
  for (const name of flow.inputs) born.set(name, 0);
  flow.nodes.forEach((node, k) => {
    for (const o of node.outputs) if (!born.has(o)) born.set(o, k);
    for (const i of node.inputs) dies.set(i, k);
  });
  const last = flow.nodes.length - 1;
  for (const o of flow.outputs) dies.set(o, last);
  const starts: string[][] = Array.from({ length: flow.nodes.length }, () => []);
  const ends: string[][] = Array.from({ length: flow.nodes.length }, () => []);
  for (const name of names) {
    const b = born.get(name) ?? 0;
    starts[b].push(name);
    ends[Math.max(b, dies.get(name) ?? b)].push(name);
  }
  return {
    weightBytes: flow.initializerBytes,
    bytes(atoms, edges, maxDegree) {
      const x = [1, atoms, edges, atoms * maxDegree];
      const size = (name: string): number => {
        const c = fits.get(name)!;
        return Math.max(0, c[0] * x[0] + c[1] * x[1] + c[2] * x[2] + c[3] * x[3]);
      };
      let alive = 0, peak = 0;
      for (let k = 0; k < starts.length; k++) {
        for (const name of starts[k]) alive += size(name);
        if (alive > peak) peak = alive;
        for (const name of ends[k]) alive -= size(name);
      }
      return ORT_OVERHEAD * peak;
    },
  };
}

/**
 * Edges a model sees on `system` (pairs closer than `rMax_A`), estimated from the number density:
 * N/V in a fully periodic box, else N over the atoms' bounding box (at least one r_max thick per
 * axis). Returns the edge count and a generous bound on one atom's edges (segment sums pad to it).
 * @example const { edges, maxDegree } = estimateEdges(system, 5.0); mem.bytes(system.n, edges, maxDegree)
 */
export function estimateEdges(system: { readonly n: number; readonly positions: Float64Array; readonly box: { readonly volume: number; readonly pbc: readonly boolean[] } }, rMax_A: number): { edges: number; maxDegree: number } {
  const { n, positions, box } = system;
  let volume = box.volume;
  if (!(volume > 0 && box.pbc.every(Boolean))) {
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) { const x = positions[3 * i + k]; lo[k] = Math.min(lo[k], x); hi[k] = Math.max(hi[k], x); }
    volume = [0, 1, 2].reduce((v, k) => v * Math.max(hi[k] - lo[k], rMax_A), 1);
  }
  const mean = Math.min(n - 1, ((n / volume) * 4 * Math.PI * rMax_A ** 3) / 3);
  return { edges: Math.ceil(n * mean), maxDegree: Math.min(n - 1, Math.ceil(2 * mean + 8)) };
}
