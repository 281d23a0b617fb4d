/**
 * Adam (Kingma & Ba, ICLR 2015, Algorithm 1) over named float64 parameter arrays, updated in
 * place. Moments are float64 whatever the model's dtype, so a float32 training graph still
 * accumulates small updates exactly; the state is plain arrays, saved bit-for-bit in checkpoints.
 */

/** Adam's hyper-parameters (the paper's names). */
export interface AdamOptions {
  /** Decay of the first moment (default 0.9). */
  readonly beta1?: number;
  /** Decay of the second moment (default 0.999). */
  readonly beta2?: number;
  /** Denominator guard ε (default 1e-8). */
  readonly eps?: number;
}

/** Serializable optimizer state: step count and moments per parameter name. */
export interface AdamState {
  /** Updates taken so far, t. */
  step: number;
  /** First and second moments, same lengths as the parameters. */
  readonly m: Record<string, Float64Array>;
  readonly v: Record<string, Float64Array>;
}

/** An Adam optimizer over fixed parameter arrays. */
export interface Adam {
  readonly state: AdamState;
  /**
   * One update θ ← θ − lr · m̂ / (√v̂ + ε) for every parameter, from gradients by name.
   * @throws when a gradient is missing or has the wrong length
   */
  update(params: Readonly<Record<string, Float64Array>>, grads: Readonly<Record<string, ArrayLike<number>>>, lr: number): void;
}

/**
 * An optimizer for `params`, starting fresh or from a saved `state`.
 * @example
 * const opt = createAdam({ w: weights }, {});
 * opt.update({ w: weights }, { w: gradient }, 1e-3);
 */
export function createAdam(params: Readonly<Record<string, Float64Array>>, options: AdamOptions = {}, state?: AdamState): Adam {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const s: AdamState = state ?? { step: 0, m: {}, v: {} };
  for (const [name, p] of Object.entries(params)) {
    if (!s.m[name]) s.m[name] = new Float64Array(p.length);
    if (!s.v[name]) s.v[name] = new Float64Array(p.length);
    if (s.m[name]!.length !== p.length || s.v[name]!.length !== p.length) throw new Error(`adam: saved moments of '${name}' have ${s.m[name]!.length} values, the parameter has ${p.length}`);
  }
  return {
    state: s,
    update(ps, grads, lr) {
      s.step++;
      const c1 = 1 / (1 - b1 ** s.step);
      const c2 = 1 / (1 - b2 ** s.step);
      for (const [name, p] of Object.entries(ps)) {
        const g = grads[name];
        if (!g || g.length !== p.length) throw new Error(`adam: gradient of '${name}' ${g ? `has ${g.length} values, expected ${p.length}` : 'is missing'}`);
        const m = s.m[name]!, v = s.v[name]!;
        for (let k = 0; k < p.length; k++) {
          const gk = g[k]!;
          const mk = b1 * m[k]! + (1 - b1) * gk;
          const vk = b2 * v[k]! + (1 - b2) * gk * gk;
          m[k] = mk;
          v[k] = vk;
          p[k] = p[k]! - (lr * (mk * c1)) / (Math.sqrt(vk * c2) + eps);
        }
      }
    },
  };
}
