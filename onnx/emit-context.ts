/**
 * The interface op definitions use to lower themselves to ONNX nodes; implemented by the writer.
 */
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';

/** A typed ONNX attribute value (ONNX distinguishes INT from FLOAT, JavaScript does not). */
export type OnnxAttr =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; dtype: DType; dims: readonly number[]; value: readonly number[] };

/** Builder of ONNX nodes while one IR node is being lowered. */
export interface EmitContext {
  /**
   * Appends an ONNX node; returns its output name. `out` names the output (the IR node's own name
   * for the last step of a lowering); otherwise a unique name under the IR node's name is made.
   */
  node(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>, out?: string): string;
  /** Appends an ONNX node with `count` outputs; returns their names. */
  nodes(opType: string, inputs: readonly string[], count: number, attrs?: Readonly<Record<string, OnnxAttr>>): string[];
  /** The value `make()` emitted the first time `key` was asked for in this model (shared subgraphs). */
  memo(key: string, make: () => string): string;
  /** A 1-D int64 initializer (axes, pads, starts…), shared between identical uses. */
  int64(values: readonly number[]): string;
  /** A scalar initializer of `dtype`. */
  scalar(value: number, dtype: DType): string;
  /** A 1-D int64 tensor holding the runtime sizes of a shape; symbols are read from graph inputs with `Shape`. */
  dims(shape: Shape): string;
}
