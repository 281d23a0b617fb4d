/**
 * The graph builder. `createGraph({ dtype })` returns a graph whose methods add nodes: leaves
 * (inputs, weights, constants), ops (see ops/), named outputs, scopes that prefix node names, and
 * `grad`, which appends the reverse-mode gradient as more nodes. One builder makes float32 and
 * float64 models: plain numbers and constants take the graph's `dtype`.
 */
import type { DType, FloatDType } from './dtype.js';
import { checkDim, formatShape, type Shape } from './shape.js';
import type { Attrs, Operand, Value } from './ir.js';
import { opDef } from './registry.js';
import { sizeOf } from './tensor.js';
import { gradient, type GradOptions } from './autodiff.js';
import { elementwiseOps, type ElementwiseOps } from './ops/elementwise.js';
import { linalgOps, type LinalgOps } from './ops/linalg.js';
import { reduceOps, type ReduceOps } from './ops/reduce.js';
import { indexOps, type IndexOps } from './ops/indexing.js';
import { layoutOps, type LayoutOps } from './ops/layout.js';

/** Options of {@link createGraph}. */
export interface GraphOptions {
  /** Float type of the model: plain numbers, constants and weights take it. */
  dtype: FloatDType;
  /** Graph name written to ONNX (default `'e3md'`). */
  name?: string;
}

/** Leaf creation, scoping, outputs and autodiff; the ops are in {@link Graph}. */
export interface GraphCore {
  readonly dtype: FloatDType;
  readonly name: string;
  /** All nodes, in creation (= topological) order. */
  readonly nodes: readonly Value[];
  /** Named outputs, in the order they were declared. */
  readonly outputs: ReadonlyMap<string, Value>;
  /**
   * A named graph input.
   * @example const pos = g.input('pos', ['N', 3]);   // float positions, N symbolic
   * @example const edges = g.input('edge_index', [2, 'E'], 'int64');
   */
  input(name: string, shape: Shape, dtype?: DType): Value;
  /**
   * A named trainable tensor: an initializer in a deployed model, or a graph input when the model
   * is written with `weights: 'inputs'` (training feeds updated values every step).
   * @example const w = g.weight('mlp.w0', Float64Array.from([...]), [3, 16]);
   */
  weight(name: string, data: ArrayLike<number>, shape: readonly number[]): Value;
  /** A constant (never trained, foldable). A number gives a scalar; an array needs `shape` unless 1-D. */
  constant(data: number | ArrayLike<number>, shape?: readonly number[], dtype?: DType): Value;
  /** A number as a scalar constant of `dtype` (default the graph dtype); a value passes through. */
  lift(x: Operand, dtype?: DType): Value;
  /** Runs `fn` with `name` appended to the scope path, so its nodes are named `…/name/Op_id`. */
  scope<T>(name: string, fn: () => T): T;
  /** Declares a named graph output. */
  output(name: string, value: Value): void;
  /**
   * Reverse-mode gradient of `y` (seeded with ones, or `options.seed`) with respect to each of `wrt`,
   * as new nodes; differentiable again. Values that do not depend on `wrt[i]` give zeros.
   * @example const [dEdPos] = g.grad(energy, [pos]); const forces = g.neg(dEdPos);
   */
  grad(y: Value, wrt: readonly Value[], options?: GradOptions): Value[];
  /**
   * Low-level: a node of op `op` (checked by the op's shape inference). `scope` overrides the
   * current scope path (passes use it to keep the names of the nodes they copy).
   */
  apply(op: string, inputs: readonly Value[], attrs?: Attrs, scope?: string): Value;
  /** The graph's inputs and weights, in creation order. */
  inputs(): Value[];
  weights(): Value[];
}

/** A graph builder with every op. */
export type Graph = GraphCore & ElementwiseOps & LinalgOps & ReduceOps & IndexOps & LayoutOps;

/**
 * Flags (1 at `id`) for `roots` and every node they depend on. One downward sweep suffices
 * because a node's inputs always have smaller ids.
 */
export function reachable(nodes: readonly Value[], roots: Iterable<Value>): Uint8Array {
  const live = new Uint8Array(nodes.length);
  for (const v of roots) live[v.id] = 1;
  for (let id = nodes.length - 1; id >= 0; id--) if (live[id]) for (const x of nodes[id]!.inputs) live[x.id] = 1;
  return live;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.:\-/]*$/;
/** Generated node names end in `Op_<id>`: user names and scopes may not, so nothing collides. */
const GENERATED_RE = /(^|\/)[A-Z][A-Za-z]*_\d+$/;

/**
 * A new, empty graph.
 * @example
 * const g = createGraph({ dtype: 'float64' });
 * const x = g.input('x', ['N', 3]);
 * g.output('y', g.reduceSum(g.mul(x, x)));
 */
export function createGraph(options: GraphOptions): Graph {
  if (options.dtype !== 'float32' && options.dtype !== 'float64') throw new Error(`createGraph: dtype must be 'float32' or 'float64', got '${String(options.dtype)}'`);
  const nodes: Value[] = [];
  const outputs = new Map<string, Value>();
  const leafNames = new Set<string>();
  const scopes: string[] = [];
  let graph: Graph;

  const make = (op: string, inputs: readonly Value[], attrs: Attrs, dtype: DType, shape: Shape, data?: Float64Array, leafName?: string, scopePath?: string): Value => {
    const scope = scopePath ?? scopes.join('/');
    const id = nodes.length;
    const name = leafName ?? `${scope ? scope + '/' : ''}${op}_${id}`;
    const v: Value = Object.freeze({ id, op, inputs: Object.freeze([...inputs]), attrs: Object.freeze({ ...attrs }), dtype, shape: Object.freeze([...shape]), name, scope, data, graph });
    nodes.push(v);
    return v;
  };
  const claimName = (name: string, what: string): void => {
    if (!NAME_RE.test(name)) throw new Error(`${what}: name '${name}' must start with a letter or '_' and use only letters, digits, '_', '.', ':', '-', '/'`);
    if (GENERATED_RE.test(name)) throw new Error(`${what}: name '${name}' has the form of a generated node name (Op_<number>); choose another`);
    if (leafNames.has(name)) throw new Error(`${what}: name '${name}' is already used by another input or weight`);
    leafNames.add(name);
  };
  const own = (v: Value, what: string): void => {
    if (v.graph !== graph || nodes[v.id] !== v) throw new Error(`${what}: value '${v.name}' belongs to a different graph`);
  };

  const core: GraphCore = {
    dtype: options.dtype,
    name: options.name ?? 'e3md',
    nodes,
    outputs,
    input(name, shape, dtype = options.dtype) {
      claimName(name, 'input');
      const dims = shape.map((d) => checkDim(d, `input '${name}'`));
      return make('Input', [], { name }, dtype, dims, undefined, name);
    },
    weight(name, data, shape) {
      claimName(name, 'weight');
      const dims = shape.map((d) => checkDim(d, `weight '${name}'`) as number);
      const n = sizeOf(dims);
      if (data.length !== n) throw new Error(`weight '${name}': ${data.length} values do not fill shape ${formatShape(dims)}`);
      return make('Weight', [], { name }, options.dtype, dims, Float64Array.from(data), name);
    },
    constant(data, shape, dtype = options.dtype) {
      const values = typeof data === 'number' ? Float64Array.of(data) : Float64Array.from(data);
      const dims = shape ? [...shape] : typeof data === 'number' ? [] : [values.length];
      const n = sizeOf(dims);
      if (n !== values.length) throw new Error(`constant: ${values.length} values do not fill shape ${formatShape(dims)}`);
      if (dtype === 'int64' && values.some((x) => !Number.isInteger(x))) throw new Error('constant: int64 constant holds a non-integer');
      if (dtype === 'float32') for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i]!);
      return make('Constant', [], {}, dtype, dims, values);
    },
    lift(x, dtype) {
      if (typeof x === 'number') return core.constant(x, [], dtype ?? options.dtype);
      own(x, 'lift');
      return x;
    },
    scope(name, fn) {
      if (!/^[A-Za-z0-9_.\-]+$/.test(name)) throw new Error(`scope: name '${name}' must use only letters, digits, '_', '.', '-'`);
      if (GENERATED_RE.test(name)) throw new Error(`scope: name '${name}' has the form of a generated node name (Op_<number>); choose another`);
      scopes.push(name);
      try {
        return fn();
      } finally {
        scopes.pop();
      }
    },
    output(name, value) {
      own(value, `output '${name}'`);
      if (!NAME_RE.test(name) || GENERATED_RE.test(name)) throw new Error(`output: name '${name}' is not a valid tensor name, or has the form of a generated node name`);
      if (outputs.has(name)) throw new Error(`output: '${name}' is already declared`);
      if (leafNames.has(name)) throw new Error(`output: '${name}' is already the name of an input or weight`);
      outputs.set(name, value);
    },
    grad(y, wrt, gradOptions) {
      own(y, 'grad');
      wrt.forEach((w) => own(w, 'grad'));
      return core.scope('grad', () => gradient(graph, y, wrt, gradOptions));
    },
    apply(op, inputs, attrs = {}, scope) {
      const def = opDef(op);
      inputs.forEach((v) => own(v, op));
      const path = scope ?? scopes.join('/');
      const what = `${op} (node ${path ? path + '/' : ''}${op}_${nodes.length})`;
      const { dtype, shape } = def.infer(inputs, attrs, what);
      return make(op, inputs, attrs, dtype, shape, undefined, undefined, path);
    },
    inputs: () => nodes.filter((v) => v.op === 'Input'),
    weights: () => nodes.filter((v) => v.op === 'Weight'),
  };
  graph = Object.assign(core, elementwiseOps(core as Graph), linalgOps(core as Graph), reduceOps(core as Graph), indexOps(core as Graph), layoutOps(core as Graph)) as Graph;
  return graph;
}
