/**
 * Equivariant linear maps (o3's `Linear` plan) as graph ops on channel-last features: every
 * path (i_in → i_out) is one matmul over the channel axis, [B, 2l+1, mul_in] @ [mul_in, mul_out],
 * scaled by the path weight. Path n's weight is `${prefix}.w${n}` [mul_in, mul_out] — e3nn's
 * layout, path by path — and the bias of scalar output term k is `${prefix}.b${k}` [mul_out]. A
 * layer is created once (its weights) and emits itself, so each parameter name is written once.
 */
import { Linear, type IrrepsLike } from '../o3/index.js';
import type { Graph } from '../onnx/index.js';
import { termSums, type Features } from './features.js';
import type { ParameterSet } from './parameters.js';

/** A Linear plan from `irrepsIn` to `irrepsOut` (e3nn's default paths), with optional biases on scalars. */
export function linearPlan(irrepsIn: IrrepsLike, irrepsOut: IrrepsLike, biases = false): Linear {
  return new Linear({ irrepsIn, irrepsOut, biases });
}

/** An equivariant linear map whose weights live in a parameter set under one prefix. */
export interface LinearLayer {
  readonly plan: Linear;
  /**
   * Applies the map to `x` (whose irreps must equal `plan.irrepsIn`); `inputScale` multiplies x
   * (it is folded into the weights, which costs nothing at run time).
   * @throws naming the prefix when the irreps differ
   */
  emit(g: Graph, x: Features, inputScale?: number): Features;
}

/**
 * Creates the weights (N(0,1)) and biases (zero) of `plan` under `prefix` and returns the layer.
 * @example const lin = linearLayer(params, 'layer0.linear_1', linearPlan('8x0e+8x1o', '8x0e+8x1o')); const y = lin.emit(g, x);
 */
export function linearLayer(params: ParameterSet, prefix: string, plan: Linear): LinearLayer {
  const weights = plan.instructions.map((ins, n) => params.create(`${prefix}.w${n}`, ins.pathShape));
  const biases = plan.biases.map((b) => params.create(`${prefix}.b${b.iOut}`, [b.numel], 'zeros'));
  return {
    plan,
    emit(g, x, inputScale = 1) {
      if (!x.irreps.equals(plan.irrepsIn)) throw new Error(`${prefix}: linear expects irreps ${plan.irrepsIn}, got ${x.irreps}`);
      const batch = x.terms[0]?.shape[0] ?? 'N';
      const sums = termSums(g, plan.irrepsOut, batch);
      plan.instructions.forEach((ins, n) => {
        const w = g.mul(params.weight(g, weights[n]!), ins.pathWeight * inputScale);
        sums.add(ins.iOut, g.matmul(x.terms[ins.iIn]!, w));
      });
      plan.biases.forEach((b, k) => {
        const bias = g.reshape(params.weight(g, biases[k]!), [1, 1, b.numel]);
        sums.add(b.iOut, sums.has(b.iOut) ? bias : g.expand(bias, [batch, 1, b.numel]));
      });
      return sums.features(prefix);
    },
  };
}
