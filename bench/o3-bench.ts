/**
 * o3 micro-benchmarks (float64, single thread). Run: `npx tsx bench/o3-bench.ts [--out file.json]`.
 * Prints one JSON object: wall times (best of `repeats`) and throughputs for
 *  - spherical harmonics l = 0..3 ('component', normalized) of 1e6 random vectors;
 *  - a NequIP 'uvu' convolution tensor product over 1e5 edges, 32 channels,
 *    32x0e+32x1o+32x2e ⊗ Y(l ≤ 2, and l ≤ 3) → filtered to 0e+1o+2e, per-edge weights.
 * Times include allocating the (large, unsimplified) output, as `apply` does. The machine is
 * shared: run it when idle and take the best of several runs.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Irreps, channelwise, seededUniform, sphericalHarmonics } from '../o3/index.js';

function best(repeats: number, f: () => unknown): number {
  let t = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

const rand = seededUniform(1);
const fill = (n: number): Float64Array => Float64Array.from({ length: n }, () => 2 * rand() - 1);

const results: Record<string, unknown> = {
  node: process.version,
  cpu: cpus()[0]?.model,
  date: new Date().toISOString(),
};

{
  const n = 1_000_000;
  const v = fill(3 * n);
  sphericalHarmonics(3, v.subarray(0, 3000)); // warm-up
  const ms = best(3, () => sphericalHarmonics(3, v));
  results.sphericalHarmonics = { lmax: 3, vectors: n, outputDim: 16, ms, vectorsPerSecond: n / (ms / 1000) };
}

for (const lmax of [2, 3]) {
  const edges = 100_000;
  const filter = '0e+1o+2e';
  const tp = channelwise('32x0e+32x1o+32x2e', Irreps.sphericalHarmonics(lmax), filter);
  const x1 = fill(edges * tp.irrepsIn1.dim);
  const x2 = fill(edges * tp.irrepsIn2.dim);
  const w = fill(edges * tp.weightNumel);
  tp.apply(x1.subarray(0, 100 * tp.irrepsIn1.dim), x2.subarray(0, 100 * tp.irrepsIn2.dim), w.subarray(0, 100 * tp.weightNumel));
  const ms = best(3, () => tp.apply(x1, x2, w));
  results[`tensorProductUvuShLmax${lmax}`] = {
    irrepsIn1: tp.irrepsIn1.toString(),
    irrepsIn2: tp.irrepsIn2.toString(),
    irrepsOut: tp.irrepsOut.toString(),
    instructions: tp.instructions.length,
    weightsPerEdge: tp.weightNumel,
    edges,
    ms,
    edgesPerSecond: edges / (ms / 1000),
    outputMiB: (edges * tp.irrepsOut.dim * 8) / 2 ** 20,
  };
}

const json = JSON.stringify(results, null, 2);
const outIndex = process.argv.indexOf('--out');
if (outIndex > 0 && process.argv[outIndex + 1]) writeFileSync(process.argv[outIndex + 1], json + '\n');
console.log(json);
