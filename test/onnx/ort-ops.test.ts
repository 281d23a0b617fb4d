import { describe, expect, it } from 'vitest';
import { createSession, evaluateValues, type Feeds, type FloatDType, writeModel } from '../../onnx/index.js';
import { caseModel, OP_CASES } from './cases.js';

/**
 * Every op (and its gradient graph) through onnxruntime's CPU provider in both float types at
 * opset 17, against the reference interpreter, with and without the gradient graph. A missing
 * double kernel shows up here as a load error ("Could not find an implementation for …(11)"), as
 * does a fusion into a float-only contrib op (QuickGelu from x·sigmoid(x)).
 */
describe.each(['float64', 'float32'] as const)('onnxruntime CPU equals the interpreter (%s)', (dtype: FloatDType) => {
  it.each(OP_CASES.flatMap((c) => [[`${c.name}, with gradients`, c, true], [`${c.name}, forward only`, c, false]] as const))('%s', async (_name, c, withGrad) => {
    const { g, feeds } = caseModel(c, dtype, withGrad);
    const want = evaluateValues(g, feeds as Feeds, [...g.outputs.values()]);
    const messages: string[] = [];
    const session = await createSession(writeModel(g), { device: 'cpu', log: (m) => messages.push(m) });
    expect(session.provider).toBe('cpu');
    expect(messages).toEqual([]); // loaded with full graph optimizations, no retry
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
