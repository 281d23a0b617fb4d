import { describe, expect, it } from 'vitest';
import { createGraph, evaluateValues } from '../../onnx/index.js';
import { opNames } from '../../onnx/registry.js';
import { OP_CASES } from './cases.js';
import { assertGradMatchesFiniteDifference } from './helpers.js';

describe('vector–Jacobian products vs central finite differences (float64)', () => {
  it.each(OP_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    assertGradMatchesFiniteDifference(c.build, c.gradTol ?? 1e-6);
  });

  it('every op has a case, and each case builds the ops it claims', () => {
    const covered = new Set<string>();
    for (const c of OP_CASES) {
      const g = createGraph({ dtype: 'float64' });
      c.build(g);
      const built = new Set(g.nodes.map((v) => v.op));
      for (const op of c.ops) {
        expect(built.has(op), `${c.name} builds ${op}`).toBe(true);
        covered.add(op);
      }
    }
    expect(opNames().filter((op) => !covered.has(op))).toEqual([]);
  });

  it('segment sum adds repeated indices and leaves missing segments zero', () => {
    const g = createGraph({ dtype: 'float64' });
    const m = g.input('m', ['E', 1]);
    const i = g.input('i', ['E'], 'int64');
    const s = g.segmentSum(m, i, 4);
    const [t] = evaluateValues(g, { m: { data: [1, 2, 3, 4], dims: [4, 1] }, i: { data: BigInt64Array.of(2n, 0n, 2n, 2n), dims: [4] } }, [s]);
    expect(Array.from(t!.data)).toEqual([2, 0, 8, 0]);
  });

  it('gradient of a value that does not depend on wrt is zeros of its shape', () => {
    const g = createGraph({ dtype: 'float64' });
    const x = g.input('x', ['N', 2]);
    const y = g.input('y', [3]);
    const [gx] = g.grad(g.reduceSum(g.exp(y)), [x]);
    const [t] = evaluateValues(g, { x: { data: [1, 2, 3, 4], dims: [2, 2] }, y: { data: [0, 0, 0], dims: [3] } }, [gx!]);
    expect(t!.shape).toEqual([2, 2]);
    expect(Array.from(t!.data)).toEqual([0, 0, 0, 0]);
  });
});
