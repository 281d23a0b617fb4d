import * as ort from 'onnxruntime-node';
import { describe, expect, it, vi } from 'vitest';
import { buildModel, createGraph, createSession, defaultOptimizationLevel, evaluateGraph, probeProviders, writeModel } from '../../onnx/index.js';
import { modelProto } from '../../onnx/onnx-proto.js';

function g64(g: ReturnType<typeof createGraph>) {
  return g.mul(g.input('x', ['N']), 2);
}

function tinyModel(): Uint8Array {
  const g = createGraph({ dtype: 'float32' });
  const x = g.input('x', ['N', 3]);
  g.output('y', g.mul(x, 2));
  g.output('s', g.reduceSum(x));
  return writeModel(g);
}

describe('onnxruntime session', () => {
  it('probes providers: cpu always, cuda and webgpu with a note', () => {
    const p = probeProviders();
    expect(p.map((x) => x.name)).toEqual(['cpu', 'cuda', 'webgpu']);
    expect(p[0]!.installed).toBe(true);
    for (const x of p) expect(x.note.length).toBeGreaterThan(5);
  });

  it.each(['cuda', 'cuda:1', 'webgpu'])("device '%s' runs on it when it starts, else falls back to cpu with a message", async (device) => {
    const messages: string[] = [];
    const s = await createSession(tinyModel(), { device, log: (m) => messages.push(m) });
    const wanted = device.startsWith('cuda') ? 'cuda' : 'webgpu';
    if (s.provider === 'cpu') {
      expect(s.fallback).toMatch(new RegExp(`device '${device}' unavailable \\(${wanted}.*\\); running on cpu`));
      expect(messages).toEqual([`e3md: ${s.fallback}`]);
    } else {
      expect(s.provider).toBe(wanted);
      expect(s.fallback).toBeUndefined();
    }
    const r = await s.run({ x: { data: Float32Array.of(1, 2, 3), dims: [1, 3] } });
    expect(Array.from(r.y!.data as Float32Array)).toEqual([2, 4, 6]);
    await s.release();
  });

  it("'auto' and 'cpu' pick silently; unknown devices are an error naming them", async () => {
    const messages: string[] = [];
    const s = await createSession(tinyModel(), { device: 'auto', log: (m) => messages.push(m) });
    expect(['cpu', 'cuda']).toContain(s.provider);
    expect(messages).toEqual([]);
    await s.release();
    await expect(createSession(tinyModel(), { device: 'tpu' })).rejects.toThrow(/unknown device 'tpu'/);
    await expect(createSession(Uint8Array.of(1, 2, 3), { device: 'cpu' })).rejects.toThrow(/could not load the model on CPU/);
  });

  it('writes outputs into preallocated buffers reused while sizes stay the same', async () => {
    const s = await createSession(tinyModel(), { device: 'cpu' });
    const r1 = await s.run({ x: { data: Float32Array.of(1, 2, 3, 4, 5, 6), dims: [2, 3] } });
    const buf = r1.y!.data;
    expect(Array.from(buf as Float32Array)).toEqual([2, 4, 6, 8, 10, 12]);
    const r2 = await s.run({ x: { data: Float32Array.of(0, 1, 0, 1, 0, 1), dims: [2, 3] } });
    expect(r2.y!.data).toBe(buf); // same storage, overwritten in place
    expect(Array.from(buf as Float32Array)).toEqual([0, 2, 0, 2, 0, 2]);
    expect(Number(r2.s!.data[0])).toBe(3);
    const r3 = await s.run({ x: { data: Float32Array.of(1, 1, 1), dims: [1, 3] } });
    expect(r3.y!.data).not.toBe(buf);
    expect(r3.y!.dims).toEqual([1, 3]);
    // A feed array updated in place (positions during MD) is seen by the next call.
    const x = Float32Array.of(1, 2, 3);
    await s.run({ x: { data: x, dims: [1, 3] } });
    x[0] = 10;
    expect(Array.from((await s.run({ x: { data: x, dims: [1, 3] } })).y!.data as Float32Array)).toEqual([20, 4, 6]);
    const only = await s.run({ x: { data: Float32Array.of(1, 1, 1), dims: [1, 3] } }, ['s']);
    expect(Object.keys(only)).toEqual(['s']);
    await s.release();
  });

  it('opens a model once, at the level its declared types call for (basic for float64)', async () => {
    const f64 = createGraph({ dtype: 'float64' });
    f64.output('y', g64(f64));
    const bytes64 = writeModel(f64);
    expect(defaultOptimizationLevel(bytes64)).toBe('basic');
    expect(defaultOptimizationLevel(tinyModel())).toBe('all');
    const create = vi.spyOn(ort.InferenceSession, 'create');
    try {
      const s64 = await createSession(bytes64, { device: 'cpu' });
      const s32 = await createSession(tinyModel(), { device: 'cpu' });
      expect(create).toHaveBeenCalledTimes(2);
      expect(create.mock.calls.map((c) => (c[1] as ort.InferenceSession.SessionOptions).graphOptimizationLevel)).toEqual(['basic', 'all']);
      expect([s64.graphOptimizationLevel, s32.graphOptimizationLevel]).toEqual(['basic', 'all']);
      await Promise.all([s64.release(), s32.release()]);
    } finally {
      create.mockRestore();
    }
  });

  it('hands back the same result record and feed tensors while arrays and sizes stay the same', async () => {
    const s = await createSession(tinyModel(), { device: 'cpu' });
    const feeds = { x: { data: Float32Array.of(1, 2, 3), dims: [1, 3] } };
    const r1 = await s.run(feeds);
    const r2 = await s.run(feeds);
    expect(r2).toBe(r1);
    expect(r2.y).toBe(r1.y);
    expect(Array.from(r2.y!.data as Float32Array)).toEqual([2, 4, 6]);
    await s.release();
  });

  it('names the culprit on bad feeds', async () => {
    const s = await createSession(tinyModel(), { device: 'cpu' });
    await expect(s.run({})).rejects.toThrow(/missing input 'x'/);
    await expect(s.run({ x: { data: Float64Array.of(1, 2, 3), dims: [1, 3] } })).rejects.toThrow(/input 'x' is float64, the model expects float32/);
    await expect(s.run({ x: { data: Float32Array.of(1, 2, 3), dims: [3] } })).rejects.toThrow(/input 'x' has dims \[3\], the model expects \[N, 3\]/);
    await expect(s.run({ x: { data: Float32Array.of(1, 2, 3), dims: [1, 3] }, q: { data: Float32Array.of(1), dims: [1] } })).rejects.toThrow(/no input 'q'/);
    await expect(s.run({ x: { data: Float32Array.of(1, 2, 3), dims: [1, 3] } }, ['nope'])).rejects.toThrow(/no output 'nope'/);
    await s.release();
  });

  it('retries with basic optimizations when onnxruntime fuses into a contrib op lacking a float64 kernel', async () => {
    // A hand-made float64 x·Sigmoid(x) (e3md itself no longer emits this pattern in float64).
    const g = createGraph({ dtype: 'float64' });
    g.output('y', g.sin(g.input('x', ['N'])));
    const m = buildModel(g) as { graph: { node: Record<string, unknown>[] } };
    m.graph.node = [
      { input: ['x'], output: ['s'], name: 's', op_type: 'Sigmoid', attribute: [] },
      { input: ['x', 's'], output: ['y'], name: 'y', op_type: 'Mul', attribute: [] },
    ];
    const bytes = modelProto().encode(modelProto().fromObject(m)).finish();
    // By default a float64 model opens at 'basic' straight away (no fusion, no message) …
    const quiet: string[] = [];
    const basic = await createSession(bytes, { device: 'cpu', log: (msg) => quiet.push(msg) });
    expect([basic.graphOptimizationLevel, quiet]).toEqual(['basic', []]);
    await basic.release();
    // … and one asked for at 'all' is retried at 'basic' when onnxruntime fuses into a contrib op.
    const messages: string[] = [];
    const s = await createSession(bytes, { device: 'cpu', log: (msg) => messages.push(msg), graphOptimizationLevel: 'all' });
    expect(s.graphOptimizationLevel).toBe('basic');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/fused nodes into com\.microsoft\.QuickGelu.*basic graph optimizations/);
    const r = await s.run({ x: { data: Float64Array.of(1), dims: [1] } });
    expect(r.y!.data[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 14);
    await s.release();
  });

  it('keeps float64 models at float64 precision (no float32 scale folded into FusedMatMul)', async () => {
    const g = createGraph({ dtype: 'float64' });
    const a = g.input('a', ['N', 4]);
    const w = g.weight('w', Array.from({ length: 12 }, (_, i) => Math.sin(i + 0.5)), [4, 3]);
    g.output('y', g.matmul(g.mul(a, 0.3), w));
    const feed = { data: Float64Array.from({ length: 8 }, (_, i) => Math.cos(1.7 * i) + 0.1), dims: [2, 4] };
    const expected = evaluateGraph(g, { a: feed }).y!.data;
    const s = await createSession(writeModel(g), { device: 'cpu' });
    const got = (await s.run({ a: feed })).y!.data;
    for (let i = 0; i < expected.length; i++) expect(Math.abs(Number(got[i]) - Number(expected[i]))).toBeLessThan(1e-14);
    await s.release();
  });
});
