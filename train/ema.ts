/**
 * Exponential moving average of the weights (Polyak averaging, as nequip's `use_ema` through
 * torch_ema): after every optimizer step each shadow weight moves a fraction 1 − d of the way
 * towards the current weight,
 *
 *   θ̄ ← θ̄ − (1 − d) (θ̄ − θ),   d = min(decay, (1 + t) / (10 + t)) with use_num_updates, else decay,
 *
 * where t counts the updates so far (the warm-up keeps the early average from clinging to the random
 * initial weights). The average smooths the step-to-step noise of Adam at a finite learning rate, so
 * it is what is validated, kept as the best model and exported. Shadow weights are float64 whatever
 * the graph's dtype; the state is plain arrays, saved bit for bit in checkpoints.
 */

/** Settings of the average (nequip: `ema_decay`, `ema_use_num_updates`). */
export interface EmaOptions {
  /** Decay d in (0, 1); the average spans about 1 / (1 − d) steps. */
  readonly decay: number;
  /** Warm up with d = min(decay, (1 + t) / (10 + t)). */
  readonly useNumUpdates: boolean;
}

/** Serializable state: the update count and the shadow weights by name. */
export interface EmaState {
  /** Updates taken so far, t. */
  updates: number;
  readonly shadow: Record<string, Float64Array>;
}

/** A moving average over fixed parameter arrays. */
export interface Ema {
  readonly state: EmaState;
  /** The averaged weights by name (the arrays of `state.shadow`, updated in place). */
  readonly shadow: Readonly<Record<string, Float64Array>>;
  /**
   * One update of every shadow weight towards `params` (call after each optimizer step).
   * @throws when a parameter is missing or has another length than its shadow
   */
  update(params: Readonly<Record<string, Float64Array>>): void;
}

/**
 * An average of `params`, starting from copies of their current values or from a saved `state`.
 * @example
 * const ema = createEma(params, { decay: 0.99, useNumUpdates: true });
 * adam.update(params, grads, lr); ema.update(params);
 * evaluate(ema.shadow);
 */
export function createEma(params: Readonly<Record<string, Float64Array>>, options: EmaOptions, state?: EmaState): Ema {
  if (!(options.decay > 0 && options.decay < 1)) throw new Error(`ema: decay must be in (0, 1), got ${options.decay}`);
  const s: EmaState = state ?? { updates: 0, shadow: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v)])) };
  for (const [name, p] of Object.entries(params)) {
    const sh = s.shadow[name];
    if (!sh || sh.length !== p.length) throw new Error(`ema: saved average of '${name}' ${sh ? `has ${sh.length} values, the parameter has ${p.length}` : 'is missing'}`);
  }
  return {
    state: s,
    shadow: s.shadow,
    update(ps) {
      s.updates++;
      const d = options.useNumUpdates ? Math.min(options.decay, (1 + s.updates) / (10 + s.updates)) : options.decay;
      const step = 1 - d;
      for (const [name, p] of Object.entries(ps)) {
        const sh = s.shadow[name];
        if (!sh || sh.length !== p.length) throw new Error(`ema: parameter '${name}' ${sh ? `has ${p.length} values, its average ${sh.length}` : 'has no average'}`);
        for (let k = 0; k < p.length; k++) sh[k] = sh[k]! - step * (sh[k]! - p[k]!);
      }
    },
  };
}
