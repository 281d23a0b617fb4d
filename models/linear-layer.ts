/**
 * Equivariant linear maps (o3's `Linear` plan) as graph ops on channel-last features: every
 * path (i_in → i_out) is one matmul over the channel axis, [B, 2l+1, mul_in] @ [mul_in, mul_out],
 * scaled by the path weight. Path n's weight is `${prefix}.w${n}` [mul_in, mul_out] — e3nn's
 * layout, path by path — and the bias of scalar output term k is `${prefix}.b${k}` [mul_out].
 */
import { Linear, type IrrepsLike } from '../o3/index.js';
import type { Graph } from '../onnx/index.js';
import { termSums, type Features } from './features.js';
import type { ParameterSet } from './parameters.js';

/** Creates the weights (N(0,1)) and biases (zero) of `lin` under `prefix`. */
export function createLinear(params: ParameterSet, prefix: string, lin: Linear): void {
  lin.instructions.forEach((ins, n) => params.create(`${prefix}.w${n}`, ins.pathShape));
  for (const b of lin.biases) params.create(`${prefix}.b${b.iOut}`, [b.numel], 'zeros');
}

/** A Linear plan from `irrepsIn` to `irrepsOut` (e3nn's default paths), with optional biases on scalars. */
export function linearPlan(irrepsIn: IrrepsLike, irrepsOut: IrrepsLike, biases = false): Linear {
  return new Linear({ irrepsIn, irrepsOut, biases });
}

/**
 * Applies `lin` to `x` (whose irreps must equal `lin.irrepsIn`); `inputScale` multiplies x (it is
 * folded into the weights, which costs nothing at run time).
 * @throws naming `prefix` when the irreps differ
 * @example const y = emitLinear(g, params, 'layer0.linear_1', lin, x);
 */
export function emitLinear(g: Graph, params: ParameterSet, prefix: string, lin: Linear, x: Features, inputScale = 1): Features {
  if (!x.irreps.equals(lin.irrepsIn)) throw new Error(`${prefix}: linear expects irreps ${lin.irrepsIn}, got ${x.irreps}`);
  const batch = x.terms[0]?.shape[0] ?? 'N';
  const sums = termSums(g, lin.irrepsOut, batch);
  lin.instructions.forEach((ins, n) => {
    const w = g.mul(params.weight(g, `${prefix}.w${n}`), ins.pathWeight * inputScale);
    sums.add(ins.iOut, g.matmul(x.terms[ins.iIn]!, w));
  });
  for (const b of lin.biases) {
    const bias = g.reshape(params.weight(g, `${prefix}.b${b.iOut}`), [1, 1, b.numel]);
    sums.add(b.iOut, sums.has(b.iOut) ? bias : g.expand(bias, [batch, 1, b.numel]));
  }
  return sums.features(prefix);
}
