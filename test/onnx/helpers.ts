/** Shared checks of the onnx tests: finite-difference gradients and seeded test data. */
import { expect } from 'vitest';
import { createGraph, evaluateValues, type Feeds, type Graph, type Value } from '../../onnx/index.js';

/** Deterministic pseudo-random numbers in [lo, hi) (tests must not depend on Math.random). */
export function seeded(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s >>> 13;
    return lo + ((s >>> 0) / 4294967296) * (hi - lo);
  };
}

/** A float64 input of the check: its value, fed data and dims. */
export interface CheckInput {
  value: Value;
  data: number[];
  dims: number[];
}

/** A built case: differentiable inputs, extra (non-differentiated) feeds, and the output. */
export interface Case {
  inputs: CheckInput[];
  extra?: Feeds;
  y: Value;
}

/**
 * Checks `grad` of L = Σ y·R (R fixed random, so every output element matters) with respect to
 * each input against central finite differences, elementwise: |a − n| ≤ tol · max(1, |n|).
 */
export function assertGradMatchesFiniteDifference(build: (g: Graph) => Case, tol = 1e-6, h = 1e-5): void {
  const g = createGraph({ dtype: 'float64' });
  const c = build(g);
  const rnd = seeded(7);
  const probe = evaluateValues(g, feedsOf(c), [c.y])[0]!;
  const R = g.input('__R', c.y.shape, 'float64');
  const Rdata = Array.from(probe.data, () => rnd(0.5, 1.5));
  const L = g.reduceSum(g.mul(c.y, R));
  const grads = g.grad(L, c.inputs.map((i) => i.value));
  const feeds = (): Feeds => ({ ...feedsOf(c), __R: { data: Float64Array.from(Rdata), dims: [...probe.shape] } });
  const analytic = evaluateValues(g, feeds(), grads);
  c.inputs.forEach((inp, k) => {
    const a = analytic[k]!.data;
    expect(a.length, `gradient size for '${inp.value.name}'`).toBe(inp.data.length);
    for (let e = 0; e < inp.data.length; e++) {
      const x0 = inp.data[e]!;
      inp.data[e] = x0 + h;
      const lp = evaluateValues(g, feeds(), [L])[0]!.data[0]!;
      inp.data[e] = x0 - h;
      const lm = evaluateValues(g, feeds(), [L])[0]!.data[0]!;
      inp.data[e] = x0;
      const n = (lp - lm) / (2 * h);
      const err = Math.abs(a[e]! - n) / Math.max(1, Math.abs(n));
      if (!(err < tol)) throw new Error(`d/d${inp.value.name}[${e}]: analytic ${a[e]} vs finite difference ${n} (rel err ${err.toExponential(2)})`);
    }
  });
}

function feedsOf(c: Case): Feeds {
  const f: Record<string, Feeds[string]> = { ...(c.extra ?? {}) };
  for (const i of c.inputs) f[i.value.name] = { data: Float64Array.from(i.data), dims: i.dims };
  return f;
}

/** A float64 graph input with random data (`dims` fixes symbolic sizes). */
export function randomInput(g: Graph, name: string, shape: (number | string)[], dims: number[], rnd: () => number): CheckInput {
  const n = dims.reduce((a, b) => a * b, 1);
  return { value: g.input(name, shape), data: Array.from({ length: n }, () => rnd()), dims };
}

/** An int64 feed. */
export function ints(values: number[], dims = [values.length]): { data: BigInt64Array; dims: number[] } {
  return { data: BigInt64Array.from(values.map(BigInt)), dims };
}
