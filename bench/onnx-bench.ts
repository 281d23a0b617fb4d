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
import * as ort from 'onnxruntime-node';
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

// 1. Per-call overhead: y = 2x on [1, 3], through e3md's session and straight through
// onnxruntime-node, interleaved in blocks (this machine is shared: the best block is reported).
async function perCallUs(fn: () => Promise<unknown>, block = 2000): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < block; i++) await fn();
  return ((performance.now() - t0) / block) * 1000;
}
for (const dtype of ['float32', 'float64'] as const) {
  const g = createGraph({ dtype });
  const x = g.input('x', ['N', 3]);
  g.output('y', g.mul(x, 2));
  const bytes = writeModel(g);
  const s = await createSession(bytes, { device: 'cpu', intraOpThreads: threads });
  const feeds = { x: { data: typed(dtype, 3, (i) => i), dims: [1, 3] } };
  const raw = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: threads });
  const t = { x: new ort.Tensor(dtype, feeds.x.data, [1, 3]) };
  await perCallUs(() => s.run(feeds), 5000); // JIT warm-up of both paths
  await perCallUs(() => raw.run(t), 5000);
  let ours = Infinity;
  let theirs = Infinity;
  for (let round = 0; round < 6; round++) {
    ours = Math.min(ours, await perCallUs(() => s.run(feeds)));
    theirs = Math.min(theirs, await perCallUs(() => raw.run(t)));
  }
  results[`tiny_call_us_${dtype}`] = Number(ours.toFixed(1));
  results[`tiny_call_us_raw_ort_${dtype}`] = Number(theirs.toFixed(1));
  log(`tiny graph (${dtype}): ${ours.toFixed(1)} µs per call through createSession().run, ${theirs.toFixed(1)} µs through raw InferenceSession.run`);
  await s.release();
  await raw.release();
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

// 4. Second order: a pair energy (MLP of squared edge lengths, summed onto atoms), its forces, and
// the gradient of a force loss w.r.t. the weights (what training runs every step).
{
  const g = createGraph({ dtype: 'float64' });
  const pos = g.input('pos', ['N', 3]);
  const edges = g.input('edge_index', [2, 'E'], 'int64');
  const fRef = g.input('forces_ref', ['N', 3]);
  const w1 = g.weight('w1', Array.from({ length: 16 }, (_, k) => Math.sin(k)), [1, 16]);
  const w2 = g.weight('w2', Array.from({ length: 16 }, (_, k) => Math.cos(k)), [16, 1]);
  const i = g.gather(edges, g.constant(0, [], 'int64'), 0);
  const r = g.sub(g.gather(pos, g.gather(edges, g.constant(1, [], 'int64'), 0)), g.gather(pos, i));
  const e = g.reduceSum(g.segmentSum(g.matmul(g.silu(g.matmul(g.reduceSum(g.mul(r, r), [1], true), w1)), w2), i, 'N'));
  const forces = g.neg(g.grad(e, [pos])[0]!);
  const d = g.sub(forces, fRef);
  const loss = g.reduceSum(g.mul(d, d));
  const grads = g.grad(loss, [w1, w2]);
  g.output('energy', e);
  const n0 = readModelInfo(writeModel(g)).nodeCount;
  g.output('forces', forces);
  const n1 = readModelInfo(writeModel(g)).nodeCount;
  g.output('loss', loss);
  g.output('grad_w1', grads[0]!);
  g.output('grad_w2', grads[1]!);
  const n2 = readModelInfo(writeModel(g, { weights: 'inputs' })).nodeCount;
  Object.assign(results, { pair_nodes_energy: n0, pair_nodes_energy_forces: n1, pair_nodes_training: n2 });
  log(`pair model ONNX nodes: energy ${n0}, + forces ${n1} (×${(n1 / n0).toFixed(2)}), + force-loss weight gradients ${n2} (×${(n2 / n0).toFixed(2)})`);
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
