import { describe, expect, it } from 'vitest';
import { createGraph, createSession, evaluateValues, type Feeds, type FloatDType, type RunFeed, writeModel } from '../../onnx/index.js';
import { OP_CASES } from './cases.js';
import { seeded } from './helpers.js';

/**
 * Every op (and its gradient graph) through onnxruntime's CPU provider in both float types at
 * opset 17, against the reference interpreter. A missing double kernel shows up here as a load
 * or run error ("Could not find an implementation for …(11)").
 */
describe.each(['float64', 'float32'] as const)('onnxruntime CPU equals the interpreter (%s)', (dtype: FloatDType) => {
  it.each(OP_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const g = createGraph({ dtype });
    const built = c.build(g);
    const R = g.input('R', built.y.shape);
    const grads = g.grad(g.reduceSum(g.mul(built.y, R)), built.inputs.map((i) => i.value));
    g.output('out', built.y);
    built.inputs.forEach((inp, k) => g.output(`grad_${inp.value.name}`, grads[k]!));
    const rnd = seeded(3);
    const typed = (xs: ArrayLike<number>) => (dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs));
    const feeds: Record<string, RunFeed> = {};
    for (const [name, f] of Object.entries(built.extra ?? {})) feeds[name] = f as RunFeed;
    for (const inp of built.inputs) feeds[inp.value.name] = { data: typed(inp.data), dims: inp.dims };
    const [y0] = evaluateValues(g, feeds as Feeds, [built.y]);
    feeds.R = { data: typed(Array.from(y0!.data, () => rnd(0.5, 1.5))), dims: [...y0!.shape] };
    const want = evaluateValues(g, feeds as Feeds, [...g.outputs.values()]);
    const session = await createSession(writeModel(g), { device: 'cpu' });
    const got = await session.run(feeds);
    const tol = dtype === 'float64' ? 1e-12 : 2e-5;
    [...g.outputs.keys()].forEach((name, k) => {
      const w = want[k]!;
      const r = got[name]!;
      expect(r.dims, `${name} dims`).toEqual(w.shape);
      expect(r.data).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
      const scale = Math.max(1, ...Array.from(w.data, Math.abs));
      for (let e = 0; e < w.data.length; e++) {
        const err = Math.abs(Number(r.data[e]) - w.data[e]!) / scale;
        if (!(err <= tol)) throw new Error(`${name}[${e}]: onnxruntime ${r.data[e]} vs interpreter ${w.data[e]} (rel ${err.toExponential(2)})`);
      }
    });
    await session.release();
  });
});
