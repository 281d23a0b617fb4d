/**
 * Dense tensors of the reference interpreter. Every dtype is held as float64 numbers (int64 indices
 * and bool masks are exact there), so one set of loops serves all ops; precision-sensitive float32
 * behaviour is ONNX Runtime's business, and tests compare the two with dtype-aware tolerances.
 */
import type { DType } from './dtype.js';

/** A row-major dense tensor: `data.length` is the product of `shape`. */
export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Number of elements of a numeric shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a numeric shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** A tensor from parts, checking that the element count matches the shape. */
export function tensor(dtype: DType, shape: readonly number[], data: Float64Array): Tensor {
  if (data.length !== sizeOf(shape)) throw new Error(`tensor: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  return { dtype, shape, data };
}

/**
 * Strides of `shape` as seen from a broadcast `outShape` (right-aligned; size-1 axes get stride 0),
 * so `offset = Σ index[ax] · s[ax]` reads the broadcast element.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, ax) => (ax < off || shape[ax - off] === 1 ? 0 : own[ax - off]!));
}

/**
 * Visits every element of `outShape` in row-major order, passing the offsets into each operand
 * (through `strides`, one array per operand). Used by the interpreter's broadcasting ops.
 */
export function forEachBroadcast(outShape: readonly number[], strides: readonly number[][], visit: (out: number, offsets: number[]) => void): void {
  const n = sizeOf(outShape);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  const offs = new Array<number>(strides.length).fill(0);
  for (let o = 0; o < n; o++) {
    visit(o, offs);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      for (let k = 0; k < strides.length; k++) offs[k]! += strides[k]![ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      for (let k = 0; k < strides.length; k++) offs[k]! -= strides[k]![ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
}
