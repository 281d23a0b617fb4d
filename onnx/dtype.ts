/**
 * Element types of graph values and their ONNX and JavaScript counterparts. Floats carry model
 * arithmetic; int64 carries indices (`atom_types`, `edge_index`); bool carries masks for `where`.
 */

/** Element type of a graph value. */
export type DType = 'float32' | 'float64' | 'int64' | 'bool';

/** The floating-point subset: a model is built in one of these (DESIGN.md §5, `e3md.dtype`). */
export type FloatDType = 'float32' | 'float64';

/** JavaScript storage of each dtype, as onnxruntime-node expects it. */
export interface TypedArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

/** Any typed array a feed or result may be stored in. */
export type AnyTypedArray = TypedArrayOf[DType];

/** `TensorProto.DataType` codes from onnx.proto. */
export const ONNX_DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 1, int64: 7, bool: 9, float64: 11 };

/** Whether a dtype is a floating-point type (the only ones gradients flow through). */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** Bytes per element in ONNX raw_data encoding. */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float64' || dtype === 'int64' ? 8 : dtype === 'float32' ? 4 : 1;
}

/** The dtype of a typed array, or an error naming `what` for unsupported storage. */
export function dtypeOfArray(data: ArrayBufferView, what: string): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'bool';
  throw new Error(`${what}: unsupported array type ${data.constructor.name} (use Float32Array, Float64Array, BigInt64Array or Uint8Array)`);
}

/** A fresh zeroed typed array of `length` elements for `dtype`. */
export function allocate<D extends DType>(dtype: D, length: number): TypedArrayOf[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(length) as TypedArrayOf[D];
    case 'float64': return new Float64Array(length) as TypedArrayOf[D];
    case 'int64': return new BigInt64Array(length) as TypedArrayOf[D];
    default: return new Uint8Array(length) as TypedArrayOf[D];
  }
}

/** Copies numbers into typed storage of `dtype` (int64 values are truncated toward zero). */
export function fromNumbers(dtype: DType, values: ArrayLike<number>): AnyTypedArray {
  const out = allocate(dtype, values.length);
  if (out instanceof BigInt64Array) for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.trunc(values[i]!));
  else if (out instanceof Uint8Array) for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  else out.set(values);
  return out;
}

/** Reads any typed storage as float64 numbers (int64 beyond 2^53 loses precision, never expected for indices). */
export function toFloat64(data: AnyTypedArray): Float64Array {
  if (data instanceof Float64Array) return data;
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
  else out.set(data);
  return out;
}
