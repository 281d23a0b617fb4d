/**
 * Scalar multilayer perceptrons as e3nn's `FullyConnectedNet` builds them (used for the radial
 * networks that produce per-edge tensor-product weights, and for Allegro's latent MLPs):
 * no biases, weights drawn N(0, 1) and divided by √fan_in in the forward pass, hidden
 * activations scaled to unit second moment. Layer k's weight is `${prefix}.w${k}` [h_k, h_{k+1}].
 */
import type { Graph, Value } from '../onnx/index.js';
import { activationByName, emitActivation, secondMomentFactor } from './activation-layer.js';
import type { ParameterSet } from './parameters.js';

/** Shape and nonlinearity of an MLP. */
export interface MlpSpec {
  /** Layer widths, input first, output last (≥ 2 entries). */
  readonly widths: readonly number[];
  /** Hidden activation name (default 'silu'); the last layer is linear. */
  readonly activation?: string;
  /** Second-moment factor of the hidden activation (default: the exact `normalize2mom`). */
  readonly factor?: number;
}

/** An MLP split before its last matmul: output = hidden @ last. */
export interface MlpParts {
  /** [B, widths.at(-2)] activations entering the last layer (the input itself for a one-layer MLP). */
  readonly hidden: Value;
  /** [widths.at(-2), widths.at(-1)] last weight with its normalization folded in. */
  readonly last: Value;
}

/** An MLP whose weights live in a parameter set under one prefix. */
export interface MlpLayer {
  readonly spec: MlpSpec;
  /** x [B, widths[0]] → [B, widths.at(-1)]. */
  emit(g: Graph, x: Value): Value;
  /**
   * The MLP up to its last layer, and that layer's scaled weight — for consumers that use the
   * output's columns in another order (the convolution repeats them per output row, which is
   * cheaper as columns of the weight than as a gather of the output).
   */
  emitParts(g: Graph, x: Value): MlpParts;
}

/**
 * Creates the weights of an MLP under `prefix` and returns the layer.
 * @throws on bad widths or an unknown activation
 * @example const radial = mlp(params, 'layer0.radial', { widths: [8, 64, 64, 96] }); const w = radial.emit(g, embedding);
 */
export function mlp(params: ParameterSet, prefix: string, spec: MlpSpec): MlpLayer {
  const w = spec.widths;
  if (w.length < 2 || w.some((h) => !Number.isInteger(h) || h < 1)) throw new Error(`${prefix}: MLP widths must be ≥ 2 positive integers, got [${w.join(', ')}]`);
  const act = activationByName(spec.activation ?? 'silu');
  const weights = w.slice(1).map((_, k) => params.create(`${prefix}.w${k}`, [w[k]!, w[k + 1]!]));
  const emitParts = (g: Graph, x: Value): MlpParts => {
    const factor = spec.factor ?? secondMomentFactor(act);
    let h = x;
    // The activation's second-moment constant is folded into the next layer's weight together
    // with 1/√fan_in: scaling an [in, out] weight is free (onnxruntime folds it at load time),
    // scaling activations is not.
    let carry = 1;
    const scaled = (k: number) => g.mul(params.weight(g, weights[k]!), carry / Math.sqrt(w[k]!));
    for (let k = 0; k + 2 < w.length; k++) {
      h = emitActivation(g, g.matmul(h, scaled(k)), act);
      carry = factor;
    }
    return { hidden: h, last: scaled(w.length - 2) };
  };
  return {
    spec,
    emitParts,
    emit(g, x) {
      const { hidden, last } = emitParts(g, x);
      return g.matmul(hidden, last);
    },
  };
}
