/**
 * The deterministic lowering of segmentSum (onnx/ops/indexing.ts): onnxruntime's result equals the
 * interpreter's for unsorted, repeated and missing indices, for rank-1 to rank-3 data, for empty
 * inputs, and is the same bits at 1, 2 and 4 threads — at sizes where onnxruntime splits the work.
 */
import { describe, expect, it } from 'vitest';
import { createGraph, createSession, evaluateGraph, writeModel, type FloatDType } from '../../onnx/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function segmentModel(dtype: FloatDType, rest: readonly number[]) {
  const g = createGraph({ dtype });
  const data = g.input('data', ['E', ...rest]);
  const index = g.input('index', ['E'], 'int64');
  g.input('segments', ['N'], 'int64');
  g.output('sum', g.segmentSum(data, index, 'N'));
  return g;
}

describe.each(['float64', 'float32'] as const)('segmentSum through onnxruntime (%s)', (dtype) => {
  it.each([[[]], [[48]], [[4, 12]]] as const)('data [E, %j]: 20,000 unsorted rows into 1,500 segments (200 of them empty) equal the interpreter at 1, 2 and 4 threads', async (rest) => {
    const rnd = lcg(7);
    const E = 20_000;
    const N = 1_500;
    const width = (rest as readonly number[]).reduce((p, q) => p * q, 1);
    const index = BigInt64Array.from({ length: E }, () => BigInt(200 + Math.floor(rnd() * (N - 200)))); // segments 0–199 missing
    const values = Array.from({ length: E * width }, () => rnd() - 0.5);
    const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    const g = segmentModel(dtype, rest);
    const feeds = { data: { data, dims: [E, ...rest] }, index: { data: index, dims: [E] }, segments: { data: new BigInt64Array(N), dims: [N] } };
    const want = evaluateGraph(g, feeds).sum!;
    const bytes = writeModel(g);
    const seen = new Set<string>();
    for (const threads of [1, 2, 4]) {
      const s = await createSession(bytes, { device: 'cpu', intraOpThreads: threads });
      for (let k = 0; k < 3; k++) {
        const got = (await s.run(feeds)).sum!;
        expect(got.dims).toEqual([N, ...rest]);
        seen.add(Buffer.from((got.data as Float64Array | Float32Array).buffer).toString('base64'));
        if (k === 0 && threads === 1) {
          const tol = dtype === 'float64' ? 1e-13 : 1e-5;
          for (let e = 0; e < want.data.length; e++) expect(Math.abs(Number(got.data[e]) - want.data[e]!), `element ${e}`).toBeLessThanOrEqual(tol);
          for (let e = 0; e < 200 * width; e++) expect(got.data[e]).toBe(0);
        }
      }
      await s.release();
    }
    expect(seen.size).toBe(1);
  });

  it('no rows and no segments: empty sums of the right shape', async () => {
    const g = segmentModel(dtype, [3]);
    const s = await createSession(writeModel(g), { device: 'cpu' });
    const empty = dtype === 'float64' ? new Float64Array(0) : new Float32Array(0);
    const none = await s.run({ data: { data: empty, dims: [0, 3] }, index: { data: new BigInt64Array(0), dims: [0] }, segments: { data: new BigInt64Array(4), dims: [4] } });
    expect(none.sum!.dims).toEqual([4, 3]);
    expect(Array.from(none.sum!.data as Float64Array)).toEqual(new Array(12).fill(0));
    const zero = await s.run({ data: { data: empty, dims: [0, 3] }, index: { data: new BigInt64Array(0), dims: [0] }, segments: { data: new BigInt64Array(0), dims: [0] } });
    expect(zero.sum!.dims).toEqual([0, 3]);
    await s.release();
  });

  it('the written model contains no ScatterND (its CPU add races across threads)', () => {
    const text = Buffer.from(writeModel(segmentModel(dtype, [2]))).toString('latin1');
    expect(text).not.toContain('ScatterND');
    expect(text).toContain('TopK');
  });
});
