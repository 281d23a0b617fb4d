/**
 * Scalar activations as graph ops, keyed by the names of o3's `activations` (whose parity and
 * second-moment constants the gate and MLP plans use).
 */
import { activations, normalize2mom, type Activation } from '../o3/index.js';
import type { Graph, Value } from '../onnx/index.js';

/** Names a model option may give for an activation. */
export type ActivationName = keyof typeof activations;

/** The o3 activation called `name`. @throws listing the known names */
export function activationByName(name: string): Activation {
  const a = (activations as Record<string, Activation>)[name];
  if (!a) throw new Error(`unknown activation '${name}' (use ${Object.keys(activations).join(', ')})`);
  return a;
}

/**
 * f(x) as graph ops for an o3 activation (`factor` multiplies the result: the normalize2mom constant).
 * @example emitActivation(g, x, activations.silu, normalize2mom(activations.silu.fn))
 */
export function emitActivation(g: Graph, x: Value, act: Activation, factor = 1): Value {
  let y: Value;
  switch (act.name) {
    case 'silu': y = g.silu(x); break;
    case 'tanh': y = g.tanh(x); break;
    case 'sigmoid': y = g.sigmoid(x); break;
    case 'abs': y = g.abs(x); break;
    case 'identity': y = x; break;
    case 'ssp': {
      // softplus(x) − ln 2 in the overflow-free form max(x, 0) + log(1 + exp(−|x|)) − ln 2.
      const relu = g.mul(g.add(x, g.abs(x)), 0.5);
      y = g.add(g.add(relu, g.log(g.add(g.exp(g.neg(g.abs(x))), 1))), -Math.LN2);
      break;
    }
    default: throw new Error(`activation '${act.name}' has no graph form`);
  }
  if (factor === 1) return y;
  // A per-channel constant rather than a scalar: onnxruntime's MatMulScaleFusion would fold a
  // scalar factor into a following MatMul as a float32 `alpha`, costing float64 models ~1e-8.
  const last = x.shape[x.shape.length - 1];
  return typeof last === 'number' && x.shape.length > 1 ? g.mul(y, g.constant(new Array<number>(last).fill(factor), [last])) : g.mul(y, factor);
}

const cache = new Map<string, number>();

/**
 * The second-moment constant of an activation (o3's `normalize2mom`), cached by name because the
 * quadrature costs ~2400 evaluations.
 * @example secondMomentFactor(activations.silu) // ≈ 1.679
 */
export function secondMomentFactor(act: Activation): number {
  let c = cache.get(act.name);
  if (c === undefined) cache.set(act.name, (c = normalize2mom(act.fn)));
  return c;
}
