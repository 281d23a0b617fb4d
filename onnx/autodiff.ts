/**
 * Symbolic reverse-mode differentiation. The adjoint of each node is built from graph ops by its
 * op's VJP rule, so the result is an ordinary part of the graph: it is written to ONNX with the
 * model, evaluated by the interpreter, and can itself be differentiated (force-loss gradients with
 * respect to weights are second derivatives of the energy).
 */
import { isFloat } from './dtype.js';
import type { Graph } from './graph.js';
import type { Value } from './ir.js';
import { LEAF_OPS, opDef } from './registry.js';
import { formatShape, shapeEqual } from './shape.js';

/** Options of `graph.grad`. */
export interface GradOptions {
  /** Adjoint of `y` (same shape and dtype); default all ones, i.e. the gradient of Σy. */
  seed?: Value;
}

function inScopes<T>(g: Graph, path: string, fn: () => T): T {
  const parts = path ? path.split('/') : [];
  const run = (i: number): T => (i === parts.length ? fn() : g.scope(parts[i]!, () => run(i + 1)));
  return run(0);
}

interface PadPart {
  readonly x: Value;
  readonly before: number;
  readonly size: number;
}

/**
 * The sum of a node's adjoint contributions. Slices of one value (the terms a split produces)
 * send back their adjoints zero-padded to the full size; adding k such pads costs k full-size
 * passes, so disjoint pads along one axis are joined by one Concat instead (exact: each element
 * has at most one nonzero contribution among them), and the rest are added to it.
 */
function accumulate(g: Graph, parts: readonly Value[]): Value {
  if (parts.length === 1) return parts[0]!;
  const axisOf = (v: Value) => (v.op === 'Pad' ? (v.attrs as { axis: number }).axis : -1);
  // The axis most pads share.
  const counts = new Map<number, number>();
  for (const v of parts) if (v.op === 'Pad') counts.set(axisOf(v), (counts.get(axisOf(v)) ?? 0) + 1);
  const axis = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? -1;
  const pads: PadPart[] = [];
  const others: Value[] = [];
  for (const v of parts) {
    if (v.op === 'Pad' && axisOf(v) === axis && typeof v.inputs[0]!.shape[axis] === 'number') {
      pads.push({ x: v.inputs[0]!, before: (v.attrs as { before: number }).before, size: v.inputs[0]!.shape[axis] as number });
    } else others.push(v);
  }
  pads.sort((a, b) => a.before - b.before);
  const disjoint = pads.every((p, k) => k === 0 || pads[k - 1]!.before + pads[k - 1]!.size <= p.before);
  if (pads.length < 2 || !disjoint) return parts.reduce((a, b) => g.add(a, b));
  const total = parts[0]!.shape[axis] as number;
  // Internal gaps padded onto the piece before them, the leading and trailing ones onto the whole.
  const pieces = pads.map((p, k) => {
    const next = k + 1 < pads.length ? pads[k + 1]!.before : p.before + p.size;
    return next > p.before + p.size ? g.pad(p.x, axis, 0, next - p.before - p.size) : p.x;
  });
  const last = pads[pads.length - 1]!;
  let joined = g.concat(pieces, axis);
  if (pads[0]!.before > 0 || last.before + last.size < total) joined = g.pad(joined, axis, pads[0]!.before, total - last.before - last.size);
  return others.length === 0 ? joined : g.add(others.reduce((a, b) => g.add(a, b)), joined);
}

/**
 * Adjoints of `wrt` for the output `y`. An intermediate value in `wrt` (e.g. edge vectors, for the
 * virial) gets the partial derivative of `y` with respect to that node, other paths held fixed;
 * leaves before it still receive the total derivative.
 */
export function gradient(g: Graph, y: Value, wrt: readonly Value[], options: GradOptions = {}): Value[] {
  if (!isFloat(y.dtype)) throw new Error(`grad: output '${y.name}' is ${y.dtype}, not float`);
  for (const w of wrt) if (!isFloat(w.dtype)) throw new Error(`grad: '${w.name}' is ${w.dtype}; only float values have gradients`);
  let seed = options.seed;
  if (seed) {
    if (seed.dtype !== y.dtype || !shapeEqual(seed.shape, y.shape)) {
      throw new Error(`grad: seed '${seed.name}' (${seed.dtype} ${formatShape(seed.shape)}) must match '${y.name}' (${y.dtype} ${formatShape(y.shape)})`);
    }
  } else {
    seed = g.expand(g.constant(1, [], y.dtype), y.shape);
  }
  const nodes = g.nodes;
  const start = Math.min(...wrt.map((w) => w.id));
  // Forward pass: which nodes depend differentiably on some wrt.
  const live = new Uint8Array(y.id + 1);
  for (const w of wrt) if (w.id <= y.id) live[w.id] = 1;
  for (let id = start + 1; id <= y.id; id++) {
    const n = nodes[id]!;
    if (!live[id] && !LEAF_OPS.has(n.op) && opDef(n.op).vjp && isFloat(n.dtype) && n.inputs.some((v) => live[v.id])) live[id] = 1;
  }
  const parts = new Map<number, Value[]>([[y.id, [seed]]]);
  const total = new Map<number, Value>();
  for (let id = y.id; id >= start; id--) {
    const list = parts.get(id);
    if (!live[id] || !list) continue;
    parts.delete(id);
    const n = nodes[id]!;
    const gy = inScopes(g, n.scope, () => accumulate(g, list));
    total.set(id, gy);
    if (LEAF_OPS.has(n.op) || id === start) continue;
    const rule = opDef(n.op).vjp!;
    const grads = inScopes(g, n.scope, () => rule(n, gy));
    n.inputs.forEach((x, k) => {
      const gx = grads[k];
      if (!gx || !live[x.id]) return;
      if (!shapeEqual(gx.shape, x.shape) || gx.dtype !== x.dtype) {
        throw new Error(`grad: internal error, VJP of ${n.name} gave ${gx.dtype} ${formatShape(gx.shape)} for '${x.name}' ${x.dtype} ${formatShape(x.shape)}`);
      }
      const acc = parts.get(x.id);
      if (acc) acc.push(gx);
      else parts.set(x.id, [gx]);
    });
  }
  return wrt.map((w) => total.get(w.id) ?? g.expand(g.constant(0, [], w.dtype), w.shape));
}
