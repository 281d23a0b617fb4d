/**
 * A model's dataflow: which node makes and which nodes read each tensor, in graph order — enough
 * to estimate peak memory from tensor sizes (a tensor lives from its producer to its last
 * reader) — and a copy of the model that outputs every intermediate tensor, so their sizes can be
 * measured by running it once on a small input.
 */
import { modelProto } from './onnx-proto.js';

/** One node: the tensors it reads and writes. */
export interface DataflowNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** A model's nodes in graph order, its interface and the bytes of its weights. */
export interface Dataflow {
  readonly nodes: readonly DataflowNode[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Bytes of every initializer (weights, constants), resident for the session's life. */
  readonly initializerBytes: number;
}

const ELEMENT_BYTES: Readonly<Record<number, number>> = { 1: 4, 6: 4, 7: 8, 9: 1, 11: 8 };

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs messages are untyped */
function decode(bytes: Uint8Array): any {
  const type = modelProto();
  return type.decode(bytes);
}

/**
 * Reads a model's dataflow.
 * @example const flow = readDataflow(readFileSync('model.onnx')); flow.nodes.length
 */
export function readDataflow(bytes: Uint8Array): Dataflow {
  const g = decode(bytes).graph ?? {};
  const size = (t: any): number => {
    const count = (t.dims ?? []).reduce((a: number, d: unknown) => a * Number(d), 1);
    return count * (ELEMENT_BYTES[t.data_type] ?? 4);
  };
  const initializers = new Set<string>((g.initializer ?? []).map((t: any) => t.name));
  return {
    nodes: (g.node ?? []).map((n: any) => ({ op: n.op_type, inputs: [...(n.input ?? [])].filter((s: string) => s && !initializers.has(s)), outputs: [...(n.output ?? [])].filter(Boolean) })),
    inputs: (g.input ?? []).map((v: any) => v.name).filter((s: string) => !initializers.has(s)),
    outputs: (g.output ?? []).map((v: any) => v.name),
    initializerBytes: (g.initializer ?? []).reduce((a: number, t: any) => a + size(t), 0),
  };
}

/**
 * The model with every node output that is not already a graph output added as one (untyped:
 * onnxruntime infers the types), and the names added, in graph order.
 * @example const { bytes, names } = exposeIntermediates(modelBytes);
 */
export function exposeIntermediates(bytes: Uint8Array): { bytes: Uint8Array; names: string[] } {
  const type = modelProto();
  const m = decode(bytes);
  const g = m.graph;
  const have = new Set<string>((g.output ?? []).map((o: any) => o.name));
  const names: string[] = [];
  for (const n of g.node ?? []) {
    for (const o of n.output ?? []) {
      if (!o || have.has(o)) continue;
      have.add(o);
      names.push(o);
      g.output.push({ name: o });
    }
  }
  return { bytes: type.encode(m).finish(), names };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
