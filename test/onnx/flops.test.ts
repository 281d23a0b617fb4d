import { describe, expect, it } from 'vitest';
import { countFlops, createGraph, optimize } from '../../onnx/index.js';

describe('countFlops', () => {
  it('counts contractions, element-wise work and moved bytes at the given sizes, forward and backward', () => {
    const g = createGraph({ dtype: 'float32' });
    const x = g.input('x', ['E', 4]);
    const w = g.weight('w', new Float64Array(12).fill(0.5), [4, 3]);
    // A weight-only product is folded at load time: free.
    const ws = g.mul(w, 0.25);
    const h = g.scope('mlp', () => g.silu(g.matmul(x, ws))); // 2·E·4·3 + E·3
    const t = g.transpose(h, [1, 0]); // moves 3·E floats
    const y = g.reduceSum(t); // E·3 additions
    g.output('y', y);
    const [dx] = g.grad(y, [x]);
    g.output('dx', dx!);
    const c = countFlops(optimize(g), { E: 10 });
    expect(c.contractionFlops - c.backwardFlops).toBeGreaterThanOrEqual(0);
    const forward = c.flops - c.backwardFlops;
    expect(forward).toBe(2 * 10 * 4 * 3 + 10 * 3 + 10 * 3);
    // Backward: the input-gradient GEMM (2·E·3·4) plus SiLU's element-wise derivative; never a weight gradient.
    expect(c.backwardFlops).toBeGreaterThanOrEqual(2 * 10 * 3 * 4);
    expect(c.backwardFlops).toBeLessThan(2 * 10 * 3 * 4 + 20 * 10 * 3);
    expect(c.bytesMoved).toBeGreaterThanOrEqual(4 * 3 * 10);
    expect(c.byOp['MatMul']).toBe(2 * 2 * 10 * 4 * 3);
  });

  it('names the node whose symbolic size is not given', () => {
    const g = createGraph({ dtype: 'float64' });
    const x = g.input('x', ['N', 2]);
    g.output('y', g.mul(x, x));
    expect(() => countFlops(g, { E: 3 })).toThrow(/N/);
  });
});
