/**
 * The graph IR: a value is the single output of one node. Nodes are created in topological order
 * (inputs always have smaller ids), so passes and autodiff walk `nodes` by id without sorting.
 * Each op is described once by an {@link OpDef}: how its output shape is inferred, how the
 * reference interpreter evaluates it, its vector–Jacobian product built from graph ops (so
 * gradients are differentiable again), and how it is lowered to ONNX nodes.
 */
import type { DType } from './dtype.js';
import type { Dim, Shape } from './shape.js';
import type { Tensor } from './tensor.js';
import type { Graph } from './graph.js';
import type { EmitContext } from './emit-context.js';

/** Op attributes: plain JSON-like data (numbers, strings, arrays), compared by value in CSE. */
export type Attrs = Readonly<Record<string, unknown>>;

/** A symbolic tensor: the output of one node of a {@link Graph}. Immutable. */
export interface Value {
  /** Position in the graph; inputs of a node always have smaller ids. */
  readonly id: number;
  /** Op name, e.g. `'Add'`, `'Gather'`, or a leaf: `'Input'`, `'Weight'`, `'Constant'`. */
  readonly op: string;
  readonly inputs: readonly Value[];
  readonly attrs: Attrs;
  readonly dtype: DType;
  readonly shape: Shape;
  /** Unique, scope-prefixed node name, e.g. `'interaction_0/MatMul_42'`; the ONNX tensor name. */
  readonly name: string;
  /** Scope path active when the node was made (`''` at top level). */
  readonly scope: string;
  /** Values of a `Constant` or `Weight` leaf, row-major. */
  readonly data?: Float64Array;
  readonly graph: Graph;
}

/** Either a value or a plain number, lifted to a scalar constant of the other operand's dtype. */
export type Operand = Value | number;

/** What the builder needs to know about an op's result. */
export interface Inferred {
  dtype: DType;
  shape: Dim[];
}

/** Everything about one op kind. */
export interface OpDef {
  /** Result type and shape; throws with `what` (the node's name) on bad inputs. */
  infer(inputs: readonly Value[], attrs: Attrs, what: string): Inferred;
  /** Reference evaluation over float64 storage; `symbols` binds symbolic dims to sizes. */
  evaluate(inputs: readonly Tensor[], node: Value, symbols: ReadonlyMap<string, number>): Tensor;
  /**
   * Vector–Jacobian product: given the adjoint `gy` of the node's output, the adjoints of its
   * inputs (undefined where no gradient flows, e.g. indices). Built from graph ops only.
   */
  vjp?(node: Value, gy: Value): (Value | undefined)[];
  /** Appends ONNX nodes computing this node; returns the name of the tensor holding its value. */
  emit(ctx: EmitContext, node: Value, inputs: readonly string[]): string;
}
