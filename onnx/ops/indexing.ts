/**
 * Gather and segment sum, the message-passing pair: `gather(h, edge_index[1])` reads neighbour
 * rows onto edges, `segmentSum(messages, edge_index[0], 'N')` adds edge rows into their centre
 * atoms. Each is the other's VJP, so forces and their second derivatives stay in this pair.
 *
 * Segment sum is lowered WITHOUT ScatterND's reduction: onnxruntime's CPU ScatterND add splits the
 * updates over threads and duplicate indices race (lost or reordered additions; its issues 18048
 * and 23396), and its CUDA kernel uses atomics. Instead each segment's rows are gathered into a
 * padded [numSegments, K, …] table (K = the largest segment) and summed by a masked batched MatMul,
 * ops whose kernels give every output element to one thread in a fixed order. The result is the
 * same bits at every thread count and on every run. See {@link emitSortedSegmentSum}.
 */
import type { Graph } from '../graph.js';
import type { OpDef, Value } from '../ir.js';
import type { EmitContext } from '../emit-context.js';
import { isFloat, ONNX_DTYPE_CODE } from '../dtype.js';
import { checkDim, type Dim, dimEqual, evalDim, formatShape, normAxis } from '../shape.js';
import { sizeOf } from '../tensor.js';

/** Indexing methods of a {@link Graph}. */
export interface IndexOps {
  /**
   * Rows of `x` along `axis` picked by an int64 `index` of any shape (ONNX Gather):
   * out shape = x.shape[:axis] + index.shape + x.shape[axis+1:]. Indices must be in [0, size).
   * Differentiable w.r.t. `x` when `index` has rank 0 or 1.
   * @example g.gather(h, j, 0)   // h: [N, F], j: [E] → [E, F]
   */
  gather(x: Value, index: Value, axis?: number): Value;
  /**
   * Sum of the rows of `data` ([E, …]) into `numSegments` rows by an int64 `index` ([E]);
   * repeated indices add, missing ones give zero rows.
   * @example g.segmentSum(msg, i, 'N')   // msg: [E, F], i: [E] → [N, F]
   */
  segmentSum(data: Value, index: Value, numSegments: Dim): Value;
}

function checkIndex(x: number, size: number, what: string): number {
  if (!(x >= 0 && x < size)) throw new Error(`${what}: index ${x} is out of range [0, ${size})`);
  return x;
}

/** Op definitions of this file. */
export const INDEX_DEFS: Record<string, OpDef> = {
  Gather: {
    infer([x, idx], attrs, what) {
      if (idx!.dtype !== 'int64') throw new Error(`${what}: index '${idx!.name}' must be int64, got ${idx!.dtype}`);
      const a = attrs.axis as number;
      return { dtype: x!.dtype, shape: [...x!.shape.slice(0, a), ...idx!.shape, ...x!.shape.slice(a + 1)] };
    },
    evaluate([x, idx], node) {
      const a = node.attrs.axis as number;
      const outer = sizeOf(x!.shape.slice(0, a));
      const size = x!.shape[a]!;
      const inner = sizeOf(x!.shape.slice(a + 1));
      const k = idx!.data.length;
      const out = new Float64Array(outer * k * inner);
      for (let o = 0; o < outer; o++) {
        for (let t = 0; t < k; t++) {
          const r = checkIndex(idx!.data[t]!, size, node.name);
          out.set(x!.data.subarray((o * size + r) * inner, (o * size + r + 1) * inner), (o * k + t) * inner);
        }
      }
      return { dtype: node.dtype, shape: [...x!.shape.slice(0, a), ...idx!.shape, ...x!.shape.slice(a + 1)], data: out };
    },
    vjp(node, gy) {
      const g = node.graph;
      const [x, idx] = node.inputs as [Value, Value];
      const a = node.attrs.axis as number;
      if (idx.shape.length > 1) throw new Error(`grad of ${node.name}: gather is differentiable only for rank-0/1 indices (got ${formatShape(idx.shape)}); reshape the index to 1-D`);
      let gr = gy;
      let ix = idx;
      if (idx.shape.length === 0) {
        gr = g.unsqueeze(gy, [a]);
        ix = g.reshape(idx, [1]);
      }
      if (a === 0) return [g.segmentSum(gr, ix, x.shape[0]!), undefined];
      const perm = [a, ...x.shape.keys()].filter((v, i) => i === 0 || v !== a);
      const inv = perm.map((_, i) => perm.indexOf(i));
      return [g.transpose(g.segmentSum(g.transpose(gr, perm), ix, x.shape[a]!), inv), undefined];
    },
    emit: (ctx, node, ins) => ctx.node('Gather', ins, { axis: { kind: 'int', value: node.attrs.axis as number } }, node.name),
  },
  SegmentSum: {
    infer([data, idx], attrs, what) {
      if (!isFloat(data!.dtype)) throw new Error(`${what}: data '${data!.name}' must be float, got ${data!.dtype}`);
      if (idx!.dtype !== 'int64') throw new Error(`${what}: index '${idx!.name}' must be int64, got ${idx!.dtype}`);
      if (idx!.shape.length !== 1 || data!.shape.length < 1 || !dimEqual(idx!.shape[0]!, data!.shape[0]!)) {
        throw new Error(`${what}: index ${formatShape(idx!.shape)} must be 1-D with the length of data's first axis ${formatShape(data!.shape)}`);
      }
      return { dtype: data!.dtype, shape: [attrs.numSegments as Dim, ...data!.shape.slice(1)] };
    },
    evaluate([data, idx], node, symbols) {
      const n = evalDim(node.attrs.numSegments as Dim, symbols, node.name);
      const inner = sizeOf(data!.shape.slice(1));
      const out = new Float64Array(n * inner);
      for (let e = 0; e < idx!.data.length; e++) {
        const r = checkIndex(idx!.data[e]!, n, node.name);
        for (let f = 0; f < inner; f++) out[r * inner + f]! += data!.data[e * inner + f]!;
      }
      return { dtype: node.dtype, shape: [n, ...data!.shape.slice(1)], data: out };
    },
    vjp(node, gy) {
      return [node.graph.gather(gy, node.inputs[1]!, 0), undefined];
    },
    emit: (ctx, node, ins) => emitSortedSegmentSum(ctx, node, ins),
  },
};

/** The indexing methods, bound to `g`. */
export function indexOps(g: Graph): IndexOps {
  return {
    gather(x, index, axis = 0) {
      const a = normAxis(axis, x.shape.length, `gather from '${x.name}'`);
      return g.apply('Gather', [x, index], { axis: a });
    },
    segmentSum(data, index, numSegments) {
      return g.apply('SegmentSum', [data, index], { numSegments: checkDim(numSegments, `segmentSum of '${data.name}'`) });
    },
  };
}

/**
 * The segment table of `index` ([E] int64, values in [0, n)): for each segment s its edges in
 * increasing order, padded to the largest segment K, as `rows` ([n, K] int64, padding points at
 * edge row 0 — any valid row) and `mask` ([n, 1, K], 1 for real entries, 0 for padding, in the
 * model dtype). Emitted once per (index, n) and shared by every segment sum over that index.
 *
 * The order comes from a stable sort: TopK (smallest first) of the unique keys index·E + e. The
 * segment sizes come from an integer ScatterElements add, exact whatever its threading.
 */
function segmentTable(ctx: EmitContext, index: string, nDims: string, dtype: Value['dtype']): { rows: string; mask: string } {
  const I = (value: number) => ({ kind: 'int' as const, value });
  const tensorOf = (dt: Value['dtype'], value: number) => ({ value: { kind: 'tensor' as const, dtype: dt, dims: [1], value: [value] } });
  const key = `segment-table|${index}|${nDims}`;
  const rows = ctx.memo(`${key}|rows`, () => {
    const e1 = ctx.node('Shape', [index]);
    const e = ctx.node('Squeeze', [e1, ctx.int64([0])]);
    const zero = ctx.scalar(0, 'int64');
    const one = ctx.scalar(1, 'int64');
    const sortKey = ctx.node('Add', [ctx.node('Mul', [index, e]), ctx.node('Range', [zero, e, one])]);
    const [, order] = ctx.nodes('TopK', [sortKey, e1], 2, { largest: I(0), sorted: I(1) });
    const counts = ctx.node('ScatterElements', [ctx.node('ConstantOfShape', [nDims], tensorOf('int64', 0)), index, ctx.node('ConstantOfShape', [e1], tensorOf('int64', 1))], { axis: I(0), reduction: { kind: 'string', value: 'add' } });
    const starts = ctx.node('CumSum', [counts, zero], { exclusive: I(1) });
    // The 0 appended keeps ReduceMax defined when there are no segments.
    const k = ctx.node('ReduceMax', [ctx.node('Concat', [counts, ctx.int64([0])], { axis: I(0) })], { keepdims: I(0) });
    const slot = ctx.node('Unsqueeze', [ctx.node('Range', [zero, k, one]), ctx.int64([0])]);
    const valid = ctx.node('Less', [slot, ctx.node('Unsqueeze', [counts, ctx.int64([1])])]);
    ctx.memo(`${key}|valid`, () => valid);
    const position = ctx.node('Where', [valid, ctx.node('Add', [ctx.node('Unsqueeze', [starts, ctx.int64([1])]), slot]), zero]);
    return ctx.node('Gather', [order, position], { axis: I(0) });
  });
  const valid = ctx.memo(`${key}|valid`, () => {
    throw new Error(`segment table of '${index}': the validity mask was not emitted with its rows`);
  });
  const mask = ctx.memo(`${key}|mask|${dtype}`, () => ctx.node('Unsqueeze', [ctx.node('Cast', [valid], { to: { kind: 'int', value: ONNX_DTYPE_CODE[dtype] } }), ctx.int64([1])]));
  return { rows, mask };
}

/**
 * Deterministic segment sum: out[s] = Σ_{e: index[e] = s} data[e], summed in increasing e.
 * data [E, …] is viewed as [E, R], its rows gathered through the segment table into [n, K, R], and
 * reduced by MatMul(mask [n, 1, K], rows) → [n, 1, R] → [n, …]. Cost at one thread is about twice
 * the racy ScatterND's (one gather of the padded rows plus the reduction); both scale with threads.
 */
export function emitSortedSegmentSum(ctx: EmitContext, node: Value, ins: readonly string[]): string {
  const I = (value: number) => ({ kind: 'int' as const, value });
  const [data, index] = ins as [string, string];
  const nDims = ctx.dims([node.attrs.numSegments as Dim]);
  const { rows, mask } = segmentTable(ctx, index, nDims, node.dtype);
  const rest = node.inputs[0]!.shape.slice(1);
  // [E, R]: with R known the view also works for E = 0, where Reshape cannot infer a −1.
  const width = rest.every((d) => typeof d === 'number') ? ctx.int64([0, (rest as number[]).reduce((p, q) => p * q, 1)]) : ctx.int64([0, -1]);
  const flat = ctx.node('Reshape', [data, width]);
  const gathered = ctx.node('Gather', [flat, rows], { axis: I(0) });
  const summed = ctx.node('MatMul', [mask, gathered]);
  return ctx.node('Reshape', [summed, ctx.dims(node.shape)], { allowzero: I(1) }, node.name);
}
