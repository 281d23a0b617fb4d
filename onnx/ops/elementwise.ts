/**
 * Elementwise ops with NumPy broadcasting: arithmetic, transcendental functions, comparisons and
 * `where`. SiLU has no ONNX op at opset 17 and is lowered to `x · sigmoid(x)` (float32) or
 * `x / (1 + e^−x)` (float64, which onnxruntime cannot fuse into its float-only QuickGelu).
 */
import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import type { Graph } from '../graph.js';
import type { EmitContext } from '../emit-context.js';
import type { OpDef, Operand, Value } from '../ir.js';
import { broadcastShapes } from '../shape.js';
import { broadcastStrides, forEachBroadcast, sizeOf, type Tensor } from '../tensor.js';
import { sumToShape } from './broadcast.js';

/** Elementwise methods of a {@link Graph}. Numbers are lifted to scalars of the other operand's dtype. */
export interface ElementwiseOps {
  /** a + b, broadcasting. @example g.add(x, 1) */
  add(a: Operand, b: Operand): Value;
  /** a − b, broadcasting. */
  sub(a: Operand, b: Operand): Value;
  /** a · b, broadcasting. */
  mul(a: Operand, b: Operand): Value;
  /** a / b, broadcasting (int64: truncating). */
  div(a: Operand, b: Operand): Value;
  /** x^p for a constant exponent `p` (p = 0 gives ones, 2 becomes x·x, 0.5 √x, −1 1/x). @example g.pow(d2, 3) */
  pow(x: Value, p: number): Value;
  /** −x. */
  neg(x: Value): Value;
  /** √x (its gradient is infinite at 0: keep x away from 0, e.g. lengths of non-zero vectors). */
  sqrt(x: Value): Value;
  /** eˣ. */
  exp(x: Value): Value;
  /** Natural logarithm. */
  log(x: Value): Value;
  /** sin x (radians). */
  sin(x: Value): Value;
  /** cos x (radians). */
  cos(x: Value): Value;
  /** tanh x (e.g. the gate of odd scalars in NequIP). */
  tanh(x: Value): Value;
  /** 1 / (1 + e^−x). */
  sigmoid(x: Value): Value;
  /** x · sigmoid(x) (a.k.a. swish; NequIP's default nonlinearity). @example g.silu(g.add(g.matmul(h, w), b)) */
  silu(x: Value): Value;
  /** 1 / x. */
  reciprocal(x: Value): Value;
  /** |x|; its gradient at 0 is taken as 0. */
  abs(x: Value): Value;
  /** −1, 0 or 1; its gradient is zero. */
  sign(x: Value): Value;
  /** Boolean a < b, broadcasting; no gradient. @example g.where(g.less(r, rMax), f, 0) */
  less(a: Operand, b: Operand): Value;
  /** Boolean a ≤ b. */
  lessOrEqual(a: Operand, b: Operand): Value;
  /** Boolean a > b. */
  greater(a: Operand, b: Operand): Value;
  /** Boolean a ≥ b. */
  greaterOrEqual(a: Operand, b: Operand): Value;
  /** Boolean a = b. */
  equal(a: Operand, b: Operand): Value;
  /** `cond ? a : b` elementwise, broadcasting all three; `cond` is bool. */
  where(cond: Value, a: Operand, b: Operand): Value;
}

type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

function binaryDef(onnx: string, f: Binary, result: 'same' | 'bool', vjp?: OpDef['vjp']): OpDef {
  return {
    infer(inputs, _attrs, what) {
      const [a, b] = inputs as [Value, Value];
      if (a.dtype !== b.dtype) throw new Error(`${what}: operand dtypes differ ('${a.name}': ${a.dtype}, '${b.name}': ${b.dtype})`);
      if (result === 'same' && a.dtype === 'bool') throw new Error(`${what}: arithmetic on bool '${a.name}'`);
      return { dtype: result === 'bool' ? 'bool' : a.dtype, shape: broadcastShapes([a.shape, b.shape], what) };
    },
    evaluate([a, b], node) {
      const A = a!;
      const B = b!;
      const shape = broadcastShapes([A.shape, B.shape], node.name) as number[];
      const out = new Float64Array(sizeOf(shape));
      const trunc = node.dtype === 'int64';
      forEachBroadcast(shape, [broadcastStrides(A.shape, shape), broadcastStrides(B.shape, shape)], (o, [i, j]) => {
        const r = f(A.data[i!]!, B.data[j!]!);
        out[o] = trunc ? Math.trunc(r) : r;
      });
      return { dtype: node.dtype, shape, data: out };
    },
    vjp,
    emit: (ctx, node, ins) => ctx.node(onnx, ins, {}, node.name),
  };
}

function unaryDef(onnx: string, f: Unary, vjp?: (g: Graph, x: Value, y: Value, gy: Value) => Value): OpDef {
  return {
    infer([x], _attrs, what) {
      if (!isFloat(x!.dtype) && onnx !== 'Neg' && onnx !== 'Abs' && onnx !== 'Sign') throw new Error(`${what}: input '${x!.name}' must be float, got ${x!.dtype}`);
      if (x!.dtype === 'bool') throw new Error(`${what}: input '${x!.name}' is bool`);
      return { dtype: x!.dtype, shape: [...x!.shape] };
    },
    evaluate([x], node) {
      const out = new Float64Array(x!.data.length);
      for (let i = 0; i < out.length; i++) out[i] = f(x!.data[i]!);
      return { dtype: node.dtype, shape: x!.shape, data: out };
    },
    vjp: vjp && ((node, gy) => [vjp(node.graph, node.inputs[0]!, node, gy)]),
    emit: (ctx, node, ins) => ctx.node(onnx, ins, {}, node.name),
  };
}

/** 1 + e^−x as ONNX nodes (e^−x overflows to +inf for x < −709, giving the right limits). */
function onePlusExpNeg(ctx: EmitContext, x: string, dtype: DType): string {
  return ctx.node('Add', [ctx.scalar(1, dtype), ctx.node('Exp', [ctx.node('Neg', [x])])]);
}

const sigmoid: Unary = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Op definitions of this file, by IR op name. */
export const ELEMENTWISE_DEFS: Record<string, OpDef> = {
  Add: binaryDef('Add', (a, b) => a + b, 'same', (n, gy) => [sumToShape(gy, n.inputs[0]!.shape), sumToShape(gy, n.inputs[1]!.shape)]),
  Sub: binaryDef('Sub', (a, b) => a - b, 'same', (n, gy) => [sumToShape(gy, n.inputs[0]!.shape), sumToShape(n.graph.neg(gy), n.inputs[1]!.shape)]),
  Mul: binaryDef('Mul', (a, b) => a * b, 'same', (n, gy) => {
    const [a, b] = n.inputs as [Value, Value];
    return [sumToShape(n.graph.mul(gy, b), a.shape), sumToShape(n.graph.mul(gy, a), b.shape)];
  }),
  Div: binaryDef('Div', (a, b) => a / b, 'same', (n, gy) => {
    const g = n.graph;
    const [a, b] = n.inputs as [Value, Value];
    return [sumToShape(g.div(gy, b), a.shape), sumToShape(g.neg(g.div(g.mul(gy, n), b)), b.shape)];
  }),
  Less: binaryDef('Less', (a, b) => +(a < b), 'bool'),
  LessOrEqual: binaryDef('LessOrEqual', (a, b) => +(a <= b), 'bool'),
  Greater: binaryDef('Greater', (a, b) => +(a > b), 'bool'),
  GreaterOrEqual: binaryDef('GreaterOrEqual', (a, b) => +(a >= b), 'bool'),
  Equal: binaryDef('Equal', (a, b) => +(a === b), 'bool'),
  Neg: unaryDef('Neg', (x) => -x, (g, _x, _y, gy) => g.neg(gy)),
  Sqrt: unaryDef('Sqrt', Math.sqrt, (g, _x, y, gy) => g.div(g.mul(gy, 0.5), y)),
  Exp: unaryDef('Exp', Math.exp, (g, _x, y, gy) => g.mul(gy, y)),
  Log: unaryDef('Log', Math.log, (g, x, _y, gy) => g.div(gy, x)),
  Sin: unaryDef('Sin', Math.sin, (g, x, _y, gy) => g.mul(gy, g.cos(x))),
  Cos: unaryDef('Cos', Math.cos, (g, x, _y, gy) => g.neg(g.mul(gy, g.sin(x)))),
  Tanh: unaryDef('Tanh', Math.tanh, (g, _x, y, gy) => g.mul(gy, g.sub(1, g.mul(y, y)))),
  Sigmoid: {
    ...unaryDef('Sigmoid', sigmoid, (g, _x, y, gy) => g.mul(gy, g.mul(y, g.sub(1, y)))),
    // In float64, 1 / (1 + e^−x): a user's x·sigmoid(x) must not become QuickGelu (see SiLU).
    emit: (ctx, node, ins) => (node.dtype === 'float64' ? ctx.node('Reciprocal', [onePlusExpNeg(ctx, ins[0]!, node.dtype)], {}, node.name) : ctx.node('Sigmoid', ins, {}, node.name)),
  },
  Reciprocal: unaryDef('Reciprocal', (x) => 1 / x, (g, _x, y, gy) => g.neg(g.mul(gy, g.mul(y, y)))),
  Abs: unaryDef('Abs', Math.abs, (g, x, _y, gy) => g.mul(gy, g.sign(x))),
  // Sign is piecewise constant: no rule, so autodiff treats it as a constant.
  Sign: unaryDef('Sign', Math.sign),
  SiLU: {
    // silu' = s·(1 + x(1 − s)) = s + y(1 − s): written with y, one elementwise pass fewer.
    ...unaryDef('SiLU', (x) => x * sigmoid(x), (g, x, y, gy) => {
      const s = g.sigmoid(x);
      return g.mul(gy, g.add(s, g.mul(y, g.sub(1, s))));
    }),
    emit(ctx, node, ins) {
      // onnxruntime fuses x·Sigmoid(x) into com.microsoft.QuickGelu, which has only a float kernel:
      // a float64 model would fail to load. x / (1 + e^−x) computes the same without the pattern.
      if (node.dtype === 'float64') return ctx.node('Div', [ins[0]!, onePlusExpNeg(ctx, ins[0]!, node.dtype)], {}, node.name);
      return ctx.node('Mul', [ins[0]!, ctx.node('Sigmoid', ins)], {}, node.name);
    },
  },
  Pow: {
    infer([x], attrs, what) {
      if (!isFloat(x!.dtype)) throw new Error(`${what}: input '${x!.name}' must be float`);
      if (typeof attrs.p !== 'number' || !Number.isFinite(attrs.p)) throw new Error(`${what}: exponent must be a finite number`);
      return { dtype: x!.dtype, shape: [...x!.shape] };
    },
    evaluate([x], node) {
      const p = node.attrs.p as number;
      return { dtype: node.dtype, shape: x!.shape, data: x!.data.map((v) => Math.pow(v, p)) };
    },
    vjp(node, gy) {
      const g = node.graph;
      const p = node.attrs.p as number;
      const x = node.inputs[0]!;
      return [g.mul(gy, g.mul(p, g.pow(x, p - 1)))];
    },
    emit: (ctx, node, ins) => ctx.node('Pow', [ins[0]!, ctx.scalar(node.attrs.p as number, node.dtype)], {}, node.name),
  },
  Where: {
    infer([c, a, b], _attrs, what) {
      if (c!.dtype !== 'bool') throw new Error(`${what}: condition '${c!.name}' must be bool, got ${c!.dtype}`);
      if (a!.dtype !== b!.dtype) throw new Error(`${what}: branch dtypes differ (${a!.dtype} vs ${b!.dtype})`);
      return { dtype: a!.dtype, shape: broadcastShapes([c!.shape, a!.shape, b!.shape], what) };
    },
    evaluate([c, a, b], node) {
      const shape = broadcastShapes([c!.shape, a!.shape, b!.shape], node.name) as number[];
      const out = new Float64Array(sizeOf(shape));
      const st = [c!, a!, b!].map((t) => broadcastStrides(t.shape, shape));
      forEachBroadcast(shape, st, (o, [i, j, k]) => { out[o] = c!.data[i!] ? a!.data[j!]! : b!.data[k!]!; });
      return { dtype: node.dtype, shape, data: out };
    },
    vjp(node, gy) {
      const g = node.graph;
      const [c, a, b] = node.inputs as [Value, Value, Value];
      return [undefined, sumToShape(g.where(c, gy, 0), a.shape), sumToShape(g.where(c, 0, gy), b.shape)];
    },
    emit: (ctx, node, ins) => ctx.node('Where', ins, {}, node.name),
  },
};

/** Lifts numbers against the other operand's dtype. */
function pair(g: Graph, a: Operand, b: Operand): [Value, Value] {
  const like: DType = typeof a !== 'number' ? a.dtype : typeof b !== 'number' ? b.dtype : g.dtype;
  return [g.lift(a, like), g.lift(b, like)];
}

/** The elementwise methods, bound to `g`. */
export function elementwiseOps(g: Graph): ElementwiseOps {
  const bin = (op: string) => (a: Operand, b: Operand) => g.apply(op, pair(g, a, b));
  const un = (op: string) => (x: Value) => g.apply(op, [x]);
  return {
    add: bin('Add'), sub: bin('Sub'), mul: bin('Mul'), div: bin('Div'),
    pow(x, p) {
      if (p === 0) return g.expand(g.constant(1, [], x.dtype), x.shape);
      if (p === 1) return x;
      if (p === 2) return g.mul(x, x);
      if (p === 0.5) return g.sqrt(x);
      if (p === -1) return g.reciprocal(x);
      return g.apply('Pow', [x], { p });
    },
    neg: un('Neg'), sqrt: un('Sqrt'), exp: un('Exp'), log: un('Log'), sin: un('Sin'), cos: un('Cos'),
    tanh: un('Tanh'), sigmoid: un('Sigmoid'), silu: un('SiLU'), reciprocal: un('Reciprocal'), abs: un('Abs'), sign: un('Sign'),
    less: bin('Less'), lessOrEqual: bin('LessOrEqual'), greater: bin('Greater'), greaterOrEqual: bin('GreaterOrEqual'), equal: bin('Equal'),
    where(cond, a, b) {
      const [x, y] = pair(g, a, b);
      return g.apply('Where', [cond, x, y]);
    },
  };
}
