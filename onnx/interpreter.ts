/**
 * A reference interpreter: evaluates a graph over float64 storage, without onnxruntime. It is the
 * oracle the ONNX lowering is tested against, and lets a graph (and its gradients) be checked
 * with finite differences in pure TypeScript. Clarity over speed: not for production runs.
 */
import { type AnyTypedArray, dtypeOfArray, toFloat64 } from './dtype.js';
import { reachable, type Graph } from './graph.js';
import type { Value } from './ir.js';
import { LEAF_OPS, opDef } from './registry.js';
import { formatShape, isSymbol } from './shape.js';
import { sizeOf, type Tensor } from './tensor.js';

/** A fed tensor: typed array (or plain numbers) and its dims. */
export interface Feed {
  data: AnyTypedArray | readonly number[];
  dims: readonly number[];
}

/** Feeds by input name; a weight's name may be fed too, overriding its stored value. */
export type Feeds = Readonly<Record<string, Feed>>;

function bindInput(v: Value, feed: Feed, symbols: Map<string, number>): Tensor {
  const what = `input '${v.name}'`;
  if (!Array.isArray(feed.data) && v.op === 'Input') {
    const dt = dtypeOfArray(feed.data as AnyTypedArray, what);
    if (dt !== v.dtype) throw new Error(`${what}: fed ${dt}, expected ${v.dtype}`);
  }
  if (feed.dims.length !== v.shape.length) throw new Error(`${what}: fed rank ${feed.dims.length} ${formatShape(feed.dims)}, expected ${formatShape(v.shape)}`);
  feed.dims.forEach((n, ax) => {
    const d = v.shape[ax]!;
    if (typeof d === 'number') {
      if (d !== n) throw new Error(`${what}: axis ${ax} has size ${n}, expected ${d}`);
      return;
    }
    if (!isSymbol(d)) return; // products are checked where their symbols are bound
    const prev = symbols.get(d);
    if (prev !== undefined && prev !== n) throw new Error(`${what}: axis ${ax} ('${d}') has size ${n}, but '${d}' = ${prev} elsewhere`);
    symbols.set(d, n);
  });
  const data = Array.isArray(feed.data) ? Float64Array.from(feed.data as number[]) : toFloat64(feed.data as AnyTypedArray);
  const n = sizeOf(feed.dims);
  if (data.length !== n) throw new Error(`${what}: ${data.length} values for dims ${formatShape(feed.dims)}`);
  return { dtype: v.dtype, shape: [...feed.dims], data };
}

/**
 * Values of `targets` given the feeds. Symbolic dims are bound from the inputs' dims.
 * @example const [e] = evaluateValues(g, { pos: { data: xyz, dims: [n, 3] } }, [energy]);
 */
export function evaluateValues(graph: Graph, feeds: Feeds, targets: readonly Value[]): Tensor[] {
  const need = reachable(graph.nodes, targets);
  const symbols = new Map<string, number>();
  const vals: (Tensor | undefined)[] = new Array(graph.nodes.length);
  // Every fed input binds symbols, needed or not: a zero gradient still has the shape of `pos`.
  for (const v of graph.nodes) {
    if (v.op !== 'Input') continue;
    const feed = feeds[v.name];
    if (!feed && need[v.id]) throw new Error(`evaluate: missing input '${v.name}' ${formatShape(v.shape)}`);
    if (feed) vals[v.id] = bindInput(v, feed, symbols);
  }
  for (const v of graph.nodes) {
    const id = v.id;
    if (!need[id] || v.op === 'Input') continue;
    if (v.op === 'Weight' && feeds[v.name]) vals[id] = bindInput(v, feeds[v.name]!, symbols);
    else if (LEAF_OPS.has(v.op)) vals[id] = { dtype: v.dtype, shape: v.shape as number[], data: v.data! };
    else {
      const t = opDef(v.op).evaluate(v.inputs.map((x) => vals[x.id]!), v, symbols);
      // float32 graphs round every result, as a float32 runtime would.
      vals[id] = v.dtype === 'float32' ? { ...t, data: Float64Array.from(t.data, Math.fround) } : t;
    }
  }
  return targets.map((t) => vals[t.id]!);
}

/** All named outputs of a graph, by name. */
export function evaluateGraph(graph: Graph, feeds: Feeds): Record<string, Tensor> {
  const names = [...graph.outputs.keys()];
  const ts = evaluateValues(graph, feeds, [...graph.outputs.values()]);
  return Object.fromEntries(names.map((n, i) => [n, ts[i]!]));
}
