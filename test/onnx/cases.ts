/**
 * One small graph per op (and per interesting variant: broadcasting, repeated indices, symbolic
 * dims), shared by the gradient test and the onnxruntime-vs-interpreter test.
 */
import { createGraph, evaluateValues, type Feeds, type FloatDType, type Graph, type RunFeed } from '../../onnx/index.js';
import { type Case, ints, randomInput, seeded } from './helpers.js';


/** A named case; `positive` asks for inputs in (0.5, 2) (logs, roots, powers). */
export interface OpCase {
  name: string;
  /** IR ops this case exercises (checked: every op has a case). */
  ops: string[];
  build: (g: Graph) => Case;
  /** Gradient tolerance when not the default 1e-6 (e.g. through a float32 cast). */
  gradTol?: number;
}

const rnd = seeded(1);
const pos = () => rnd(0.5, 2);

function unary(op: string, method: keyof Graph, positive = false): OpCase {
  return {
    name: op,
    ops: [op],
    build(g) {
      const x = randomInput(g, 'x', ['N', 3], [4, 3], positive ? pos : rnd);
      return { inputs: [x], y: (g[method] as (v: typeof x.value) => typeof x.value)(x.value) };
    },
  };
}

export const OP_CASES: OpCase[] = [
  { name: 'Add broadcast [N,1]+[3]', ops: ['Add'], build(g) {
    const a = randomInput(g, 'a', ['N', 1], [4, 1], rnd);
    const b = randomInput(g, 'b', [3], [3], rnd);
    return { inputs: [a, b], y: g.add(a.value, b.value) };
  } },
  { name: 'Sub broadcast [3]-[2,N,3]', ops: ['Sub'], build(g) {
    const a = randomInput(g, 'a', [3], [3], rnd);
    const b = randomInput(g, 'b', [2, 'N', 3], [2, 4, 3], rnd);
    return { inputs: [a, b], y: g.sub(a.value, b.value) };
  } },
  { name: 'Mul broadcast [N,3]*[N,1] and scalar', ops: ['Mul'], build(g) {
    const a = randomInput(g, 'a', ['N', 3], [4, 3], rnd);
    const b = randomInput(g, 'b', ['N', 1], [4, 1], rnd);
    return { inputs: [a, b], y: g.mul(g.mul(a.value, b.value), 2.5) };
  } },
  { name: 'Div broadcast', ops: ['Div'], build(g) {
    const a = randomInput(g, 'a', [2, 3], [2, 3], rnd);
    const b = randomInput(g, 'b', [1, 3], [1, 3], pos);
    return { inputs: [a, b], y: g.div(a.value, b.value) };
  } },
  { name: 'Pow 3 and 1.5', ops: ['Pow'], build(g) {
    const x = randomInput(g, 'x', ['N', 3], [4, 3], pos);
    return { inputs: [x], y: g.add(g.pow(x.value, 3), g.pow(x.value, 1.5)) };
  } },
  unary('Neg', 'neg'), unary('Sqrt', 'sqrt', true), unary('Exp', 'exp'), unary('Log', 'log', true),
  unary('Sin', 'sin'), unary('Cos', 'cos'), unary('Tanh', 'tanh'), unary('Sigmoid', 'sigmoid'),
  unary('SiLU', 'silu'), unary('Reciprocal', 'reciprocal', true), unary('Abs', 'abs'),
  { name: 'Sign and comparisons (no gradient through them)', ops: ['Sign', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Equal', 'Cast'], build(g) {
    const x = randomInput(g, 'x', ['N', 3], [4, 3], rnd);
    const f = (b: ReturnType<Graph['less']>) => g.cast(b, g.dtype);
    const v = x.value;
    const masks = g.add(g.add(f(g.less(v, 0.1)), f(g.lessOrEqual(v, 0))), g.add(g.add(f(g.greater(v, 0.2)), f(g.greaterOrEqual(v, 0.3))), f(g.equal(v, v))));
    return { inputs: [x], y: g.add(g.mul(g.sign(v), masks), g.mul(v, masks)) };
  } },
  { name: 'Where with broadcast branches', ops: ['Where', 'Greater'], build(g) {
    const x = randomInput(g, 'x', ['N', 3], [4, 3], rnd);
    const b = randomInput(g, 'b', [3], [3], rnd);
    return { inputs: [x, b], y: g.where(g.greater(x.value, 0), g.mul(x.value, x.value), b.value) };
  } },
  { name: 'MatMul 2-D and batched 3-D @ 2-D', ops: ['MatMul'], build(g) {
    const a = randomInput(g, 'a', ['E', 2, 3], [3, 2, 3], rnd);
    const w = randomInput(g, 'w', [3, 4], [3, 4], rnd);
    const m = randomInput(g, 'm', [5, 2], [5, 2], rnd);
    const y = g.matmul(g.reshape(g.matmul(a.value, w.value), ['E', 8]), g.reshape(g.concat([m.value, m.value, m.value, m.value], 1), [8, 5]));
    return { inputs: [a, w, m], y };
  } },
  { name: 'Einsum: CG-like contraction and an operand-only letter', ops: ['Einsum'], build(g) {
    const x = randomInput(g, 'x', ['E', 2, 3], [3, 2, 3], rnd);
    const c = randomInput(g, 'c', [3, 3, 5], [3, 3, 5], rnd);
    const y = randomInput(g, 'y', ['E', 4, 3], [3, 4, 3], rnd);
    const t = randomInput(g, 't', [2, 6], [2, 6], rnd);
    const out = g.einsum('eui,ijk,evj->euvk', [x.value, c.value, y.value]);
    return { inputs: [x, c, y, t], y: g.mul(out, g.unsqueeze(g.einsum('ut->u', [t.value]), [1, 2])) };
  } },
  { name: 'ReduceSum (axes, keepdims) and ReduceMean over symbolic N', ops: ['ReduceSum', 'DimSize', 'Reciprocal'], build(g) {
    const x = randomInput(g, 'x', ['N', 2, 3], [4, 2, 3], rnd);
    const s = g.reduceSum(x.value, [1], true);
    const m = g.reduceMean(x.value, [0, 2]);
    return { inputs: [x], y: g.add(g.reduceSum(g.mul(s, s), [0, 1]), g.reduceSum(m)) };
  } },
  { name: 'Gather rows with repeated indices, along axis 1, and by a scalar', ops: ['Gather'], build(g) {
    const h = randomInput(g, 'h', ['N', 3], [4, 3], rnd);
    const idx = g.input('idx', ['E'], 'int64');
    const rows = g.gather(h.value, idx, 0);
    const cols = g.gather(h.value, g.constant([2, 0, 2], [3], 'int64'), 1);
    const one = g.gather(h.value, g.constant(1, [], 'int64'), 0);
    return { inputs: [h], extra: { idx: ints([0, 2, 2, 3, 0, 2]) }, y: g.add(g.reduceSum(g.mul(rows, rows)), g.reduceSum(g.add(g.mul(cols, cols), g.sin(one)))) };
  } },
  { name: 'SegmentSum with repeated and missing segments', ops: ['SegmentSum'], build(g) {
    const m = randomInput(g, 'm', ['E', 2], [6, 2], rnd);
    const idx = g.input('idx', ['E'], 'int64');
    const n = g.input('atoms', ['N'], 'int64');
    void n;
    const s = g.segmentSum(m.value, idx, 'N');
    return { inputs: [m], extra: { idx: ints([0, 2, 2, 3, 0, 2]), atoms: ints([0, 0, 0, 0, 0]) }, y: g.mul(s, s) };
  } },
  { name: 'Reshape, Transpose, Unsqueeze, Squeeze', ops: ['Reshape', 'Transpose', 'Unsqueeze', 'Squeeze'], build(g) {
    const x = randomInput(g, 'x', ['N', 6], [4, 6], rnd);
    const r = g.transpose(g.reshape(x.value, ['N', 2, 3]), [2, 0, 1]);
    const u = g.squeeze(g.unsqueeze(g.reshape(r, [-1]), [0]), [0]);
    return { inputs: [x], y: g.mul(u, g.exp(u)) };
  } },
  { name: 'Concat, Slice, Pad', ops: ['Concat', 'Slice', 'Pad'], build(g) {
    const a = randomInput(g, 'a', ['N', 2], [4, 2], rnd);
    const b = randomInput(g, 'b', ['N', 3], [4, 3], rnd);
    const c = g.concat([a.value, b.value], 1);
    const s = g.slice(c, 1, 1, -1);
    return { inputs: [a, b], y: g.mul(g.pad(s, 1, 1, 1), g.slice(c, -1, 0)) };
  } },
  { name: 'Expand of [N,1] and a scalar', ops: ['Expand'], build(g) {
    const x = randomInput(g, 'x', ['N', 1], [4, 1], rnd);
    const k = randomInput(g, 'k', [], [], rnd);
    return { inputs: [x, k], y: g.mul(g.expand(x.value, ['N', 3]), g.expand(k.value, ['N', 3])) };
  } },
  { name: 'Cast to the other float type and back', ops: ['Cast'], gradTol: 1e-3, build(g) {
    const x = randomInput(g, 'x', ['N', 3], [4, 3], rnd);
    const other = g.dtype === 'float64' ? 'float32' : 'float64';
    return { inputs: [x], y: g.mul(g.cast(g.cast(x.value, other), g.dtype), x.value) };
  } },
];

/**
 * A case as a complete model in `dtype`: output `out` = the op's result and, `withGrad`,
 * `grad_<input>` = the gradient of Σ out·R (R a fed random weighting), with feeds for every input.
 * Forward-only models matter on their own: onnxruntime's fusions see other patterns there.
 */
export function caseModel(c: OpCase, dtype: FloatDType, withGrad = true): { g: Graph; feeds: Record<string, RunFeed> } {
  const g = createGraph({ dtype });
  const built = c.build(g);
  const R = g.input('R', built.y.shape);
  const grads = g.grad(g.reduceSum(g.mul(built.y, R)), built.inputs.map((i) => i.value));
  g.output('out', built.y);
  if (withGrad) built.inputs.forEach((inp, k) => g.output(`grad_${inp.value.name}`, grads[k]!));
  const r = seeded(3);
  const typed = (xs: ArrayLike<number>) => (dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs));
  const feeds: Record<string, RunFeed> = {};
  for (const [name, f] of Object.entries(built.extra ?? {})) feeds[name] = f as RunFeed;
  for (const inp of built.inputs) feeds[inp.value.name] = { data: typed(inp.data), dims: inp.dims };
  const [y0] = evaluateValues(g, feeds as Feeds, [built.y]);
  feeds.R = { data: typed(Array.from(y0!.data, () => r(0.5, 1.5))), dims: [...y0!.shape] };
  return { g, feeds };
}
