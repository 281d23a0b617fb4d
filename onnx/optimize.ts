/**
 * Clean-up passes, run as one rebuild of the graph from its outputs: dead nodes are never copied
 * (DCE), structurally identical nodes are shared (CSE), weight-free subgraphs of static shape are
 * evaluated into constants (folding), and algebraic no-ops left by autodiff (x·1, x+0, −(−x)) are
 * dropped. Gradient graphs shrink markedly; see bench/onnx-bench.ts for node counts.
 */
import type { DType } from './dtype.js';
import { createGraph, reachable, type Graph } from './graph.js';
import type { Value } from './ir.js';
import { LEAF_OPS, opDef } from './registry.js';
import { shapeEqual } from './shape.js';
import { sizeOf } from './tensor.js';

/** Options of {@link optimize}; every pass is on by default. */
export interface OptimizeOptions {
  cse?: boolean;
  fold?: boolean;
  simplify?: boolean;
  /** Largest constant (elements) folding may create; bigger results stay computed. Default 65536. */
  maxFoldElements?: number;
}

function constValue(v: Value): number | undefined {
  if (v.op !== 'Constant' || v.data!.length === 0) return undefined;
  const x = v.data![0]!;
  return v.data!.every((y) => y === x) ? x : undefined;
}

/** The no-op a node reduces to, if any: returns the surviving operand. */
function simplified(op: string, ins: readonly Value[], shape: readonly (number | string)[]): Value | undefined {
  const keep = (x: Value, other: Value, neutral: number) => (constValue(other) === neutral && shapeEqual(x.shape, shape) ? x : undefined);
  const [a, b] = ins as [Value, Value];
  switch (op) {
    case 'Add': return keep(a, b, 0) ?? keep(b, a, 0);
    case 'Sub': return keep(a, b, 0);
    case 'Mul': return keep(a, b, 1) ?? keep(b, a, 1);
    case 'Div': return keep(a, b, 1);
    case 'Neg': return a.op === 'Neg' ? a.inputs[0] : undefined;
    default: return undefined;
  }
}

/**
 * A new graph with the same inputs, weights (names, values) and outputs, cleaned up.
 * @example const small = optimize(g); writeModel(small, …)
 */
export function optimize(graph: Graph, options: OptimizeOptions = {}): Graph {
  const { cse = true, fold = true, simplify = true, maxFoldElements = 65536 } = options;
  const out = createGraph({ dtype: graph.dtype, name: graph.name });
  // Inputs and weights stay even when unused: they are the model's interface.
  const live = reachable(graph.nodes, [...graph.outputs.values(), ...graph.inputs(), ...graph.weights()]);
  const map: (Value | undefined)[] = new Array(graph.nodes.length);
  const seen = new Map<string, Value>();
  // Constants (given or folded) are shared by value when small enough to compare cheaply.
  const constant = (data: Float64Array, shape: readonly number[], dtype: DType): Value => {
    const key = cse && data.length <= 1024 ? `C|${dtype}|${shape.join(',')}|${data.join(',')}` : undefined;
    const hit = key ? seen.get(key) : undefined;
    if (hit) return hit;
    const c = out.constant(data, shape, dtype);
    if (key) seen.set(key, c);
    return c;
  };
  for (const v of graph.nodes) {
    if (!live[v.id]) continue;
    if (v.op === 'Input') { map[v.id] = out.input(v.name, v.shape, v.dtype); continue; }
    if (v.op === 'Weight') { map[v.id] = out.weight(v.name, v.data!, v.shape as number[]); continue; }
    if (v.op === 'Constant') {
      map[v.id] = constant(v.data!, v.shape as number[], v.dtype);
      continue;
    }
    const ins = v.inputs.map((x) => map[x.id]!);
    const def = opDef(v.op);
    if (fold && ins.every((x) => x.op === 'Constant') && v.shape.every((d) => typeof d === 'number')) {
      const n = sizeOf(v.shape as number[]);
      if (n <= maxFoldElements) {
        const t = def.evaluate(ins.map((x) => ({ dtype: x.dtype, shape: x.shape as number[], data: x.data! })), v, new Map());
        map[v.id] = constant(v.dtype === 'float32' ? t.data.map(Math.fround) : t.data, t.shape, v.dtype);
        continue;
      }
    }
    if (simplify) {
      const s = simplified(v.op, ins, v.shape);
      if (s) { map[v.id] = s; continue; }
    }
    const key = cse ? `${v.op}|${ins.map((x) => x.id).join(',')}|${JSON.stringify(v.attrs)}` : undefined;
    const hit = key ? seen.get(key) : undefined;
    if (hit) { map[v.id] = hit; continue; }
    const nv = out.apply(v.op, ins, v.attrs, v.scope);
    if (key) seen.set(key, nv);
    map[v.id] = nv;
  }
  for (const [name, v] of graph.outputs) out.output(name, map[v.id]!);
  return out;
}

/** Number of non-leaf nodes reachable from the outputs (the "size" of a graph). */
export function countNodes(graph: Graph, outputs?: readonly string[]): number {
  const roots = [...graph.outputs].filter(([name]) => !outputs || outputs.includes(name)).map(([, v]) => v);
  const live = reachable(graph.nodes, roots);
  return graph.nodes.filter((v) => live[v.id] && !LEAF_OPS.has(v.op)).length;
}
