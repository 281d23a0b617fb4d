/**
 * Gather and segment sum, the message-passing pair: `gather(h, edge_index[1])` reads neighbour
 * rows onto edges, `segmentSum(messages, edge_index[0], 'N')` adds edge rows into their centre
 * atoms. Each is the other's VJP, so forces and their second derivatives stay in this pair.
 * Segment sum lowers to ScatterND with reduction "add" over a zero tensor (ConstantOfShape).
 */
import type { Graph } from '../graph.js';
import type { OpDef, Value } from '../ir.js';
import { isFloat } from '../dtype.js';
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
    emit(ctx, node, ins) {
      const zeros = ctx.node('ConstantOfShape', [ctx.dims(node.shape)], { value: { kind: 'tensor', dtype: node.dtype, dims: [1], value: [0] } });
      const rows = ctx.node('Unsqueeze', [ins[1]!, ctx.int64([1])]);
      return ctx.node('ScatterND', [zeros, rows, ins[0]!], { reduction: { kind: 'string', value: 'add' } }, node.name);
    },
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
