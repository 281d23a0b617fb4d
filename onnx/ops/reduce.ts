/**
 * Reductions. ReduceSum is the primitive; the mean is a sum times 1/count, where the count of a
 * symbolic axis is read at run time (`dimSize`), so `mean over N atoms` works for any N.
 */
import type { Graph } from '../graph.js';
import type { OpDef, Value } from '../ir.js';
import { isFloat } from '../dtype.js';
import { dimProduct, normAxis } from '../shape.js';
import { sizeOf, stridesOf } from '../tensor.js';

/** Reduction methods of a {@link Graph}. */
export interface ReduceOps {
  /**
   * Sum over `axes` (default: all), dropping them unless `keepdims`.
   * @example g.reduceSum(x, [1])  // [N]
   */
  reduceSum(x: Value, axes?: readonly number[], keepdims?: boolean): Value;
  /** Mean over `axes` (default: all); symbolic axes divide by their run-time size. */
  reduceMean(x: Value, axes?: readonly number[], keepdims?: boolean): Value;
}

function normAxes(x: Value, axes: readonly number[] | undefined, what: string): number[] {
  const all = x.shape.map((_, i) => i);
  const list = (axes ?? all).map((a) => normAxis(a, x.shape.length, what));
  if (new Set(list).size !== list.length) throw new Error(`${what}: repeated axis in [${axes?.join(', ')}]`);
  return list.sort((a, b) => a - b);
}

/** Op definitions of this file. */
export const REDUCE_DEFS: Record<string, OpDef> = {
  ReduceSum: {
    infer([x], attrs, what) {
      if (!isFloat(x!.dtype) && x!.dtype !== 'int64') throw new Error(`${what}: cannot sum ${x!.dtype} '${x!.name}'`);
      const axes = attrs.axes as number[];
      const keep = attrs.keepdims as boolean;
      const shape = x!.shape.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
      return { dtype: x!.dtype, shape };
    },
    evaluate([x], node) {
      const axes = node.attrs.axes as number[];
      const keep = node.attrs.keepdims as boolean;
      const inShape = x!.shape;
      const kept = inShape.map((d, i) => (axes.includes(i) ? 1 : d));
      const ks = stridesOf(kept);
      const out = new Float64Array(sizeOf(kept));
      const rank = inShape.length;
      const idx = new Array<number>(rank).fill(0);
      for (let i = 0; i < x!.data.length; i++) {
        let o = 0;
        for (let ax = 0; ax < rank; ax++) if (kept[ax] !== 1 || inShape[ax] === 1) o += idx[ax]! * ks[ax]!;
        out[o]! += x!.data[i]!;
        for (let ax = rank - 1; ax >= 0; ax--) {
          if (++idx[ax]! < inShape[ax]!) break;
          idx[ax] = 0;
        }
      }
      const shape = keep ? kept : inShape.filter((_, i) => !axes.includes(i));
      return { dtype: node.dtype, shape, data: out };
    },
    vjp(node, gy) {
      const g = node.graph;
      const x = node.inputs[0]!;
      const axes = node.attrs.axes as number[];
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const g1 = node.attrs.keepdims ? gy : g.reshape(gy, kept);
      return [g.expand(g1, x.shape)];
    },
    emit: (ctx, node, ins) => ctx.node('ReduceSum', [ins[0]!, ctx.int64(node.attrs.axes as number[])], { keepdims: { kind: 'int', value: node.attrs.keepdims ? 1 : 0 } }, node.name),
  },
};

/** The reduction methods, bound to `g`. */
export function reduceOps(g: Graph): ReduceOps {
  const reduceSum = (x: Value, axes?: readonly number[], keepdims = false): Value => {
    const list = normAxes(x, axes, `reduceSum of '${x.name}'`);
    if (list.length === 0) return x;
    return g.apply('ReduceSum', [x], { axes: list, keepdims });
  };
  return {
    reduceSum,
    reduceMean(x, axes, keepdims = false) {
      const list = normAxes(x, axes, `reduceMean of '${x.name}'`);
      const count = dimProduct(list.map((a) => x.shape[a]!));
      const inv = typeof count === 'number' ? g.constant(1 / count, [], x.dtype) : g.reciprocal(g.dimSize(x, list));
      return g.mul(reduceSum(x, list, keepdims), inv);
    },
  };
}
