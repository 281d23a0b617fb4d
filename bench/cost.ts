/**
 * What a model run costs besides time: its arithmetic (FLOPs per edge, forward and backward,
 * from the exported graph — onnx/flops.ts), this machine's single-thread GEMM rate as the yardstick
 * ("achieved GFLOP/s" = FLOPs / model time), and the peak memory of a process that only loads and
 * runs the model (measured in a child process, so the benchmark's own heap does not count).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildPotentialGraph, type PotentialModel } from '../models/index.js';
import { countFlops, createGraph, createSession, optimize, writeModel } from '../onnx/index.js';

/** FLOPs of one energy + forces + virial evaluation, per edge. */
export interface FlopsPerEdge {
  readonly forward_MFLOP: number;
  readonly backward_MFLOP: number;
  /** Share of the FLOPs in MatMul/Einsum (what can run at GEMM speed). */
  readonly contractionShare: number;
}

/** FLOPs of `model` (float32 graph, as exported) for N atoms and E edges. */
export function flopsPerEdge(model: PotentialModel, atoms: number, edges: number): FlopsPerEdge & { total: number } {
  const { graph } = buildPotentialGraph(model, { dtype: 'float32' });
  // Backward: autodiff's nodes and the force/virial assembly from ∂E/∂r.
  const c = countFlops(optimize(graph), { N: atoms, E: edges }, { backward: (v) => /^(grad|forces)(\/|$)/.test(v.scope) });
  return { forward_MFLOP: (c.flops - c.backwardFlops) / edges / 1e6, backward_MFLOP: c.backwardFlops / edges / 1e6, contractionShare: c.contractionFlops / c.flops, total: c.flops };
}

/**
 * Best-of-5 GFLOP/s of onnxruntime's MatMul [rows, k] × [k, k] (k = 1024) at `threads` threads, by
 * wall time and by the process's CPU time (which a shared machine's load does not inflate).
 */
export async function gemmPeak_GFLOPs(threads: number, rows = 2048, k = 1024): Promise<{ wall: number; cpu: number }> {
  const g = createGraph({ dtype: 'float32' });
  const x = g.input('x', ['R', k]);
  g.output('y', g.matmul(x, g.weight('w', Float64Array.from({ length: k * k }, (_, i) => Math.sin(i) / 32), [k, k])));
  const session = await createSession(writeModel(g), { device: 'cpu', intraOpThreads: threads });
  const feed = { x: { dims: [rows, k], data: Float32Array.from({ length: rows * k }, (_, i) => Math.cos(i)) } };
  let best = Infinity;
  let bestCpu = Infinity;
  for (let t = 0; t < 6; t++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await session.run(feed);
    const c = process.cpuUsage(c0);
    if (t > 0) {
      best = Math.min(best, performance.now() - t0);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
    }
  }
  await session.release();
  const flops = 2 * rows * k * k;
  return { wall: flops / (best * 1e6), cpu: flops / (bestCpu * 1e6 * threads) };
}

/**
 * Peak resident memory, MB, of a fresh process that opens `onnxFile` and evaluates it twice on the
 * water box `structure` (bench/model-memory.ts), or an error line.
 */
export function modelPeakMemory_MB(onnxFile: string, structure: string, threads: number): number | { error: string } {
  const script = fileURLToPath(new URL(`./model-memory${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const r = spawnSync(process.execPath, [...process.execArgv, script, onnxFile, structure, String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${r.status}` };
  return (JSON.parse(r.stdout) as { peak_rss_MB: number }).peak_rss_MB;
}
