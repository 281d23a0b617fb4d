/**
 * JS-heap bytes allocated per model call on the ONNX path: `OnnxPotential.compute` on a periodic
 * water box (a fixed configuration, so the edge count stays the same, and a moving one, whose edge
 * count changes from call to call) and onnxruntime-node's own run of the same model with feeds and
 * fetches made once (the floor for that model), next to a bare `ModelSession.run` of a one-op graph and the
 * floor: onnxruntime-node's own `InferenceSession.run` with feeds and fetches made once — what its
 * binding allocates by itself (its result wrappers), which e3md cannot avoid.
 * Not a test: prints JSON on stdout. Needs `--expose-gc`:
 *
 *   node --expose-gc --max-semi-space-size=256 --min-semi-space-size=256 --import tsx bench/onnx-allocation.ts [--calls 1000]
 *
 * Method: gc(), then N calls, then heapUsed again; a PerformanceObserver counts the collections
 * that ran during the N calls (with none, the growth is every byte allocated, freed or not; with
 * some it is a lower bound, and the count says so). The best of three windows without a
 * collection is reported; run with a large young generation (--max-semi-space-size=256
 * --min-semi-space-size=256) so that windows without one exist.
 */
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { createEdgeTensors, createForceOutput, createVerletList, type System } from '../engine/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { createNequip, exportPotential } from '../models/index.js';
import { createGraph, createSession, writeModel } from '../onnx/index.js';
import { createOnnxPotential } from '../potentials/index.js';
import { repoRoot } from './paths.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (see the header of bench/onnx-allocation.ts)');
const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '1000' } } });
const calls = Number(args.calls);

let collections = 0;
new PerformanceObserver((list) => { collections += list.getEntries().length; }).observe({ entryTypes: ['gc'] });

/** Bytes of JS heap per call of `fn` over `calls` calls, after warm-up, and the collections seen. */
async function measure(fn: (k: number) => Promise<unknown>): Promise<{ bytes_per_call: number; collections: number }> {
  gc!();
  await new Promise((r) => setTimeout(r, 100)); // let the observer report the forced collection first
  collections = 0;
  const before = process.memoryUsage().heapUsed;
  for (let k = 0; k < calls; k++) await fn(k);
  const after = process.memoryUsage().heapUsed;
  return { bytes_per_call: Math.round((after - before) / calls), collections };
}

/** {@link measure} after 200 warm-up calls (the JIT's compilations allocate too), best of 3 windows without a collection. */
async function perCall(fn: (k: number) => Promise<unknown>): Promise<{ bytes_per_call: number; collections: number }> {
  for (let k = 0; k < 200; k++) await fn(k);
  const runs = [await measure(fn), await measure(fn), await measure(fn)];
  const clean = runs.filter((r) => r.collections === 0);
  return clean.length ? clean.reduce((a, b) => (b.bytes_per_call < a.bytes_per_call ? b : a)) : runs[0]!;
}

const file = join(repoRoot(), 'examples', 'water', 'boxes', 'water-64.extxyz');
const system: System = systemOfFrame(readExtxyz(file)[0]!, file);
const model = createNequip({ typeNames: ['H', 'O'], numLayers: 1, lmax: 1, numFeatures: 4, rMax_A: 4, radialMlp: { layers: 1, neurons: 8 } });
const bytes = exportPotential(model, { dtype: 'float32' });
const potential = await createOnnxPotential({ model: bytes, typeNames: system.typeNames, device: 'cpu', intraOpThreads: 1 });
const verlet = createVerletList({ cutoff_A: 4, skin_A: 1, kind: 'full' });
const list = verlet.build(system.positions, system.box);
const out = createForceOutput(system.n);
const fixed = await perCall(async () => { await potential.compute(system, list, out); });
// Moving atoms (within the skin, so the list stays valid) change the edge count within r_max.
const x0 = Float64Array.from(system.positions);
const edgeCounts = new Set<number>();
const moving = await perCall(async (k) => {
  for (let i = 0; i < 3 * system.n; i++) system.positions[i] = x0[i]! + 0.2 * Math.sin(0.7 * k + i);
  await potential.compute(system, list, out);
  edgeCounts.add(potential.lastEdgeCount);
});
system.positions.set(x0);
await potential.dispose!();

// The floor of the same model: onnxruntime-node's run with its five feeds and three fetches made once.
const n = system.n;
const edges = createEdgeTensors('float32');
const E = edges.fill(list, system.positions, 4);
const types = BigInt64Array.from(system.typeIds, (t) => BigInt(system.typeNames[t] === 'H' ? 0 : 1));
const modelSession = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, logSeverityLevel: 3 });
const modelFeeds = {
  pos: new ort.Tensor('float32', Float32Array.from(system.positions), [n, 3]),
  atom_types: new ort.Tensor('int64', types, [n]),
  edge_index: new ort.Tensor('int64', edges.edgeIndex.subarray(0, 2 * E), [2, E]),
  edge_shift: new ort.Tensor('float32', edges.edgeShift.subarray(0, 3 * E) as Float32Array, [E, 3]),
  energy_mask: new ort.Tensor('float32', new Float32Array(n).fill(1), [n]),
};
const modelFetches = {
  atomic_energy: new ort.Tensor('float32', new Float32Array(n), [n]),
  forces: new ort.Tensor('float32', new Float32Array(3 * n), [n, 3]),
  virial: new ort.Tensor('float32', new Float32Array(9), [3, 3]),
};
const modelFloor = await perCall(() => modelSession.run(modelFeeds, modelFetches));
await modelSession.release();

const g = createGraph({ dtype: 'float32' });
g.output('y', g.mul(g.input('x', ['N', 3]), 2));
const session = await createSession(writeModel(g), { device: 'cpu', intraOpThreads: 1 });
const feeds = { x: { data: new Float32Array(3 * system.n), dims: [system.n, 3] } };
const bare = await perCall(() => session.run(feeds));
await session.release();
// The floor: onnxruntime-node itself, with feeds and fetches made once.
const raw = await ort.InferenceSession.create(writeModel(g), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
const x = new ort.Tensor('float32', new Float32Array(3 * system.n), [system.n, 3]);
const y = new ort.Tensor('float32', new Float32Array(3 * system.n), [system.n, 3]);
const rawFeeds = { x };
const rawFetches = { y };
const floor = await perCall(() => raw.run(rawFeeds, rawFetches));
await raw.release();

const result = {
  atoms: system.n,
  calls,
  potential_fixed_configuration: fixed,
  potential_moving_configuration: { ...moving, distinct_edge_counts: edgeCounts.size },
  potential_model_onnxruntime_floor: modelFloor,
  bare_session_run: bare,
  onnxruntime_run_floor: floor,
  node: process.version,
};
console.log(JSON.stringify(result, null, 1));
