import { describe, expect, it } from 'vitest';
import { createGraph, evaluateValues, optimize, type Graph, type Value } from '../../onnx/index.js';
import { assertGradMatchesFiniteDifference } from './helpers.js';

/** x [E, 7] split into column blocks [0,2) [2,3) [5,7) (a gap at 3–5), each used differently; plus a use of all of x. */
function splitUses(g: Graph): { x: Value; y: Value } {
  const x = g.input('x', ['E', 7]);
  const a = g.slice(x, 1, 0, 2);
  const b = g.slice(x, 1, 2, 3);
  const c = g.slice(x, 1, 5, 7);
  const y = g.add(g.add(g.reduceSum(g.mul(a, a)), g.reduceSum(g.sin(b))), g.add(g.reduceSum(g.mul(c, 3)), g.reduceSum(g.mul(x, 0.5))));
  return { x, y };
}

describe('adjoint accumulation', () => {
  it('joins the zero-padded adjoints of disjoint slices with one Concat instead of full-size adds', () => {
    const g = createGraph({ dtype: 'float64' });
    const { x, y } = splitUses(g);
    const [dx] = g.grad(y, [x]);
    g.output('dx', dx!);
    const opt = optimize(g);
    const ops = opt.nodes.filter((v) => v.scope.startsWith('grad'));
    expect(ops.filter((v) => v.op === 'Concat')).toHaveLength(1);
    // One add: the use of all of x plus the joined slices; no add of two pads.
    expect(ops.filter((v) => v.op === 'Add' && v.inputs.every((i) => i.op === 'Pad'))).toHaveLength(0);
    const data = Float64Array.from({ length: 14 }, (_, k) => 0.1 * k - 0.4);
    const [got] = evaluateValues(g, { x: { data, dims: [2, 7] } }, [dx!]);
    const want = Array.from(data, (v, k) => {
      const col = k % 7;
      return 0.5 + (col < 2 ? 2 * v : col === 2 ? Math.cos(v) : col >= 5 ? 3 : 0);
    });
    got!.data.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 14));
  });

  it('the joined adjoint matches finite differences', () => {
    assertGradMatchesFiniteDifference((g) => {
      const { x, y } = splitUses(g);
      return { inputs: [{ value: x, data: Array.from({ length: 21 }, (_, k) => Math.sin(k)), dims: [3, 7] }], y };
    }, 1e-7);
  });
});
