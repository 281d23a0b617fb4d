/**
 * A model session over onnxruntime-node: opened on the first provider of the requested device
 * that starts (onnx/providers.ts), with the graph optimization level chosen from the model's
 * declared types before it is opened (once), and a `run` that checks feeds by name, dtype and
 * fixed sizes.
 *
 * Per call, `run` reuses what it made before: the feed tensors while the caller passes the same
 * arrays with the same dims (positions updated in place), the output buffers while their sizes
 * stay the same, and the records it hands to onnxruntime and back to the caller. No buffer is
 * allocated per call. What is left are small JS objects: onnxruntime-node's own bookkeeping
 * (its result wrappers and promises, ≈ 3 KB per call of a model with 5 inputs and 3 outputs) and
 * ≈ 1 KB of this wrapper's (its promise, a feed tensor when an edge count changes); measured by
 * bench/onnx-allocation.ts.
 */
import { readFile } from 'node:fs/promises';
import type * as ort from 'onnxruntime-node';
import { onnxRuntime } from './ort.js';
import { allocate, type AnyTypedArray, type DType, dtypeOfArray } from './dtype.js';
import { openOnFirstProvider, providerOption, type Candidate, type Device, type Provider } from './providers.js';
import { readInterface } from './reader.js';
import { dimFactors } from './shape.js';
import { sizeOf } from './tensor.js';

/** A named input: typed array and dims (row-major). */
export interface RunFeed {
  data: AnyTypedArray;
  dims: readonly number[];
}

/** A result: typed array (float32/float64/int64/bool storage) and dims. */
export interface RunResult {
  data: AnyTypedArray;
  dims: readonly number[];
}

/** onnxruntime's graph optimization levels. */
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** Default `'auto'`. */
  device?: Device | string;
  /** Intra-op threads for the CPU provider (default: onnxruntime's choice). */
  intraOpThreads?: number;
  /**
   * onnxruntime's CPU memory arena (default true). The arena keeps every block it ever allocated
   * and extends itself in doubling steps: a session fed inputs of many different sizes (chunked
   * evaluation) grows far past any one call's need. Without it, memory goes back after each call.
   */
  memoryArena?: boolean;
  /** Receives fallback messages (default: `console.warn`). */
  log?: (message: string) => void;
  /** onnxruntime's graph optimization level (default: {@link defaultOptimizationLevel} of the model). */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

/** An inference session over one model. */
export interface ModelSession {
  /** The provider the session runs on. */
  readonly provider: Provider;
  /** Device index for CUDA (0 otherwise). */
  readonly deviceId: number;
  /** Why the requested provider was not used, when the session fell back to CPU. */
  readonly fallback: string | undefined;
  /** The graph optimization level it was opened with. */
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model. The returned record, its entries and the buffers of outputs with
   * input-determined sizes are reused by the next call with the same `outputs` array and sizes:
   * copy what must outlive that call.
   * @example const { forces } = await s.run({ pos: { data: xyz, dims: [n, 3] }, ... });
   */
  run(feeds: Readonly<Record<string, RunFeed>>, outputs?: readonly string[]): Promise<Readonly<Record<string, RunResult>>>;
  release(): Promise<void>;
}

/**
 * The optimization level a model gets by default: `'basic'` when an input or output is float64,
 * `'all'` otherwise. onnxruntime's extended fusions (e.g. MatMulScaleFusion into FusedMatMul)
 * store scale factors as float32 `alpha` attributes and would cost a float64 model its precision
 * (1e-8 relative instead of 1e-16).
 * @example defaultOptimizationLevel(writeModel(createGraph({ dtype: 'float64' }))) // 'basic'
 */
export function defaultOptimizationLevel(bytes: Uint8Array): GraphOptimizationLevel {
  const { inputs, outputs } = readInterface(bytes);
  return [...inputs, ...outputs].some((t) => t.dtype === 'float64') ? 'basic' : 'all';
}

/**
 * A session for model bytes or a file path, on the first provider of `device` that starts.
 * @example
 * const s = await createSession(writeModel(g), { device: 'auto' });
 * console.log(`running on ${s.provider}`);
 */
export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<ModelSession> {
  const log = options.log ?? ((m: string) => console.warn(m));
  const bytes = typeof model === 'string' ? await readFile(model) : model;
  let level: GraphOptimizationLevel;
  try {
    level = options.graphOptimizationLevel ?? defaultOptimizationLevel(bytes);
  } catch (e) {
    throw new Error(`createSession: onnxruntime could not load the model on CPU: not a readable ONNX model (${(e as Error).message})`);
  }
  const opened = await openOnFirstProvider(options.device ?? 'auto', (c) => open(bytes, c, level, options, log), log);
  return wrapSession(opened.value.session, opened.value.level, opened.chosen, opened.fallback);
}

/**
 * Opens a session on one provider. onnxruntime's extended optimizations may fuse nodes into
 * com.microsoft contrib ops that lack a kernel for the model's dtype; such a model is opened again
 * with basic optimizations only, which never introduce contrib ops.
 */
async function open(bytes: Uint8Array, c: Candidate, level: GraphOptimizationLevel, options: SessionOptions, log: (m: string) => void): Promise<{ session: ort.InferenceSession; level: GraphOptimizationLevel }> {
  // No memory pattern: the models' shapes change with every structure (and segment sums pad to the
  // largest degree, a data-dependent size), so onnxruntime re-plans a pattern per call, held beside
  // the arena. Measured on allegro's minimal network at 1536 atoms: peak RSS 3.2 GB with, 1.7 GB
  // without, the same CPU time (bench/models-water.ts).
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: [providerOption(c)], logSeverityLevel: 3, graphOptimizationLevel: level, enableMemPattern: false };
  if (options.intraOpThreads) opts.intraOpNumThreads = options.intraOpThreads;
  if (options.memoryArena === false) opts.enableCpuMemArena = false;
  try {
    return { session: await onnxRuntime().InferenceSession.create(bytes, opts), level };
  } catch (e) {
    const m = /Failed to find kernel for (com\.microsoft\.\w+)/.exec(String((e as Error).message ?? e));
    if (!m || level === 'basic' || level === 'disabled') throw e;
    log(`e3md: onnxruntime fused nodes into ${m[1]}, which has no kernel for this model's dtype on ${c.provider}; using basic graph optimizations`);
    return { session: await onnxRuntime().InferenceSession.create(bytes, { ...opts, graphOptimizationLevel: 'basic' }), level: 'basic' };
  }
}

/** An input's checks, computed once per session. */
interface InputSpec {
  name: string;
  type: string | undefined;
  shape: readonly (number | string)[];
  /** Axes and symbols this input's dims bind. */
  bindAxes: number[];
  bindSymbols: string[];
}

/** How to size an output from the bound symbols: per axis, a constant factor and symbols. */
interface OutputSpec {
  name: string;
  dtype: DType | undefined;
  /** Undefined: onnxruntime allocates the output (its size does not follow from the inputs). */
  factors: { k: number; syms: string[] }[] | undefined;
  /** The buffer reused while the sizes stay the same. */
  tensor: ort.Tensor | undefined;
  /** Scratch dims of the current call. */
  dims: number[];
}

const sameDims = (a: readonly number[], b: readonly number[]) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

function wrapSession(session: ort.InferenceSession, level: GraphOptimizationLevel, chosen: Candidate, fallback: string | undefined): ModelSession {
  const inputs: InputSpec[] = session.inputMetadata.map((m) => {
    const shape = m.isTensor ? m.shape : [];
    const bindAxes: number[] = [];
    const bindSymbols: string[] = [];
    shape.forEach((d, ax) => {
      if (typeof d === 'string' && /^[A-Za-z_]\w*$/.test(d)) {
        bindAxes.push(ax);
        bindSymbols.push(d);
      }
    });
    return { name: m.name, type: m.isTensor ? m.type : undefined, shape, bindAxes, bindSymbols };
  });
  const bound = new Set(inputs.flatMap((i) => i.bindSymbols));
  const outSpecs = new Map<string, OutputSpec>(session.outputMetadata.map((m) => {
    const dtype = m.isTensor && ['float32', 'float64', 'int64'].includes(m.type) ? (m.type as DType) : undefined;
    const shape = m.isTensor ? m.shape : [];
    // Preallocate only when every size follows from the inputs' symbols (products like E*3 included).
    const factors = m.isTensor && dtype ? shape.map((d) => (typeof d === 'number' || typeof d === 'string' ? dimFactors(d) : undefined)) : [];
    const known = m.isTensor && dtype !== undefined && factors.every((f) => f !== undefined && f.syms.every((s) => bound.has(s)));
    return [m.name, { name: m.name, dtype, factors: known ? (factors as { k: number; syms: string[] }[]) : undefined, tensor: undefined, dims: new Array<number>(shape.length).fill(0) }];
  }));
  // Cached: onnxruntime-node's name getters cross into native code on every access.
  const inputList = [...session.inputNames];
  const outputList = [...session.outputNames];
  const inputNames = new Set(inputList);
  const feedTensors = new Map<string, ort.Tensor>();
  const symbols = new Map<string, number>();
  // Records handed to onnxruntime and back to the caller, one set per `outputs` array in use.
  const ortFeeds: Record<string, ort.Tensor> = {};
  const perOutputs = new Map<readonly string[], { specs: OutputSpec[]; fetches: Record<string, ort.Tensor | null>; results: Record<string, RunResult> }>();

  function plan(outputs: readonly string[]) {
    let p = perOutputs.get(outputs);
    if (p) return p;
    const specs = outputs.map((name) => {
      const spec = outSpecs.get(name);
      if (!spec) throw new Error(`run: the model has no output '${name}' (outputs: ${outputList.join(', ')})`);
      return spec;
    });
    p = { specs, fetches: {}, results: Object.fromEntries(outputs.map((n) => [n, { data: new Float32Array(0) as AnyTypedArray, dims: [] as readonly number[] }])) };
    perOutputs.set(outputs, p);
    return p;
  }

  /** The preallocated buffer of an output at this call's sizes (a new one when they changed). */
  function preallocated(spec: OutputSpec): ort.Tensor {
    const factors = spec.factors!;
    for (let ax = 0; ax < factors.length; ax++) {
      const f = factors[ax]!;
      let n = f.k;
      for (let s = 0; s < f.syms.length; s++) n *= symbols.get(f.syms[s]!)!;
      spec.dims[ax] = n;
    }
    if (spec.tensor && sameDims(spec.tensor.dims, spec.dims)) return spec.tensor;
    const dims = [...spec.dims];
    spec.tensor = new (onnxRuntime().Tensor)(spec.dtype!, allocate(spec.dtype!, sizeOf(dims)) as never, dims);
    return spec.tensor;
  }

  return {
    provider: chosen.provider,
    deviceId: chosen.deviceId,
    fallback,
    graphOptimizationLevel: level,
    inputNames: inputList,
    outputNames: outputList,
    async run(feeds, outputs = outputList) {
      for (let k = 0; k < inputs.length; k++) {
        const spec = inputs[k]!;
        const f = feeds[spec.name];
        if (!f) throw new Error(`run: missing input '${spec.name}'`);
        let t = feedTensors.get(spec.name);
        if (!t || t.data !== f.data || !sameDims(t.dims, f.dims)) {
          const dtype = dtypeOfArray(f.data, `run: input '${spec.name}'`);
          if (spec.type !== undefined && spec.type !== dtype) throw new Error(`run: input '${spec.name}' is ${dtype}, the model expects ${spec.type}`);
          if (spec.shape.length !== f.dims.length || spec.shape.some((d, ax) => typeof d === 'number' && d !== f.dims[ax])) {
            throw new Error(`run: input '${spec.name}' has dims [${f.dims.join(', ')}], the model expects [${spec.shape.join(', ')}]`);
          }
          t = new (onnxRuntime().Tensor)(dtype, f.data as never, [...f.dims]);
          feedTensors.set(spec.name, t);
        }
        for (let b = 0; b < spec.bindAxes.length; b++) symbols.set(spec.bindSymbols[b]!, f.dims[spec.bindAxes[b]!]!);
        ortFeeds[spec.name] = t;
      }
      for (const name in feeds) if (!inputNames.has(name)) throw new Error(`run: the model has no input '${name}' (inputs: ${inputList.join(', ')})`);
      const p = plan(outputs);
      for (let k = 0; k < p.specs.length; k++) {
        const spec = p.specs[k]!;
        p.fetches[spec.name] = spec.factors ? preallocated(spec) : null;
      }
      const res = await session.run(ortFeeds, p.fetches);
      for (let k = 0; k < p.specs.length; k++) {
        const name = p.specs[k]!.name;
        // onnxruntime fills a preallocated fetch in place but returns a fresh wrapper: hand back ours.
        const t = p.fetches[name] ?? (res[name] as ort.Tensor);
        const r = p.results[name]!;
        r.data = t.data as AnyTypedArray;
        r.dims = t.dims;
      }
      return p.results;
    },
    release: () => session.release(),
  };
}
