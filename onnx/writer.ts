/**
 * Lowers a graph to an ONNX ModelProto (opset 17, IR version 8) and encodes it with protobufjs.
 * Symbolic dims stay symbolic (`dim_param`); where an op needs a run-time size (Expand,
 * ConstantOfShape) it is read from the graph input that declares that symbol. Weights become
 * initializers for deployment, or graph inputs for training (fed afresh each step).
 */
import { writeFile } from 'node:fs/promises';
import { bytesPerElement, type DType, fromNumbers, ONNX_DTYPE_CODE } from './dtype.js';
import type { EmitContext, OnnxAttr } from './emit-context.js';
import { reachable, type Graph } from './graph.js';
import type { Value } from './ir.js';
import { IR_VERSION, modelProto, OPSET } from './onnx-proto.js';
import { optimize, type OptimizeOptions } from './optimize.js';
import { LEAF_OPS, opDef } from './registry.js';
import { dimFactors, isSymbol, type Shape } from './shape.js';

/** Options of {@link writeModel}. */
export interface WriteOptions {
  /** `'initializers'` (default, deployed models) or `'inputs'` (training graphs fed new weights each step). */
  weights?: 'initializers' | 'inputs';
  /** `metadata_props` entries, e.g. `{ 'e3md.r_max': '5.0' }`. */
  metadata?: Readonly<Record<string, string>>;
  /** Run {@link optimize} first (default true), or its options. */
  optimize?: boolean | OptimizeOptions;
  /**
   * Values replacing stored weights, by name (e.g. a trainer deploying its latest weights without
   * rebuilding the graph); each must exist and have the weight's size.
   */
  weightValues?: Readonly<Record<string, ArrayLike<number>>>;
  producerVersion?: string;
  docString?: string;
}

interface TensorMsg {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

function tensorMsg(name: string, dtype: DType, dims: readonly number[], values: ArrayLike<number>): TensorMsg {
  const arr = fromNumbers(dtype, values);
  const raw = new Uint8Array(arr.buffer, arr.byteOffset, arr.length * bytesPerElement(dtype));
  return { name, dims: [...dims], data_type: ONNX_DTYPE_CODE[dtype], raw_data: raw };
}

function valueInfo(name: string, dtype: DType, shape: Shape) {
  const dim = shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: ONNX_DTYPE_CODE[dtype], shape: { dim } } } };
}

function attrMsg(name: string, a: OnnxAttr) {
  switch (a.kind) {
    case 'int': return { name, type: 2, i: a.value };
    case 'ints': return { name, type: 7, ints: [...a.value] };
    case 'float': return { name, type: 1, f: a.value };
    case 'string': return { name, type: 3, s: new TextEncoder().encode(a.value) };
    case 'tensor': return { name, type: 4, t: tensorMsg('', a.dtype, a.dims, a.value) };
  }
}

/**
 * The ModelProto of a graph as a plain object (before encoding); see {@link writeModel}.
 */
export function buildModel(graph: Graph, options: WriteOptions = {}): Record<string, unknown> {
  const g = options.optimize === false ? graph : optimize(graph, typeof options.optimize === 'object' ? options.optimize : {});
  if (g.outputs.size === 0) throw new Error('writeModel: the graph has no outputs (call graph.output(name, value))');
  const weightsAsInputs = options.weights === 'inputs';
  const weightNames = new Set(g.weights().map((w) => w.name));
  for (const name of Object.keys(options.weightValues ?? {})) {
    if (!weightNames.has(name)) throw new Error(`writeModel: weightValues names '${name}', which is not a weight of the graph`);
    if (weightsAsInputs) throw new Error(`writeModel: weightValues cannot be used with weights: 'inputs' (feed them instead)`);
  }
  const nodes: Record<string, unknown>[] = [];
  const initializers: TensorMsg[] = [];
  const inputs: ReturnType<typeof valueInfo>[] = [];
  const names: string[] = new Array(g.nodes.length);
  const used = new Set<string>([...g.nodes.map((v) => v.name), ...g.outputs.keys()]);
  /** `base`, or `base_k` when a user name already took it. */
  const unique = (base: string): string => {
    let n = base;
    for (let k = 1; used.has(n); k++) n = `${base}_${k}`;
    used.add(n);
    return n;
  };
  const shared = new Map<string, string>();
  let current = 'e3md';
  let counter = 0;
  const fresh = (hint: string): string => {
    let n: string;
    do n = `${current}/${hint}_${counter++}`; while (used.has(n));
    used.add(n);
    return n;
  };
  // Where each plain symbol can be read at run time: the first graph input having it as a dim.
  const symbolSource = new Map<string, { input: string; axis: number }>();
  for (const v of g.nodes) {
    if (v.op !== 'Input') continue;
    v.shape.forEach((d, axis) => { if (isSymbol(d) && !symbolSource.has(d)) symbolSource.set(d, { input: v.name, axis }); });
  }
  const ctx: EmitContext = {
    node(opType, ins, attrs = {}, out) {
      const o = out ?? fresh(opType);
      used.add(o);
      nodes.push({ input: [...ins], output: [o], name: o, op_type: opType, attribute: Object.entries(attrs).map(([k, a]) => attrMsg(k, a)) });
      return o;
    },
    nodes(opType, ins, count, attrs = {}) {
      const outs = Array.from({ length: count }, (_, k) => fresh(`${opType}_out${k}`));
      nodes.push({ input: [...ins], output: outs, name: outs[0], op_type: opType, attribute: Object.entries(attrs).map(([k, a]) => attrMsg(k, a)) });
      return outs;
    },
    memo(key, make) {
      const k = `memo|${key}`;
      let n = shared.get(k);
      if (n === undefined) {
        n = make();
        shared.set(k, n);
      }
      return n;
    },
    int64(values) {
      const key = `i64|${values.join(',')}`;
      let n = shared.get(key);
      if (!n) {
        n = unique(`const_i64_${shared.size}`);
        shared.set(key, n);
        initializers.push(tensorMsg(n, 'int64', [values.length], values));
      }
      return n;
    },
    scalar(value, dtype) {
      const key = `s|${dtype}|${value}`;
      let n = shared.get(key);
      if (!n) {
        n = unique(`const_${dtype}_${shared.size}`);
        shared.set(key, n);
        initializers.push(tensorMsg(n, dtype, [], [value]));
      }
      return n;
    },
    dims(shape) {
      if (shape.every((d) => typeof d === 'number')) return ctx.int64(shape as number[]);
      const key = `dims|${shape.join(',')}`;
      const hit = shared.get(key);
      if (hit) return hit;
      const parts = shape.map((d) => {
        if (typeof d === 'number') return ctx.int64([d]);
        const { k, syms } = dimFactors(d);
        let acc: string | undefined;
        for (const p of syms) {
          const src = symbolSource.get(p);
          if (!src) throw new Error(`writeModel: symbolic dimension '${p}' (in '${d}') is not a dimension of any graph input, so its size cannot be read at run time`);
          const skey = `sym|${p}`;
          let s = shared.get(skey);
          if (!s) {
            s = ctx.node('Shape', [src.input], { start: { kind: 'int', value: src.axis }, end: { kind: 'int', value: src.axis + 1 } }, unique(`shape_of_${p}`));
            shared.set(skey, s);
          }
          acc = acc ? ctx.node('Mul', [acc, s]) : s;
        }
        return k === 1 ? acc! : ctx.node('Mul', [acc!, ctx.int64([k])]);
      });
      const n = parts.length === 1 ? parts[0]! : ctx.node('Concat', parts, { axis: { kind: 'int', value: 0 } });
      shared.set(key, n);
      return n;
    },
  };
  // Only what the outputs need (passes may orphan constants); inputs and weights are the interface.
  const live = reachable(g.nodes, g.outputs.values());
  for (const v of g.nodes) {
    if (!live[v.id] && v.op !== 'Input' && v.op !== 'Weight') continue;
    if (v.op === 'Input' || (v.op === 'Weight' && weightsAsInputs)) {
      inputs.push(valueInfo(v.name, v.dtype, v.shape));
      names[v.id] = v.name;
    } else if (LEAF_OPS.has(v.op)) {
      const data = v.op === 'Weight' ? (options.weightValues?.[v.name] ?? v.data!) : v.data!;
      if (data.length !== v.data!.length) throw new Error(`writeModel: weightValues['${v.name}'] has ${data.length} values, the weight has ${v.data!.length}`);
      initializers.push(tensorMsg(v.name, v.dtype, v.shape as number[], data));
      names[v.id] = v.name;
    } else {
      current = v.name;
      names[v.id] = opDef(v.op).emit(ctx, v, v.inputs.map((x) => names[x.id]!));
    }
  }
  const outputs = [...g.outputs].map(([name, v]: [string, Value]) => {
    nodes.push({ input: [names[v.id]!], output: [name], name: `output/${name}`, op_type: 'Identity', attribute: [] });
    return valueInfo(name, v.dtype, v.shape);
  });
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'e3md',
    producer_version: options.producerVersion ?? '0.1.0',
    doc_string: options.docString ?? '',
    graph: { name: g.name, node: nodes, initializer: initializers, input: inputs, output: outputs },
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/**
 * Serialized ONNX model bytes of `graph` (its declared outputs), optimized first.
 * @example
 * const bytes = writeModel(g, { metadata: { 'e3md.r_max': '5' } });
 * const session = await createSession(bytes);
 */
export function writeModel(graph: Graph, options: WriteOptions = {}): Uint8Array {
  const type = modelProto();
  const msg = type.fromObject(buildModel(graph, options));
  return type.encode(msg).finish();
}

/** {@link writeModel} to a file. */
export async function saveModel(graph: Graph, path: string, options: WriteOptions = {}): Promise<void> {
  await writeFile(path, writeModel(graph, options));
}
