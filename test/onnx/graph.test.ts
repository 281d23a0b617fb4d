import { describe, expect, it } from 'vitest';
import { countNodes, createGraph, evaluateGraph, optimize } from '../../onnx/index.js';

describe('graph building', () => {
  it('reports shape errors when the graph is built, naming the node and the shapes', () => {
    const g = createGraph({ dtype: 'float64' });
    const a = g.input('a', ['N', 3]);
    const b = g.input('b', ['E', 3]);
    expect(() => g.add(a, b)).toThrow(/Add \(node Add_2\): shapes \[N, 3\] and \[E, 3\] do not broadcast/);
    expect(() => g.matmul(a, g.input('w', [4, 2]))).toThrow(/MatMul.*inner sizes differ: \[N, 3\] @ \[4, 2\]/);
    expect(() => g.einsum('ij,jk', [a, a])).toThrow(/must be explicit/);
    expect(() => g.einsum('ij,ij->i', [a, b])).toThrow(/letter 'i' has sizes N and E/);
    expect(() => g.gather(a, g.input('f', ['E']), 0)).toThrow(/index 'f' must be int64, got float64/);
    expect(() => g.reshape(a, [4, 'N'])).toThrow(/element counts differ/);
    expect(() => g.squeeze(a, [1])).toThrow(/axis 1 is not of size 1/);
    expect(() => g.input('a', [1])).toThrow(/'a' is already used/);
    expect(() => g.input('Mul_7', [1])).toThrow(/form of a generated node name/);
    expect(() => g.scope('Add_2', () => 0)).toThrow(/form of a generated node name/);
    expect(() => g.segmentSum(a, g.input('i', ['M'], 'int64'), 'N')).toThrow(/must be 1-D with the length of data's first axis/);
    const other = createGraph({ dtype: 'float64' });
    expect(() => g.add(a, other.input('x', [3]))).toThrow(/belongs to a different graph/);
    expect(() => createGraph({ dtype: 'float16' as never })).toThrow(/dtype must be/);
  });

  it('says which node cannot be differentiated, and why', () => {
    const g = createGraph({ dtype: 'float64' });
    const h = g.input('h', ['N', 3]);
    const y = g.gather(h, g.input('pairs', ['E', 2], 'int64'));
    expect(() => g.grad(g.reduceSum(y), [h])).toThrow(/grad of Gather_\d+: gather is differentiable only for rank-0\/1 indices/);
    expect(() => g.grad(g.input('k', [2], 'int64'), [h])).toThrow(/output 'k' is int64, not float/);
  });

  it('infers symbolic shapes through reshape (E*3 and back)', () => {
    const g = createGraph({ dtype: 'float32' });
    const r = g.input('r', ['E', 3]);
    const flat = g.reshape(r, [-1]);
    expect(flat.shape).toEqual(['E*3']);
    expect(g.reshape(flat, ['E', -1]).shape).toEqual(['E', 3]);
    expect(g.gather(g.input('h', ['N', 8]), g.input('j', ['E'], 'int64')).shape).toEqual(['E', 8]);
  });

  it('prefixes node names with nested scopes, and gradient nodes with grad/ and their forward scope', () => {
    const g = createGraph({ dtype: 'float64' });
    const x = g.input('x', ['N', 3]);
    const y = g.scope('interaction_0', () => g.scope('linear', () => g.sin(x)));
    expect(y.name).toMatch(/^interaction_0\/linear\/Sin_\d+$/);
    const [dx] = g.scope('forces', () => g.grad(g.reduceSum(y), [x]));
    const names = g.nodes.slice(y.id + 1).map((v) => v.name);
    expect(names.some((n) => n.startsWith('forces/grad/interaction_0/linear/'))).toBe(true);
    expect(dx!.name.startsWith('forces/grad/')).toBe(true);
  });

  it('rounds float32 constants and keeps float64 ones exact', () => {
    expect(createGraph({ dtype: 'float32' }).constant(0.1).data![0]).toBe(Math.fround(0.1));
    expect(createGraph({ dtype: 'float64' }).constant(0.1).data![0]).toBe(0.1);
  });
});

describe('clean-up passes', () => {
  it('eliminates dead nodes, merges common subexpressions, folds constants, drops ×1 and +0', () => {
    const g = createGraph({ dtype: 'float64' });
    const x = g.input('x', ['N', 3]);
    const k = g.mul(g.exp(g.constant([1, 2, 3], [3])), g.constant(2)); // weight-free: folds to one constant
    const a = g.mul(g.exp(x), k);
    const b = g.mul(g.exp(x), k); // same as a
    g.cos(x); // dead
    const y = g.add(g.mul(g.add(a, b), 1), g.constant(0));
    g.output('y', y);
    const [dx] = g.grad(g.reduceSum(y), [x]);
    g.output('dx', dx!);
    const small = optimize(g);
    const before = countNodes(g);
    const after = countNodes(small);
    expect(after).toBeLessThan(before);
    const ops = small.nodes.map((v) => v.op);
    expect(ops.filter((o) => o === 'Exp')).toHaveLength(1);
    expect(ops).not.toContain('Cos');
    const feeds = { x: { data: [0.1, 0.2, 0.3, -0.4, 0.5, 0.6], dims: [2, 3] } };
    const r0 = evaluateGraph(g, feeds);
    const r1 = evaluateGraph(small, feeds);
    for (const name of ['y', 'dx']) expect(Array.from(r1[name]!.data)).toEqual(Array.from(r0[name]!.data));
    // Inputs and weights survive even when unused: they are the model's interface.
    expect(small.inputs().map((v) => v.name)).toEqual(['x']);
  });
});
