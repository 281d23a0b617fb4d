/**
 * onnxruntime execution providers (DESIGN.md §7): which ones this installation offers, the order
 * in which a requested device tries them (CUDA when its provider libraries are installed, WebGPU
 * when asked for, CPU always), and the fallback to CPU with a message saying why. The session
 * (onnx/session.ts) opens a model through {@link openOnFirstProvider}.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { onnxRuntime } from './ort.js';

/** Where to run: `'auto'` tries CUDA then CPU; WebGPU only when named (it has no float64). */
export type Device = 'auto' | 'cpu' | 'cuda' | `cuda:${number}` | 'webgpu';

/** A provider a session actually runs on. */
export type Provider = 'cpu' | 'cuda' | 'webgpu';

/** What this installation offers, without starting anything. */
export interface ProviderProbe {
  name: Provider;
  /** Whether its libraries are present (a device may still be missing at session creation). */
  installed: boolean;
  note: string;
}

/** One provider to try, and its device index (CUDA; 0 otherwise). */
export interface Candidate {
  readonly provider: Provider;
  readonly deviceId: number;
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

const cudaMissing = () => `provider libraries not installed (${cudaInstallCommand()} downloads them)`;

/** Execution providers of this onnxruntime-node install. */
export function probeProviders(): ProviderProbe[] {
  const listed = new Set(onnxRuntime().listSupportedBackends().map((b) => b.name));
  const cudaLib = existsSync(join(bindingDir(), 'libonnxruntime_providers_cuda.so'));
  return [
    { name: 'cpu', installed: true, note: 'always available' },
    { name: 'cuda', installed: listed.has('cuda') && cudaLib, note: cudaLib ? 'provider libraries present' : cudaMissing() },
    { name: 'webgpu', installed: listed.has('webgpu'), note: listed.has('webgpu') ? 'bundled; needs a GPU adapter (Vulkan)' : 'not in this build' },
  ];
}

/**
 * The providers `device` tries, in order; CPU is always last.
 * @throws naming an unknown device
 */
export function candidates(device: string, cudaInstalled: boolean): Candidate[] {
  const cpu: Candidate = { provider: 'cpu', deviceId: 0 };
  if (device === 'cpu') return [cpu];
  if (device === 'auto') return cudaInstalled ? [{ provider: 'cuda', deviceId: 0 }, cpu] : [cpu];
  if (device === 'webgpu') return [{ provider: 'webgpu', deviceId: 0 }, cpu];
  const m = /^cuda(?::(\d+))?$/.exec(device);
  if (m) return [{ provider: 'cuda', deviceId: Number(m[1] ?? 0) }, cpu];
  throw new Error(`createSession: unknown device '${device}' (use auto, cpu, cuda, cuda:N or webgpu)`);
}

/** onnxruntime's execution-provider option for a candidate. */
export function providerOption(c: Candidate): ort.InferenceSession.ExecutionProviderConfig {
  return c.provider === 'cuda' ? { name: 'cuda', deviceId: c.deviceId } : c.provider;
}

/** What {@link openOnFirstProvider} opened, on which provider, and why the ones before it failed. */
export interface Opened<T> {
  readonly value: T;
  readonly chosen: Candidate;
  /** Why the requested provider was not used, when it fell back to CPU. */
  readonly fallback: string | undefined;
}

/**
 * Tries `open` on each provider of `device` in order; a failure on CPU is an error, any other one
 * is recorded and the next provider tried. An explicitly requested device that falls back is
 * reported through `log` ('auto' falls back silently).
 * @throws naming the model problem when even CPU cannot open it
 * @example const { value: session, chosen } = await openOnFirstProvider('auto', (c) => ort.InferenceSession.create(bytes, { executionProviders: [providerOption(c)] }), console.warn);
 */
export async function openOnFirstProvider<T>(device: string, open: (c: Candidate) => Promise<T>, log: (m: string) => void): Promise<Opened<T>> {
  const reasons: string[] = [];
  const cudaInstalled = probeProviders().find((p) => p.name === 'cuda')!.installed;
  for (const c of candidates(device, cudaInstalled)) {
    if (c.provider === 'cuda' && !cudaInstalled) {
      reasons.push(`cuda: ${cudaMissing()}`);
      continue;
    }
    try {
      const value = await open(c);
      const fallback = reasons.length ? `device '${device}' unavailable (${reasons.join('; ')}); running on cpu` : undefined;
      if (fallback && device !== 'auto') log(`e3md: ${fallback}`);
      return { value, chosen: c, fallback };
    } catch (e) {
      const msg = String((e as Error).message ?? e).split('\n')[0]!;
      if (c.provider === 'cpu') throw new Error(`createSession: onnxruntime could not load the model on CPU: ${msg}`);
      reasons.push(`${c.provider}${c.provider === 'cuda' ? ':' + c.deviceId : ''}: ${msg}`);
    }
  }
  throw new Error(`createSession: no provider of device '${device}' to try`); // unreachable: CPU is always a candidate
}
