/**
 * Runs ONNX models with onnxruntime-node. Execution providers are probed in order (CUDA when its
 * provider libraries are installed, WebGPU when asked for and an adapter exists, CPU always); a
 * provider that cannot start falls back to CPU with a message saying why, and the session reports
 * which provider it runs on. Outputs whose size follows from the inputs are written into buffers
 * allocated once and reused while the sizes stay the same (no allocation per MD step).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { allocate, type AnyTypedArray, type DType, dtypeOfArray } from './dtype.js';
import { evalDim } from './shape.js';
import { sizeOf } from './tensor.js';

/** Where to run: `'auto'` tries CUDA then CPU; WebGPU only when named (it has no float64). */
export type Device = 'auto' | 'cpu' | 'cuda' | `cuda:${number}` | 'webgpu';

/** A provider a session actually runs on. */
export type Provider = 'cpu' | 'cuda' | 'webgpu';

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

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** Default `'auto'`. */
  device?: Device | string;
  /** Intra-op threads for the CPU provider (default: onnxruntime's choice). */
  intraOpThreads?: number;
  /** Receives fallback messages (default: `console.warn`). */
  log?: (message: string) => void;
  /**
   * onnxruntime's graph optimization level. Default: `'all'` for float32 models and `'basic'` for
   * models with a float64 input or output, because the extended fusions (e.g. MatMulScaleFusion
   * into FusedMatMul) store scale factors as float32 `alpha` attributes and cost float64 models
   * their precision (1e-8 relative instead of 1e-16).
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** An inference session over one model. */
export interface ModelSession {
  /** The provider the session runs on. */
  readonly provider: Provider;
  /** Device index for CUDA (0 otherwise). */
  readonly deviceId: number;
  /** Why the requested provider was not used, when the session fell back to CPU. */
  readonly fallback: string | undefined;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model. Results of outputs with input-determined sizes live in buffers the session
   * reuses on the next call with the same sizes: copy them if they must outlive that call.
   * @example const { forces } = await s.run({ pos: { data: xyz, dims: [n, 3] }, ... });
   */
  run(feeds: Readonly<Record<string, RunFeed>>, outputs?: readonly string[]): Promise<Record<string, RunResult>>;
  release(): Promise<void>;
}

/** What this installation offers, without starting anything. */
export interface ProviderProbe {
  name: Provider;
  /** Whether its libraries are present (a device may still be missing at session creation). */
  installed: boolean;
  note: string;
}

function bindingDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * The one command that installs onnxruntime-node's CUDA provider libraries for this install (README,
 * .npmrc and this message say the same): its install script, run by hand with the CUDA 12 flag.
 */
export function cudaInstallCommand(): string {
  const require = createRequire(import.meta.url);
  return `node ${join(dirname(require.resolve('onnxruntime-node')), '..', 'script', 'install.js')} --onnxruntime-node-install=cuda12`;
}

/** Execution providers of this onnxruntime-node install. */
export function probeProviders(): ProviderProbe[] {
  const listed = new Set(ort.listSupportedBackends().map((b) => b.name));
  const cudaLib = existsSync(join(bindingDir(), 'libonnxruntime_providers_cuda.so'));
  return [
    { name: 'cpu', installed: true, note: 'always available' },
    {
      name: 'cuda',
      installed: listed.has('cuda') && cudaLib,
      note: cudaLib ? 'provider libraries present' : `provider libraries not installed (${cudaInstallCommand()} downloads them)`,
    },
    { name: 'webgpu', installed: listed.has('webgpu'), note: listed.has('webgpu') ? 'bundled; needs a GPU adapter (Vulkan)' : 'not in this build' },
  ];
}

interface Candidate {
  provider: Provider;
  deviceId: number;
}

function candidates(device: string, cudaInstalled: boolean): Candidate[] {
  const cpu: Candidate = { provider: 'cpu', deviceId: 0 };
  if (device === 'cpu') return [cpu];
  if (device === 'auto') return cudaInstalled ? [{ provider: 'cuda', deviceId: 0 }, cpu] : [cpu];
  if (device === 'webgpu') return [{ provider: 'webgpu', deviceId: 0 }, cpu];
  const m = /^cuda(?::(\d+))?$/.exec(device);
  if (m) return [{ provider: 'cuda', deviceId: Number(m[1] ?? 0) }, cpu];
  throw new Error(`createSession: unknown device '${device}' (use auto, cpu, cuda, cuda:N or webgpu)`);
}

function providerOption(c: Candidate): ort.InferenceSession.ExecutionProviderConfig {
  return c.provider === 'cuda' ? { name: 'cuda', deviceId: c.deviceId } : c.provider;
}

/**
 * A session for model bytes or a file path, on the first provider of `device` that starts.
 * @example
 * const s = await createSession(writeModel(g), { device: 'auto' });
 * console.log(`running on ${s.provider}`);
 */
export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<ModelSession> {
  const device = options.device ?? 'auto';
  const log = options.log ?? ((m: string) => console.warn(m));
  const reasons: string[] = [];
  let session: ort.InferenceSession | undefined;
  let chosen: Candidate | undefined;
  const cudaInstalled = probeProviders().find((p) => p.name === 'cuda')!.installed;
  for (const c of candidates(device, cudaInstalled)) {
    if (c.provider === 'cuda' && !cudaInstalled) {
      reasons.push(`cuda: provider libraries are not installed (${cudaInstallCommand()} downloads them)`);
      continue;
    }
    try {
      session = await open(model, c, options, log);
      chosen = c;
      break;
    } catch (e) {
      const msg = String((e as Error).message ?? e).split('\n')[0]!;
      if (c.provider === 'cpu') throw new Error(`createSession: onnxruntime could not load the model on CPU: ${msg}`);
      reasons.push(`${c.provider}${c.provider === 'cuda' ? ':' + c.deviceId : ''}: ${msg}`);
    }
  }
  const fallback = reasons.length ? `device '${device}' unavailable (${reasons.join('; ')}); running on cpu` : undefined;
  if (fallback && device !== 'auto') log(`e3md: ${fallback}`);
  return wrapSession(session!, chosen!, fallback);
}

/**
 * Opens a session on one provider. onnxruntime's extended optimizations may fuse nodes into
 * com.microsoft contrib ops that lack a kernel for the model's dtype (float64 especially); such a
 * model is retried once with basic optimizations only, which never introduce contrib ops.
 */
async function open(model: Uint8Array | string, c: Candidate, options: SessionOptions, log: (m: string) => void): Promise<ort.InferenceSession> {
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: [providerOption(c)], logSeverityLevel: 3 };
  if (options.intraOpThreads) opts.intraOpNumThreads = options.intraOpThreads;
  if (options.graphOptimizationLevel) opts.graphOptimizationLevel = options.graphOptimizationLevel;
  const create = (o: ort.InferenceSession.SessionOptions) => (typeof model === 'string' ? ort.InferenceSession.create(model, o) : ort.InferenceSession.create(model, o));
  try {
    const session = await create(opts);
    if (options.graphOptimizationLevel || !usesFloat64(session)) return session;
    // float64 model with default optimizations: reopen at 'basic' (see SessionOptions).
    await session.release();
    return await create({ ...opts, graphOptimizationLevel: 'basic' });
  } catch (e) {
    const msg = String((e as Error).message ?? e);
    const m = /Failed to find kernel for (com\.microsoft\.\w+)/.exec(msg);
    if (!m) throw e;
    log(`e3md: onnxruntime fused nodes into ${m[1]}, which has no kernel for this model's dtype on ${c.provider}; using basic graph optimizations`);
    return await create({ ...opts, graphOptimizationLevel: 'basic' });
  }
}

function usesFloat64(session: ort.InferenceSession): boolean {
  return [...session.inputMetadata, ...session.outputMetadata].some((m) => m.isTensor && m.type === 'float64');
}

/** An input's checks, computed once per session. */
interface InputSpec {
  name: string;
  type: string | undefined;
  shape: readonly (number | string)[];
  /** [axis, symbol] pairs binding symbols from this input's dims. */
  binds: [number, string][];
}

/** An output's preallocation plan: undefined `shape` means onnxruntime allocates it. */
interface OutputSpec {
  dtype: DType | undefined;
  shape: readonly (number | string)[] | undefined;
}

function wrapSession(session: ort.InferenceSession, chosen: Candidate, fallback: string | undefined): ModelSession {
  const inputs: InputSpec[] = session.inputMetadata.map((m) => {
    const shape = m.isTensor ? m.shape : [];
    const binds = shape.flatMap((d, ax): [number, string][] => (typeof d === 'string' && /^[A-Za-z_]\w*$/.test(d) ? [[ax, d]] : []));
    return { name: m.name, type: m.isTensor ? m.type : undefined, shape, binds };
  });
  const bound = new Set(inputs.flatMap((i) => i.binds.map((b) => b[1])));
  const outSpecs = new Map<string, OutputSpec>(session.outputMetadata.map((m) => {
    const dtype = m.isTensor && ['float32', 'float64', 'int64'].includes(m.type) ? (m.type as DType) : undefined;
    // Preallocate only when every size follows from the inputs' symbols (products like E*3 included).
    const known = m.isTensor && m.shape.every((d) => typeof d === 'number' || (typeof d === 'string' && d.split('*').every((p) => /^[0-9]+$/.test(p) || bound.has(p))));
    return [m.name, { dtype, shape: dtype && known ? (m as { shape: readonly (number | string)[] }).shape : undefined }];
  }));
  // Cached: onnxruntime-node's name getters cross into native code on every access.
  const inputList = [...session.inputNames];
  const outputList = [...session.outputNames];
  const inputNames = new Set(inputList);
  // Feed wrappers are reused while the caller passes the same array and dims (e.g. positions
  // updated in place every step); output buffers while their sizes stay the same.
  const feedCache = new Map<string, ort.Tensor>();
  const outCache = new Map<string, ort.Tensor>();
  const symbols = new Map<string, number>();
  const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

  return {
    provider: chosen.provider,
    deviceId: chosen.deviceId,
    fallback,
    inputNames: inputList,
    outputNames: outputList,
    async run(feeds, outputs = outputList) {
      symbols.clear();
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const spec of inputs) {
        const f = feeds[spec.name];
        if (!f) throw new Error(`run: missing input '${spec.name}'`);
        let t = feedCache.get(spec.name);
        if (!t || t.data !== f.data || !sameDims(t.dims, f.dims)) {
          const dtype = dtypeOfArray(f.data, `run: input '${spec.name}'`);
          if (spec.type !== undefined && spec.type !== dtype) throw new Error(`run: input '${spec.name}' is ${dtype}, the model expects ${spec.type}`);
          if (spec.shape.length !== f.dims.length || spec.shape.some((d, ax) => typeof d === 'number' && d !== f.dims[ax])) {
            throw new Error(`run: input '${spec.name}' has dims [${f.dims.join(', ')}], the model expects [${spec.shape.join(', ')}]`);
          }
          t = new ort.Tensor(dtype, f.data as never, f.dims);
          feedCache.set(spec.name, t);
        }
        for (const [ax, sym] of spec.binds) symbols.set(sym, f.dims[ax]!);
        ortFeeds[spec.name] = t;
      }
      for (const name in feeds) if (!inputNames.has(name)) throw new Error(`run: the model has no input '${name}' (inputs: ${inputList.join(', ')})`);
      const fetches: Record<string, ort.Tensor | null> = {};
      for (const name of outputs) {
        const spec = outSpecs.get(name);
        if (!spec) throw new Error(`run: the model has no output '${name}' (outputs: ${outputList.join(', ')})`);
        fetches[name] = spec.shape ? preallocated(name, spec.dtype!, spec.shape) : null;
      }
      const res = await session.run(ortFeeds, fetches);
      const out: Record<string, RunResult> = {};
      for (const name of outputs) {
        // onnxruntime fills a preallocated fetch in place but returns a fresh wrapper: hand back ours.
        const t = fetches[name] ?? (res[name] as ort.Tensor);
        out[name] = { data: t.data as AnyTypedArray, dims: t.dims };
      }
      return out;
    },
    release: () => session.release(),
  };

  function preallocated(name: string, dtype: DType, shape: readonly (number | string)[]): ort.Tensor {
    const dims = shape.map((d) => (typeof d === 'number' ? d : evalDim(d, symbols, name)));
    const hit = outCache.get(name);
    if (hit && sameDims(hit.dims, dims)) return hit;
    const t = new ort.Tensor(dtype, allocate(dtype, sizeOf(dims)) as never, dims);
    outCache.set(name, t);
    return t;
  }
}
