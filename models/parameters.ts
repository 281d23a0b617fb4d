/**
 * The trainable numbers of a model, by name, in float64. A model definition owns one
 * `ParameterSet`; its graph emitters turn each parameter into a named graph weight
 * (`g.weight(name, …)`), and reference evaluations read the same arrays, so the ONNX file and a
 * direct TypeScript evaluation always see identical weights.
 *
 * Initialization follows e3nn: every weight is drawn N(0, 1) and the fan-in normalization lives
 * in the forward computation (path weights, 1/√fan_in), so the scale of the features does not
 * depend on how the weights were drawn.
 */
import { Rng } from '../engine/index.js';
import type { Graph, Value } from '../onnx/index.js';

/** One named tensor of trainable numbers. */
export interface Parameter {
  /** Dotted name, also the ONNX initializer name, e.g. `'interaction_0.conv.radial.w0'`. */
  readonly name: string;
  /** Row-major shape. */
  readonly shape: readonly number[];
  /** Values, float64 (the writer rounds to the model dtype). Mutable: training updates it in place. */
  readonly data: Float64Array;
}

/** How a new parameter is filled. */
export type ParameterInit = 'normal' | 'zeros' | 'ones' | { readonly constant: number } | { readonly values: ArrayLike<number> };

/** A named collection of parameters with a seeded initializer. */
export interface ParameterSet {
  /**
   * Creates a parameter. Draws come from a child stream named after the parameter, so adding a
   * block never changes the initial values of the others.
   * @throws when the name is taken or the shape does not match given values
   * @example const w = params.create('readout.w', [32, 1]);
   */
  create(name: string, shape: readonly number[], init?: ParameterInit): Parameter;
  /** The parameter `name`. @throws naming it when absent */
  get(name: string): Parameter;
  has(name: string): boolean;
  /** All parameters in creation order. */
  list(): readonly Parameter[];
  /** Total number of scalars. */
  count(): number;
  /**
   * The graph weight of a parameter of this set, given as the one `create` returned or by name
   * (created once per graph, then reused).
   * @example const w = params.create('readout.w', [32, 1]); … g.matmul(x, params.weight(g, w));
   */
  weight(g: Graph, parameter: Parameter | string): Value;
}

function hashName(name: string): number {
  // FNV-1a: a stable 32-bit stream index per name.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A parameter set whose random draws derive from `seed`.
 * @example
 * const params = createParameterSet(7);
 * params.create('embed.w', [2, 32]).data.length === 64;
 */
export function createParameterSet(seed: number): ParameterSet {
  const root = new Rng(seed);
  const byName = new Map<string, Parameter>();
  const order: Parameter[] = [];
  const perGraph = new WeakMap<Graph, Map<string, Value>>();

  const set: ParameterSet = {
    create(name, shape, init = 'normal') {
      if (byName.has(name)) throw new Error(`parameters: '${name}' is already defined`);
      for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new Error(`parameters: '${name}' has a bad shape [${shape.join(', ')}]`);
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float64Array(n);
      if (init === 'normal') root.split(hashName(name)).fillNormal(data);
      else if (init === 'ones') data.fill(1);
      else if (init === 'zeros') data.fill(0);
      else if ('constant' in init) data.fill(init.constant);
      else {
        if (init.values.length !== n) throw new Error(`parameters: '${name}' got ${init.values.length} values for shape [${shape.join(', ')}]`);
        data.set(init.values);
      }
      const p: Parameter = Object.freeze({ name, shape: Object.freeze([...shape]), data });
      byName.set(name, p);
      order.push(p);
      return p;
    },
    get(name) {
      const p = byName.get(name);
      if (!p) throw new Error(`parameters: no parameter '${name}'`);
      return p;
    },
    has: (name) => byName.has(name),
    list: () => order,
    count: () => order.reduce((s, p) => s + p.data.length, 0),
    weight(g, parameter) {
      const name = typeof parameter === 'string' ? parameter : parameter.name;
      if (typeof parameter !== 'string' && byName.get(name) !== parameter) throw new Error(`parameters: '${name}' is not a parameter of this set`);
      let cache = perGraph.get(g);
      if (!cache) perGraph.set(g, (cache = new Map()));
      let v = cache.get(name);
      if (!v) {
        const p = set.get(name);
        v = g.weight(name, p.data, p.shape);
        cache.set(name, v);
      }
      return v;
    },
  };
  return set;
}
