/**
 * Benchmark of the onnx/ compiler and runner (issue 4). Not a test: prints JSON on stdout and a
 * readable summary on stderr.
 *
 *   npx tsx bench/onnx-bench.ts [--threads 1] [--rows 100000] [--reps 10]
 *
 * Measures: per-call overhead of a tiny graph (what an MD step pays besides the model's work);
 * forward and forward+gradient of a 3-layer SiLU MLP (16 → 64 → 64 → 1) over `rows` rows in
 * float32 and float64; and graph sizes (ONNX nodes) of forward vs forward+gradient.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createGraph, createSession, type FloatDType, type Graph, readModelInfo, type RunFeed, writeModel } from '../onnx/index.js';

const { values: args } = parseArgs({ options: { threads: { type: 'string', default: '1' }, rows: { type: 'string', default: '100000' }, reps: { type: 'string', default: '10' } } });
const threads = Number(args.threads);
const rows = Number(args.rows);
const reps = Number(args.reps);

function typed(dtype: FloatDType, n: number, f: (i: number) => number): Float32Array | Float64Array {
  const a = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}

/** Median wall time in ms of `reps` calls after `warm` warm-up calls. */
async function time(fn: () => Promise<unknown>, reps: number, warm = 2): Promise<number> {
  for (let i = 0; i < warm; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

function mlp(dtype: FloatDType, withGrad: boolean): Graph {
  const g = createGraph({ dtype });
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296 - 0.5) * 0.5;
  const x = g.input('x', ['R', 16]);
  const sizes = [16, 64, 64, 1];
  let h = x;
  for (let l = 0; l < 3; l++) {
    h = g.scope(`layer_${l}`, () => {
      const w = g.weight(`w${l}`, Array.from({ length: sizes[l]! * sizes[l + 1]! }, rnd), [sizes[l]!, sizes[l + 1]!]);
      const b = g.weight(`b${l}`, Array.from({ length: sizes[l + 1]! }, rnd), [sizes[l + 1]!]);
      const z = g.add(g.matmul(h, w), b);
      return l < 2 ? g.silu(z) : z;
    });
  }
  const energy = g.reduceSum(h);
  g.output('energy', energy);
  if (withGrad) g.output('grad_x', g.grad(energy, [x])[0]!);
  return g;
}

const results: Record<string, unknown> = { rows, reps, threads, node: process.version };
const log = (s: string) => process.stderr.write(s + '\n');

// 1. Per-call overhead: y = 2x on [1, 3].
for (const dtype of ['float32', 'float64'] as const) {
  const g = createGraph({ dtype });
  const x = g.input('x', ['N', 3]);
  g.output('y', g.mul(x, 2));
  const s = await createSession(writeModel(g), { device: 'cpu', intraOpThreads: threads });
  const feeds = { x: { data: typed(dtype, 3, (i) => i), dims: [1, 3] } };
  const n = 5000;
  await time(() => s.run(feeds), 1, 200);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await s.run(feeds);
  const us = ((performance.now() - t0) / n) * 1000;
  results[`tiny_call_us_${dtype}`] = Number(us.toFixed(1));
  log(`tiny graph (${dtype}): ${us.toFixed(1)} µs per call`);
  await s.release();
}

// 2. 3-layer MLP over `rows` rows, forward and forward+gradient.
for (const dtype of ['float32', 'float64'] as const) {
  const feeds: Record<string, RunFeed> = { x: { data: typed(dtype, rows * 16, (i) => Math.sin(i * 0.37)), dims: [rows, 16] } };
  for (const withGrad of [false, true]) {
    const bytes = writeModel(mlp(dtype, withGrad));
    const s = await createSession(bytes, { device: 'cpu', intraOpThreads: threads });
    const ms = await time(() => s.run(feeds), reps);
    const key = `mlp_${withGrad ? 'forward_grad' : 'forward'}_ms_${dtype}`;
    results[key] = Number(ms.toFixed(2));
    log(`MLP 16-64-64-1, ${rows} rows, ${dtype}, ${withGrad ? 'forward+gradient' : 'forward'}: ${ms.toFixed(2)} ms (median of ${reps})`);
    await s.release();
  }
}

// 3. Graph sizes.
const fwd = readModelInfo(writeModel(mlp('float64', false)));
const both = readModelInfo(writeModel(mlp('float64', true)));
const fwdRaw = readModelInfo(writeModel(mlp('float64', false), { optimize: false }));
const bothRaw = readModelInfo(writeModel(mlp('float64', true), { optimize: false }));
results.mlp_nodes_forward = fwd.nodeCount;
results.mlp_nodes_forward_grad = both.nodeCount;
results.mlp_node_ratio = Number((both.nodeCount / fwd.nodeCount).toFixed(2));
results.mlp_nodes_forward_grad_unoptimized = bothRaw.nodeCount;
results.mlp_node_ratio_unoptimized = Number((bothRaw.nodeCount / fwdRaw.nodeCount).toFixed(2));
log(`MLP ONNX nodes: forward ${fwd.nodeCount}, forward+gradient ${both.nodeCount} (ratio ${results.mlp_node_ratio}); without clean-up passes ${fwdRaw.nodeCount} → ${bothRaw.nodeCount} (ratio ${results.mlp_node_ratio_unoptimized})`);
log(`forward+gradient ops: ${JSON.stringify(both.opCounts)}`);
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
