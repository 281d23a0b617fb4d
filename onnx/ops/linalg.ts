/**
 * Contractions: MatMul for linear layers and Einsum with explicit output (Clebsch–Gordan
 * coefficient contractions). Their VJPs are contractions again, so they differentiate to any order.
 */
import type { Graph } from '../graph.js';
import type { OpDef, Value } from '../ir.js';
import { isFloat } from '../dtype.js';
import { broadcastShapes, type Dim, dimEqual, formatShape } from '../shape.js';
import { broadcastStrides, sizeOf, stridesOf } from '../tensor.js';
import { sumToShape } from './broadcast.js';

/** Contraction methods of a {@link Graph}. */
export interface LinalgOps {
  /**
   * Matrix product of the last two axes, batch axes broadcast (both operands rank ≥ 2).
   * @example g.matmul(x, w)   // x: [E, 16], w: [16, 32] → [E, 32]
   */
  matmul(a: Value, b: Value): Value;
  /**
   * Einstein summation with an explicit output, letters only (no `...`, no repeated letter
   * within one operand). Sizes of a shared letter must be equal (no broadcasting).
   * @example g.einsum('eui,ijk,evj->euvk', [x, cg, y])
   */
  einsum(equation: string, operands: readonly Value[]): Value;
}

interface Spec {
  ins: string[];
  out: string;
}

function parseEinsum(eq: string, n: number, what: string): Spec {
  const m = /^([a-zA-Z,]*)->([a-zA-Z]*)$/.exec(eq.replace(/\s+/g, ''));
  if (!m) throw new Error(`${what}: equation '${eq}' must be explicit, like 'ij,jk->ik' (letters only, no '...')`);
  const ins = m[1]!.split(',');
  if (ins.length !== n) throw new Error(`${what}: equation '${eq}' has ${ins.length} operands, ${n} given`);
  for (const s of [...ins, m[2]!]) {
    if (new Set(s).size !== s.length) throw new Error(`${what}: repeated letter in '${s}' of '${eq}' (diagonals are not supported)`);
  }
  const seen = new Set(ins.join(''));
  for (const c of m[2]!) if (!seen.has(c)) throw new Error(`${what}: output letter '${c}' of '${eq}' is in no operand`);
  return { ins, out: m[2]! };
}

function letterSizes<T>(spec: Spec, shapes: readonly (readonly T[])[], eq: (a: T, b: T) => boolean, what: string): Map<string, T> {
  const sizes = new Map<string, T>();
  spec.ins.forEach((s, k) => {
    const shape = shapes[k]!;
    if (shape.length !== s.length) throw new Error(`${what}: operand ${k} '${s}' has rank ${shape.length}, shape ${formatShape(shape as readonly Dim[])}`);
    [...s].forEach((c, ax) => {
      const prev = sizes.get(c);
      if (prev !== undefined && !eq(prev, shape[ax]!)) throw new Error(`${what}: letter '${c}' has sizes ${String(prev)} and ${String(shape[ax])}`);
      sizes.set(c, shape[ax]!);
    });
  });
  return sizes;
}

/** Op definitions of this file. */
export const LINALG_DEFS: Record<string, OpDef> = {
  MatMul: {
    infer([a, b], _attrs, what) {
      for (const v of [a!, b!]) {
        if (!isFloat(v.dtype)) throw new Error(`${what}: '${v.name}' must be float, got ${v.dtype}`);
        if (v.shape.length < 2) throw new Error(`${what}: '${v.name}' has rank ${v.shape.length}; matmul needs rank ≥ 2 (reshape vectors to [1, k] or [k, 1])`);
      }
      if (a!.dtype !== b!.dtype) throw new Error(`${what}: dtypes differ (${a!.dtype} vs ${b!.dtype})`);
      const [m, k1] = a!.shape.slice(-2) as [Dim, Dim];
      const [k2, n] = b!.shape.slice(-2) as [Dim, Dim];
      if (!dimEqual(k1, k2)) throw new Error(`${what}: inner sizes differ: ${formatShape(a!.shape)} @ ${formatShape(b!.shape)}`);
      const batch = broadcastShapes([a!.shape.slice(0, -2), b!.shape.slice(0, -2)], what);
      return { dtype: a!.dtype, shape: [...batch, m, n] };
    },
    evaluate([a, b], node) {
      const [m, k] = a!.shape.slice(-2) as [number, number];
      const n = b!.shape[b!.shape.length - 1]!;
      const batch = broadcastShapes([a!.shape.slice(0, -2), b!.shape.slice(0, -2)], node.name) as number[];
      const nb = sizeOf(batch);
      const sa = broadcastStrides(a!.shape.slice(0, -2), batch);
      const sb = broadcastStrides(b!.shape.slice(0, -2), batch);
      const bs = stridesOf(batch);
      const out = new Float64Array(nb * m * n);
      for (let t = 0; t < nb; t++) {
        let oa = 0;
        let ob = 0;
        for (let ax = 0, r = t; ax < batch.length; ax++) {
          const i = Math.floor(r / bs[ax]!);
          r -= i * bs[ax]!;
          oa += i * sa[ax]!;
          ob += i * sb[ax]!;
        }
        oa *= m * k;
        ob *= k * n;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a!.data[oa + i * k + p]! * b!.data[ob + p * n + j]!;
            out[t * m * n + i * n + j] = s;
          }
        }
      }
      return { dtype: node.dtype, shape: [...batch, m, n], data: out };
    },
    vjp(node, gy) {
      const g = node.graph;
      const [a, b] = node.inputs as [Value, Value];
      const swap = (v: Value) => g.transpose(v, [...v.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : i === all.length - 2 ? i + 1 : i - 1)));
      return [sumToShape(g.matmul(gy, swap(b)), a.shape), sumToShape(g.matmul(swap(a), gy), b.shape)];
    },
    emit: (ctx, node, ins) => ctx.node('MatMul', ins, {}, node.name),
  },
  Einsum: {
    infer(inputs, attrs, what) {
      const spec = parseEinsum(attrs.equation as string, inputs.length, what);
      for (const v of inputs) if (!isFloat(v.dtype) || v.dtype !== inputs[0]!.dtype) throw new Error(`${what}: operands must share one float dtype ('${v.name}' is ${v.dtype})`);
      const sizes = letterSizes(spec, inputs.map((v) => v.shape), dimEqual, what);
      return { dtype: inputs[0]!.dtype, shape: [...spec.out].map((c) => sizes.get(c)!) };
    },
    evaluate(inputs, node) {
      const spec = parseEinsum(node.attrs.equation as string, inputs.length, node.name);
      const sizes = letterSizes(spec, inputs.map((t) => t.shape), (a, b) => a === b, node.name);
      // Loop over every letter: output letters first, so each output element is one contiguous run.
      const letters = [...spec.out, ...[...sizes.keys()].filter((c) => !spec.out.includes(c))];
      const dims = letters.map((c) => sizes.get(c)!);
      const strides = inputs.map((t, k) => {
        const own = stridesOf(t.shape);
        return letters.map((c) => (spec.ins[k]!.includes(c) ? own[spec.ins[k]!.indexOf(c)]! : 0));
      });
      const inner = sizeOf(dims.slice(spec.out.length));
      const out = new Float64Array(sizeOf(dims.slice(0, spec.out.length)));
      const idx = new Array<number>(letters.length).fill(0);
      const offs = new Array<number>(inputs.length).fill(0);
      const total = out.length * inner;
      for (let t = 0; t < total; t++) {
        let p = 1;
        for (let k = 0; k < inputs.length; k++) p *= inputs[k]!.data[offs[k]!]!;
        out[Math.floor(t / inner)]! += p;
        for (let ax = letters.length - 1; ax >= 0; ax--) {
          idx[ax]!++;
          for (let k = 0; k < inputs.length; k++) offs[k]! += strides[k]![ax]!;
          if (idx[ax]! < dims[ax]!) break;
          for (let k = 0; k < inputs.length; k++) offs[k]! -= strides[k]![ax]! * dims[ax]!;
          idx[ax] = 0;
        }
      }
      return { dtype: node.dtype, shape: [...spec.out].map((c) => sizes.get(c)!), data: out };
    },
    vjp(node, gy) {
      const g = node.graph;
      const spec = parseEinsum(node.attrs.equation as string, node.inputs.length, node.name);
      return node.inputs.map((x, k) => {
        const others = spec.ins.filter((_, j) => j !== k);
        const avail = new Set([...others.join(''), ...spec.out]);
        const own = spec.ins[k]!;
        const kept = [...own].filter((c) => avail.has(c)).join('');
        const operands = [...node.inputs.filter((_, j) => j !== k), gy];
        let r = g.einsum(`${[...others, spec.out].join(',')}->${kept}`, operands);
        if (kept.length < own.length) {
          // Letters summed only inside this operand: the gradient is constant along them.
          r = g.reshape(r, [...own].map((c, ax) => (avail.has(c) ? x.shape[ax]! : 1)));
          r = g.expand(r, x.shape);
        }
        return r;
      });
    },
    emit: (ctx, node, ins) => ctx.node('Einsum', ins, { equation: { kind: 'string', value: (node.attrs.equation as string).replace(/\s+/g, '') } }, node.name),
  },
};

/** The contraction methods, bound to `g`. */
export function linalgOps(g: Graph): LinalgOps {
  return {
    matmul: (a, b) => g.apply('MatMul', [a, b]),
    einsum(equation, operands) {
      const spec = parseEinsum(equation, operands.length, `einsum '${equation}'`);
      // A single operand that is only permuted is a Transpose: cheaper, and its VJP is too.
      if (operands.length === 1 && spec.ins[0]!.length === spec.out.length) {
        const perm = [...spec.out].map((c) => spec.ins[0]!.indexOf(c));
        return g.transpose(operands[0]!, perm);
      }
      return g.apply('Einsum', operands, { equation: equation.replace(/\s+/g, '') });
    },
  };
}
