/**
 * Reads back what e3md (or anyone) wrote into an ONNX file: metadata, interface, op census.
 * onnxruntime-node does not expose `metadata_props`, so the potential loader reads them here.
 */
import { readFile } from 'node:fs/promises';
import { type DType, ONNX_DTYPE_CODE } from './dtype.js';
import { modelProto } from './onnx-proto.js';
import type { Dim } from './shape.js';

/** A model input or output: name, element type (undefined if not one e3md knows) and dims. */
export interface TensorInfo {
  name: string;
  dtype: DType | undefined;
  shape: Dim[];
}

/** Summary of a ModelProto. */
export interface ModelInfo {
  irVersion: number;
  opset: number;
  producerName: string;
  metadata: Record<string, string>;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  initializers: string[];
  /** Node names in graph order (scope-prefixed by e3md). */
  nodeNames: string[];
  /** Node count per op type. */
  opCounts: Record<string, number>;
  nodeCount: number;
}

const CODE_TO_DTYPE = new Map(Object.entries(ONNX_DTYPE_CODE).map(([k, v]) => [v, k as DType]));

/** A ValueInfoProto (decoded, or as a plain object) as TensorInfo. */
function tensorInfo(vi: any): TensorInfo {
  return {
    name: vi.name,
    dtype: CODE_TO_DTYPE.get(vi.type?.tensor_type?.elem_type),
    shape: (vi.type?.tensor_type?.shape?.dim ?? []).map((d: any) => (d.dim_param ? d.dim_param : Number(d.dim_value ?? 0))),
  };
}

/**
 * Decodes model bytes into a {@link ModelInfo}.
 * @example readModelInfo(bytes).metadata['e3md.r_max']
 */
export function readModelInfo(bytes: Uint8Array): ModelInfo {
  const type = modelProto();
  const m = type.toObject(type.decode(bytes), { longs: Number, bytes: Array, defaults: true }) as Record<string, any>;
  const g = m.graph ?? {};
  const opCounts: Record<string, number> = {};
  for (const n of g.node ?? []) opCounts[n.op_type] = (opCounts[n.op_type] ?? 0) + 1;
  return {
    irVersion: Number(m.ir_version),
    opset: Number((m.opset_import ?? []).find((o: any) => !o.domain)?.version ?? 0),
    producerName: m.producer_name,
    metadata: Object.fromEntries((m.metadata_props ?? []).map((e: any) => [e.key, e.value])),
    inputs: (g.input ?? []).map(tensorInfo),
    outputs: (g.output ?? []).map(tensorInfo),
    initializers: (g.initializer ?? []).map((t: any) => t.name),
    nodeNames: (g.node ?? []).map((n: any) => n.name),
    opCounts,
    nodeCount: (g.node ?? []).length,
  };
}

/** The inputs and outputs of a model. */
export interface ModelInterface {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/**
 * The inputs and outputs of model bytes, without turning the weights into JS values (cheap for a
 * large model: what a session needs to know before it opens one).
 * @example readInterface(bytes).inputs.some((t) => t.dtype === 'float64')
 */
export function readInterface(bytes: Uint8Array): ModelInterface {
  const m = modelProto().decode(bytes) as unknown as { graph?: { input?: any[]; output?: any[] } };
  return { inputs: (m.graph?.input ?? []).map(tensorInfo), outputs: (m.graph?.output ?? []).map(tensorInfo) };
}

/** An initializer's values, widened to float64 (int64 values must be exact doubles). */
export interface InitializerValues {
  dtype: DType;
  dims: number[];
  data: Float64Array;
}

/**
 * The initializers (weights and constants) of model bytes, by name.
 * @example readInitializers(bytes).get('layer0_convnet.linear_1.w0')!.dims
 */
export function readInitializers(bytes: Uint8Array): Map<string, InitializerValues> {
  const type = modelProto();
  const m = type.decode(bytes) as unknown as { graph?: { initializer?: any[] } };
  const out = new Map<string, InitializerValues>();
  for (const t of m.graph?.initializer ?? []) {
    const dtype = CODE_TO_DTYPE.get(t.data_type);
    if (!dtype) throw new Error(`initializer '${t.name}': unsupported ONNX data type ${t.data_type}`);
    const dims = (t.dims ?? []).map(Number);
    const count = dims.reduce((p: number, q: number) => p * q, 1);
    const data = new Float64Array(count);
    const raw: Uint8Array | undefined = t.raw_data?.length ? t.raw_data : undefined;
    if (raw) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let k = 0; k < count; k++) {
        data[k] = dtype === 'float32' ? view.getFloat32(4 * k, true) : dtype === 'float64' ? view.getFloat64(8 * k, true) : dtype === 'int64' ? Number(view.getBigInt64(8 * k, true)) : view.getUint8(k);
      }
    } else {
      const values: ArrayLike<unknown> = dtype === 'float32' ? t.float_data : dtype === 'float64' ? t.double_data : t.int64_data ?? t.int32_data;
      for (let k = 0; k < count; k++) data[k] = Number(values[k]);
    }
    out.set(t.name, { dtype, dims, data });
  }
  return out;
}

/** {@link readModelInfo} of a file. */
export async function readModelInfoFile(path: string): Promise<ModelInfo> {
  return readModelInfo(await readFile(path));
}
