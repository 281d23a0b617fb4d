/**
 * Ops that move or reinterpret elements without arithmetic: reshape, transpose, concat, slice,
 * pad, (un)squeeze, expand, cast, and `dimSize` (a dimension's run-time size as a scalar).
 */
import type { Graph } from '../graph.js';
import type { OpDef, Value } from '../ir.js';
import { type DType, isFloat, ONNX_DTYPE_CODE } from '../dtype.js';
import { broadcastShapes, checkDim, type Dim, dimProduct, dimQuotient, evalDim, formatShape, normAxis, type Shape, shapeEqual } from '../shape.js';
import { broadcastStrides, forEachBroadcast, sizeOf, stridesOf, type Tensor } from '../tensor.js';
import { sumToShape } from './broadcast.js';

/** Layout methods of a {@link Graph}. */
export interface LayoutOps {
  /** Same elements, new shape; one entry may be −1 (inferred). @example g.reshape(x, ['E', 3, 1]) */
  reshape(x: Value, shape: Shape): Value;
  /** Permutes axes: out axis i is input axis perm[i]. @example g.transpose(m, [1, 0]) */
  transpose(x: Value, perm: readonly number[]): Value;
  /** Joins values along `axis` (whose sizes must be static). */
  concat(values: readonly Value[], axis: number): Value;
  /** Elements start ≤ k < end along one static `axis` (negative positions count from the end). */
  slice(x: Value, axis: number, start: number, end?: number): Value;
  /** Zero padding of `before` and `after` elements along one static `axis`. */
  pad(x: Value, axis: number, before: number, after: number): Value;
  /** Inserts size-1 axes at `axes` (positions in the result). */
  unsqueeze(x: Value, axes: readonly number[]): Value;
  /** Removes size-1 `axes`. */
  squeeze(x: Value, axes: readonly number[]): Value;
  /** Broadcasts to `shape` (which must be the broadcast result). @example g.expand(g.constant(0), ['N', 3]) */
  expand(x: Value, shape: Shape): Value;
  /** Converts element type; float→float casts are differentiable. */
  cast(x: Value, dtype: DType): Value;
  /** Run-time product of `x`'s sizes along `axes` as a scalar (default the graph dtype); not differentiable. */
  dimSize(x: Value, axes: readonly number[], dtype?: DType): Value;
}

/** Reshape, Unsqueeze and Squeeze only relabel the shape: same data under the node's own shape. */
const relabel: Pick<OpDef, 'evaluate' | 'vjp'> = {
  evaluate: ([x], node, sym) => ({ dtype: node.dtype, shape: node.shape.map((d) => evalDim(d, sym, node.name)), data: x!.data }),
  vjp: (node, gy) => [node.graph.reshape(gy, node.inputs[0]!.shape)],
};

function staticDim(x: Value, axis: number, what: string): number {
  const d = x.shape[axis]!;
  if (typeof d !== 'number') throw new Error(`${what}: axis ${axis} of '${x.name}' ${formatShape(x.shape)} is symbolic; this op needs a static size there`);
  return d;
}

function copyBlock(src: Tensor, axis: number, from: number, count: number, dst: Float64Array, dstShape: readonly number[], at: number): void {
  const outer = sizeOf(src.shape.slice(0, axis));
  const inner = sizeOf(src.shape.slice(axis + 1));
  const sd = src.shape[axis]!;
  const dd = dstShape[axis]!;
  for (let o = 0; o < outer; o++) {
    dst.set(src.data.subarray((o * sd + from) * inner, (o * sd + from + count) * inner), (o * dd + at) * inner);
  }
}

/** Op definitions of this file. */
export const LAYOUT_DEFS: Record<string, OpDef> = {
  Reshape: {
    infer: (_ins, attrs) => ({ dtype: _ins[0]!.dtype, shape: [...(attrs.shape as Dim[])] }),
    ...relabel,
    emit(ctx, node, ins) {
      const symbolic = node.shape.filter((d) => typeof d !== 'number').length;
      // One unknown dimension is what Reshape's −1 is for: a constant shape and no Shape ops.
      // allowzero: a size that is 0 (no edges, no atoms) means 0, not ONNX's default "copy the
      // input's size on that axis"; ONNX forbids 0 beside −1, so a static 0 takes the other road.
      const target = symbolic <= 1 && !node.shape.includes(0) ? ctx.int64(node.shape.map((d) => (typeof d === 'number' ? d : -1))) : ctx.dims(node.shape);
      return ctx.node('Reshape', [ins[0]!, target], { allowzero: { kind: 'int', value: 1 } }, node.name);
    },
  },
  Transpose: {
    infer: ([x], attrs) => ({ dtype: x!.dtype, shape: (attrs.perm as number[]).map((p) => x!.shape[p]!) }),
    evaluate([x], node) {
      const perm = node.attrs.perm as number[];
      const shape = perm.map((p) => x!.shape[p]!);
      const st = stridesOf(x!.shape);
      const out = new Float64Array(x!.data.length);
      forEachBroadcast(shape, [perm.map((p) => st[p]!)], (o, [i]) => { out[o] = x!.data[i!]!; });
      return { dtype: node.dtype, shape, data: out };
    },
    vjp(node, gy) {
      const perm = node.attrs.perm as number[];
      return [node.graph.transpose(gy, perm.map((_, i) => perm.indexOf(i)))];
    },
    emit: (ctx, node, ins) => ctx.node('Transpose', ins, { perm: { kind: 'ints', value: node.attrs.perm as number[] } }, node.name),
  },
  Concat: {
    infer(ins, attrs, what) {
      const a = attrs.axis as number;
      const first = ins[0]!;
      let total = 0;
      for (const v of ins) {
        if (v.dtype !== first.dtype) throw new Error(`${what}: dtypes differ ('${v.name}' is ${v.dtype}, '${first.name}' ${first.dtype})`);
        if (v.shape.length !== first.shape.length || v.shape.some((d, i) => i !== a && !shapeEqual([d], [first.shape[i]!]))) {
          throw new Error(`${what}: '${v.name}' ${formatShape(v.shape)} does not match '${first.name}' ${formatShape(first.shape)} off axis ${a}`);
        }
        total += staticDim(v, a, what);
      }
      return { dtype: first.dtype, shape: first.shape.map((d, i) => (i === a ? total : d)) };
    },
    evaluate(ins, node) {
      const a = node.attrs.axis as number;
      const shape = ins[0]!.shape.map((d, i) => (i === a ? ins.reduce((s, t) => s + t.shape[a]!, 0) : d));
      const out = new Float64Array(sizeOf(shape));
      let at = 0;
      for (const t of ins) {
        copyBlock(t, a, 0, t.shape[a]!, out, shape, at);
        at += t.shape[a]!;
      }
      return { dtype: node.dtype, shape, data: out };
    },
    vjp(node, gy) {
      const a = node.attrs.axis as number;
      let at = 0;
      return node.inputs.map((v) => {
        const d = v.shape[a] as number;
        at += d;
        return node.graph.slice(gy, a, at - d, at);
      });
    },
    emit: (ctx, node, ins) => ctx.node('Concat', ins, { axis: { kind: 'int', value: node.attrs.axis as number } }, node.name),
  },
  Slice: {
    infer([x], attrs) {
      const { axis, start, end } = attrs as { axis: number; start: number; end: number };
      return { dtype: x!.dtype, shape: x!.shape.map((d, i) => (i === axis ? end - start : d)) };
    },
    evaluate([x], node) {
      const { axis, start, end } = node.attrs as { axis: number; start: number; end: number };
      const shape = x!.shape.map((d, i) => (i === axis ? end - start : d));
      const out = new Float64Array(sizeOf(shape));
      copyBlock(x!, axis, start, end - start, out, shape, 0);
      return { dtype: node.dtype, shape, data: out };
    },
    vjp(node, gy) {
      const { axis, start, end } = node.attrs as { axis: number; start: number; end: number };
      return [node.graph.pad(gy, axis, start, (node.inputs[0]!.shape[axis] as number) - end)];
    },
    emit(ctx, node, ins) {
      const { axis, start, end } = node.attrs as { axis: number; start: number; end: number };
      return ctx.node('Slice', [ins[0]!, ctx.int64([start]), ctx.int64([end]), ctx.int64([axis])], {}, node.name);
    },
  },
  Pad: {
    infer([x], attrs) {
      const { axis, before, after } = attrs as { axis: number; before: number; after: number };
      return { dtype: x!.dtype, shape: x!.shape.map((d, i) => (i === axis ? (d as number) + before + after : d)) };
    },
    evaluate([x], node) {
      const { axis, before, after } = node.attrs as { axis: number; before: number; after: number };
      const shape = x!.shape.map((d, i) => (i === axis ? d + before + after : d));
      const out = new Float64Array(sizeOf(shape));
      copyBlock(x!, axis, 0, x!.shape[axis]!, out, shape, before);
      return { dtype: node.dtype, shape, data: out };
    },
    vjp(node, gy) {
      const { axis, before } = node.attrs as { axis: number; before: number };
      return [node.graph.slice(gy, axis, before, before + (node.inputs[0]!.shape[axis] as number))];
    },
    emit(ctx, node, ins) {
      const { axis, before, after } = node.attrs as { axis: number; before: number; after: number };
      const rank = node.shape.length;
      const pads = new Array<number>(2 * rank).fill(0);
      pads[axis] = before;
      pads[rank + axis] = after;
      return ctx.node('Pad', [ins[0]!, ctx.int64(pads)], {}, node.name);
    },
  },
  Unsqueeze: {
    infer([x], attrs) {
      const axes = attrs.axes as number[];
      const shape: Dim[] = [];
      for (let i = 0, k = 0; i < x!.shape.length + axes.length; i++) shape.push(axes.includes(i) ? 1 : x!.shape[k++]!);
      return { dtype: x!.dtype, shape };
    },
    ...relabel,
    emit: (ctx, node, ins) => ctx.node('Unsqueeze', [ins[0]!, ctx.int64(node.attrs.axes as number[])], {}, node.name),
  },
  Squeeze: {
    infer: ([x], attrs) => ({ dtype: x!.dtype, shape: x!.shape.filter((_, i) => !(attrs.axes as number[]).includes(i)) }),
    ...relabel,
    emit: (ctx, node, ins) => ctx.node('Squeeze', [ins[0]!, ctx.int64(node.attrs.axes as number[])], {}, node.name),
  },
  Expand: {
    infer([x], attrs, what) {
      const shape = attrs.shape as Dim[];
      const b = broadcastShapes([x!.shape, shape], what);
      if (!shapeEqual(b, shape)) throw new Error(`${what}: '${x!.name}' ${formatShape(x!.shape)} does not broadcast to ${formatShape(shape)}`);
      return { dtype: x!.dtype, shape: [...shape] };
    },
    evaluate([x], node, sym) {
      const shape = node.shape.map((d) => evalDim(d, sym, node.name));
      const out = new Float64Array(sizeOf(shape));
      forEachBroadcast(shape, [broadcastStrides(x!.shape, shape)], (o, [i]) => { out[o] = x!.data[i!]!; });
      return { dtype: node.dtype, shape, data: out };
    },
    vjp: (node, gy) => [sumToShape(gy, node.inputs[0]!.shape)],
    emit: (ctx, node, ins) => ctx.node('Expand', [ins[0]!, ctx.dims(node.shape)], {}, node.name),
  },
  Cast: {
    infer: ([x], attrs) => ({ dtype: attrs.to as DType, shape: [...x!.shape] }),
    evaluate([x], node) {
      const to = node.attrs.to as DType;
      const data = to === 'int64' ? x!.data.map(Math.trunc) : to === 'bool' ? x!.data.map((v) => (v ? 1 : 0)) : x!.data;
      return { dtype: to, shape: x!.shape, data };
    },
    vjp(node, gy) {
      const x = node.inputs[0]!;
      return [isFloat(x.dtype) && isFloat(node.dtype) ? node.graph.cast(gy, x.dtype) : undefined];
    },
    emit: (ctx, node, ins) => ctx.node('Cast', ins, { to: { kind: 'int', value: ONNX_DTYPE_CODE[node.attrs.to as DType] } }, node.name),
  },
  DimSize: {
    infer: (_ins, attrs) => ({ dtype: attrs.dtype as DType, shape: [] }),
    evaluate: ([x], node) => ({ dtype: node.dtype, shape: [], data: Float64Array.of((node.attrs.axes as number[]).reduce((p, a) => p * x!.shape[a]!, 1)) }),
    emit(ctx, node, ins) {
      const shape = ctx.node('Shape', [ins[0]!]);
      const picked = ctx.node('Gather', [shape, ctx.int64(node.attrs.axes as number[])], { axis: { kind: 'int', value: 0 } });
      const n = ctx.node('ReduceProd', [picked], { keepdims: { kind: 'int', value: 0 } });
      return ctx.node('Cast', [n], { to: { kind: 'int', value: ONNX_DTYPE_CODE[node.dtype] } }, node.name);
    },
  },
};

/** The layout methods, bound to `g`. */
export function layoutOps(g: Graph): LayoutOps {
  return {
    reshape(x, shape) {
      const what = `reshape of '${x.name}' ${formatShape(x.shape)} to ${formatShape(shape)}`;
      const holes = shape.filter((d) => d === -1).length;
      if (holes > 1) throw new Error(`${what}: at most one −1`);
      const known = shape.filter((d) => d !== -1).map((d) => checkDim(d, what));
      const total = dimProduct(x.shape);
      let dims: Dim[] = shape.map((d) => d);
      if (holes === 1) {
        const q = dimQuotient(total, dimProduct(known));
        if (q === undefined) throw new Error(`${what}: cannot infer −1 (${total} is not a multiple of ${dimProduct(known)})`);
        dims = shape.map((d) => (d === -1 ? q : d));
      } else if (dimProduct(known) !== total) {
        throw new Error(`${what}: element counts differ (${total} vs ${dimProduct(known)})`);
      }
      if (shapeEqual(dims, x.shape)) return x;
      return g.apply('Reshape', [x], { shape: dims });
    },
    transpose(x, perm) {
      const r = x.shape.length;
      if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw new Error(`transpose of '${x.name}': [${perm.join(', ')}] is not a permutation of ${r} axes`);
      if (perm.every((p, i) => p === i)) return x;
      return g.apply('Transpose', [x], { perm: [...perm] });
    },
    concat(values, axis) {
      if (values.length === 0) throw new Error('concat: no values');
      if (values.length === 1) return values[0]!;
      return g.apply('Concat', values, { axis: normAxis(axis, values[0]!.shape.length, `concat of '${values[0]!.name}'`) });
    },
    slice(x, axis, start, end) {
      const what = `slice of '${x.name}'`;
      const a = normAxis(axis, x.shape.length, what);
      const d = staticDim(x, a, what);
      const s = start < 0 ? start + d : start;
      const e = end === undefined ? d : end < 0 ? end + d : end;
      if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e <= d)) throw new Error(`${what}: range [${start}, ${end}) is invalid for size ${d}`);
      if (s === 0 && e === d) return x;
      return g.apply('Slice', [x], { axis: a, start: s, end: e });
    },
    pad(x, axis, before, after) {
      const what = `pad of '${x.name}'`;
      const a = normAxis(axis, x.shape.length, what);
      staticDim(x, a, what);
      if (!(Number.isInteger(before) && Number.isInteger(after) && before >= 0 && after >= 0)) throw new Error(`${what}: pads must be non-negative integers`);
      if (before === 0 && after === 0) return x;
      return g.apply('Pad', [x], { axis: a, before, after });
    },
    unsqueeze(x, axes) {
      const r = x.shape.length + axes.length;
      const list = axes.map((a) => normAxis(a, r, `unsqueeze of '${x.name}'`)).sort((a, b) => a - b);
      if (list.length === 0) return x;
      return g.apply('Unsqueeze', [x], { axes: list });
    },
    squeeze(x, axes) {
      const list = axes.map((a) => normAxis(a, x.shape.length, `squeeze of '${x.name}'`)).sort((a, b) => a - b);
      for (const a of list) if (x.shape[a] !== 1) throw new Error(`squeeze of '${x.name}' ${formatShape(x.shape)}: axis ${a} is not of size 1`);
      if (list.length === 0) return x;
      return g.apply('Squeeze', [x], { axes: list });
    },
    expand(x, shape) {
      const dims = shape.map((d) => checkDim(d, `expand of '${x.name}'`));
      if (shapeEqual(dims, x.shape)) return x;
      return g.apply('Expand', [x], { shape: dims });
    },
    cast(x, dtype) {
      if (dtype === x.dtype) return x;
      return g.apply('Cast', [x], { to: dtype });
    },
    dimSize(x, axes, dtype = g.dtype) {
      const list = axes.map((a) => normAxis(a, x.shape.length, `dimSize of '${x.name}'`));
      return g.apply('DimSize', [x], { axes: list, dtype });
    },
  };
}
