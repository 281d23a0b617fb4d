/**
 * Arithmetic cost of a graph at given sizes of its symbolic dims: floating-point operations and
 * the bytes that data-movement ops materialise, split into forward and backward (autodiff) work.
 * It is the denominator of "achieved GFLOP/s": a model's time is compared with the time its
 * FLOPs take at the machine's measured GEMM rate.
 *
 * Counting rules (per node reachable from the outputs; a node that depends on no graph input
 * is computed once when the model loads, e.g. a weight times its normalization, and is free):
 * - MatMul: 2·m·k·n per batch element; Einsum: 2 per term of the full index product.
 * - element-wise ops (arithmetic, comparisons, Where, transcendental functions): 1 per output element;
 * - ReduceSum, SegmentSum: 1 per input element;
 * - Gather, Transpose, Concat, Slice, Expand, Pad, Cast: no FLOPs, `bytesMoved` = output bytes;
 *   Reshape, Squeeze, Unsqueeze, DimSize: free (views).
 */
import { bytesPerElement, isFloat } from './dtype.js';
import { reachable, type Graph } from './graph.js';
import type { Value } from './ir.js';
import { LEAF_OPS } from './registry.js';
import { evalDim } from './shape.js';

/** Totals of {@link countFlops}. */
export interface FlopCount {
  /** All floating-point operations. */
  readonly flops: number;
  /** Of which in nodes the `backward` predicate selects. */
  readonly backwardFlops: number;
  /** Of which in MatMul and Einsum nodes (the part that can run at GEMM speed). */
  readonly contractionFlops: number;
  /** Bytes written by materialising data-movement ops. */
  readonly bytesMoved: number;
  /** FLOPs per op type. */
  readonly byOp: Readonly<Record<string, number>>;
}

/** Options of {@link countFlops}. */
export interface FlopOptions {
  /** Which nodes are backward work; default: the first scope segment is `grad` (graph.grad's scope). */
  readonly backward?: (v: Value) => boolean;
}

const VIEWS = new Set(['Reshape', 'Squeeze', 'Unsqueeze', 'DimSize']);
const MOVES = new Set(['Gather', 'Transpose', 'Concat', 'Slice', 'Expand', 'Pad', 'Cast']);

/**
 * FLOPs and moved bytes of the outputs of `graph` with its symbolic dims set to `sizes`.
 * @throws naming the node whose shape uses a symbol missing from `sizes`
 * @example
 * const c = countFlops(optimize(graph), { N: 192, E: 10370 });
 * console.log(c.flops / 10370, 'FLOP per edge');
 */
export function countFlops(graph: Graph, sizes: Readonly<Record<string, number>>, options: FlopOptions = {}): FlopCount {
  const symbols = new Map(Object.entries(sizes));
  const isBackward = options.backward ?? ((v: Value) => v.scope === 'grad' || v.scope.startsWith('grad/'));
  const nodes = graph.nodes;
  const live = reachable(nodes, graph.outputs.values());
  // Depends on a graph input: computed at every run (everything else is folded at load time).
  const perRun = new Uint8Array(nodes.length);
  const byOp: Record<string, number> = {};
  let flops = 0;
  let backwardFlops = 0;
  let contractionFlops = 0;
  let bytesMoved = 0;
  const numel = (v: Value) => v.shape.reduce<number>((n, d) => n * evalDim(d, symbols, v.name), 1);
  for (const v of nodes) {
    if (v.op === 'Input') { perRun[v.id] = 1; continue; }
    if (LEAF_OPS.has(v.op)) continue;
    if (!v.inputs.some((x) => perRun[x.id])) continue;
    perRun[v.id] = 1;
    if (!live[v.id] || VIEWS.has(v.op)) continue;
    if (MOVES.has(v.op)) { bytesMoved += numel(v) * bytesPerElement(v.dtype); continue; }
    let f: number;
    if (v.op === 'MatMul') {
      const a = v.inputs[0]!;
      f = 2 * numel(v) * evalDim(a.shape[a.shape.length - 1]!, symbols, a.name);
      contractionFlops += f;
    } else if (v.op === 'Einsum') {
      const letters = new Map<string, number>();
      const ins = String(v.attrs.equation).split('->')[0]!.split(',');
      ins.forEach((s, k) => [...s].forEach((c, ax) => letters.set(c, evalDim(v.inputs[k]!.shape[ax]!, symbols, v.name))));
      f = 2 * [...letters.values()].reduce((n, d) => n * d, 1);
      contractionFlops += f;
    } else if (v.op === 'ReduceSum' || v.op === 'SegmentSum') {
      f = numel(v.inputs[0]!);
    } else {
      f = isFloat(v.dtype) || v.dtype === 'bool' ? numel(v) : 0;
    }
    flops += f;
    if (isBackward(v)) backwardFlops += f;
    byOp[v.op] = (byOp[v.op] ?? 0) + f;
  }
  return { flops, backwardFlops, contractionFlops, bytesMoved, byOp };
}
