import { describe, expect, it } from 'vitest';
import { createGraph, createSession, evaluateValues, type Feeds, type FloatDType, type Graph, readModelInfo, type Value, writeModel } from '../../onnx/index.js';
import { ints, seeded } from './helpers.js';

const N = 4;
const EDGES = [[0, 1], [1, 0], [0, 2], [2, 0], [1, 3], [3, 1], [2, 3], [3, 2], [0, 3], [3, 0]] as const;
const H = 5;

interface Built {
  g: Graph;
  weights: Value[];
  energy: Value;
  forces: Value;
  edgeVec: Value;
  pos: Value;
  loss: Value;
  lossGrads: Value[];
}

/**
 * A pair "potential": an MLP of squared edge lengths summed onto centre atoms (the shape of a
 * real model's energy), its forces −∂E/∂pos, and a force-matching loss whose gradient with
 * respect to the weights is a second derivative of the energy.
 */
function build(dtype: FloatDType): Built {
  const g = createGraph({ dtype });
  const rnd = seeded(11);
  const w = (name: string, shape: number[]) => g.weight(name, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd(-0.8, 0.8)), shape);
  const weights = [w('w1', [1, H]), w('b1', [H]), w('w2', [H, H]), w('b2', [H]), w('w3', [H, 1])];
  const [w1, b1, w2, b2, w3] = weights as [Value, Value, Value, Value, Value];
  const pos = g.input('pos', ['N', 3]);
  const edgeIndex = g.input('edge_index', [2, 'E'], 'int64');
  const fRef = g.input('forces_ref', ['N', 3]);
  const i = g.gather(edgeIndex, g.constant(0, [], 'int64'), 0);
  const j = g.gather(edgeIndex, g.constant(1, [], 'int64'), 0);
  const edgeVec = g.scope('edges', () => g.sub(g.gather(pos, j), g.gather(pos, i)));
  const energy = g.scope('mlp', () => {
    const d2 = g.reduceSum(g.mul(edgeVec, edgeVec), [1], true);
    const h1 = g.silu(g.add(g.matmul(d2, w1), b1));
    const h2 = g.tanh(g.add(g.matmul(h1, w2), b2));
    const pair = g.matmul(h2, w3);
    return g.reduceSum(g.segmentSum(pair, i, 'N'));
  });
  const forces = g.scope('forces', () => g.neg(g.grad(energy, [pos])[0]!));
  const diff = g.sub(forces, fRef);
  const loss = g.reduceSum(g.mul(diff, diff));
  const lossGrads = g.scope('train', () => g.grad(loss, weights));
  return { g, weights, energy, forces, edgeVec, pos, loss, lossGrads };
}

function typed(dtype: FloatDType, xs: ArrayLike<number>): Float32Array | Float64Array {
  return dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs);
}

function feeds(dtype: FloatDType): Record<string, Feeds[string]> {
  const rnd = seeded(5);
  const list = (lo: number, hi: number) => typed(dtype, Array.from({ length: N * 3 }, () => rnd(lo, hi)));
  return {
    pos: { data: list(-1.2, 1.2), dims: [N, 3] },
    edge_index: ints([...EDGES.map((e) => e[0]), ...EDGES.map((e) => e[1])], [2, EDGES.length]),
    forces_ref: { data: list(-0.5, 0.5), dims: [N, 3] },
  };
}

describe('second-order autodiff: force-loss gradient w.r.t. weights', () => {
  it('matches central finite differences of the loss in the weights (float64, rel < 1e-6)', () => {
    const b = build('float64');
    const base = feeds('float64');
    const analytic = evaluateValues(b.g, base, b.lossGrads);
    const h = 1e-6;
    b.weights.forEach((w, k) => {
      const values = Array.from(w.data!);
      const lossAt = (v: number[]) => evaluateValues(b.g, { ...base, [w.name]: { data: v, dims: [...(w.shape as number[])] } }, [b.loss])[0]!.data[0]!;
      for (let e = 0; e < values.length; e++) {
        const p = [...values];
        p[e] = values[e]! + h;
        const m = [...values];
        m[e] = values[e]! - h;
        const fd = (lossAt(p) - lossAt(m)) / (2 * h);
        const a = analytic[k]!.data[e]!;
        expect(Math.abs(a - fd) / Math.max(1, Math.abs(fd)), `d loss / d ${w.name}[${e}]`).toBeLessThan(1e-6);
      }
    });
    // The check is not vacuous: the loss really depends on every weight.
    expect(analytic.every((t) => t.data.some((x) => Math.abs(x) > 1e-4))).toBe(true);
  });

  it('forces match finite differences of the energy, and the virial identity Σ r⊗∂E/∂r = −Σ x⊗F holds', () => {
    const b = build('float64');
    const base = feeds('float64');
    const [dEdr, dEdx] = b.g.grad(b.energy, [b.edgeVec, b.pos]);
    const [F, G, r, D] = evaluateValues(b.g, base, [b.forces, dEdr!, b.edgeVec, dEdx!]);
    const x = base.pos!.data as Float64Array;
    for (let e = 0; e < N * 3; e++) {
      const eAt = (dx: number) => {
        const p = Float64Array.from(x);
        p[e]! += dx;
        return evaluateValues(b.g, { ...base, pos: { data: p, dims: [N, 3] } }, [b.energy])[0]!.data[0]!;
      };
      const fd = -(eAt(1e-6) - eAt(-1e-6)) / 2e-6;
      expect(Math.abs(F!.data[e]! - fd)).toBeLessThan(1e-8);
      expect(D!.data[e]).toBeCloseTo(-F!.data[e]!, 14); // grad w.r.t. [edges, pos] still gives pos its total derivative
    }
    for (let a = 0; a < 3; a++) {
      for (let c = 0; c < 3; c++) {
        let lhs = 0;
        for (let k = 0; k < EDGES.length; k++) lhs += r!.data[3 * k + a]! * G!.data[3 * k + c]!;
        let rhs = 0;
        for (let k = 0; k < N; k++) rhs -= x[3 * k + a]! * F!.data[3 * k + c]!;
        expect(lhs).toBeCloseTo(rhs, 12);
      }
    }
  });

  it.each(['float64', 'float32'] as const)('runs in onnxruntime with weights as graph inputs (%s), equal to the interpreter', async (dtype) => {
    const b = build(dtype);
    b.g.output('energy', b.energy);
    b.g.output('forces', b.forces);
    b.weights.forEach((w, k) => b.g.output(`grad_${w.name}`, b.lossGrads[k]!));
    const bytes = writeModel(b.g, { weights: 'inputs' });
    const info = readModelInfo(bytes);
    expect(info.inputs.map((i) => i.name).sort()).toEqual(['b1', 'b2', 'edge_index', 'forces_ref', 'pos', 'w1', 'w2', 'w3']);
    expect(info.initializers).not.toContain('w1');
    const f = { ...feeds(dtype) } as Record<string, Feeds[string]>;
    for (const w of b.weights) f[w.name] = { data: typed(dtype, w.data!), dims: [...(w.shape as number[])] };
    const session = await createSession(bytes, { device: 'cpu' });
    const got = await session.run(f as never);
    const want = evaluateValues(b.g, f, [...b.g.outputs.values()]);
    const tol = dtype === 'float64' ? 1e-11 : 1e-4;
    [...b.g.outputs.keys()].forEach((name, k) => {
      const scale = Math.max(1, ...Array.from(want[k]!.data, Math.abs));
      Array.from(want[k]!.data).forEach((v, e) => expect(Math.abs(Number(got[name]!.data[e]) - v) / scale, `${name}[${e}]`).toBeLessThan(tol));
    });
    // Feeding different weights changes the result: they are really inputs, not baked in.
    f.w1 = { data: typed(dtype, Array.from(f.w1!.data as Float64Array, (v) => v * 1.5)), dims: [1, H] };
    const again = await session.run(f as never);
    expect(Number(again.energy!.data[0])).not.toBeCloseTo(Number(want[0]!.data[0]), 3);
    await session.release();
  });

  it('Hessian-vector products of the energy match finite differences of its gradient', () => {
    const b = build('float64');
    const base = feeds('float64');
    const v = b.g.input('v', ['N', 3]);
    const [dE] = b.g.grad(b.energy, [b.pos]);
    const [hv] = b.g.grad(b.g.reduceSum(b.g.mul(dE!, v)), [b.pos]);
    const rnd = seeded(9);
    const vData = Float64Array.from({ length: N * 3 }, () => rnd());
    const [got] = evaluateValues(b.g, { ...base, v: { data: vData, dims: [N, 3] } }, [hv!]);
    const x = base.pos!.data as Float64Array;
    const h = 1e-5;
    const gradAt = (s: number) => evaluateValues(b.g, { ...base, pos: { data: x.map((xi, k) => xi + s * h * vData[k]!), dims: [N, 3] } }, [dE!])[0]!.data;
    const gp = gradAt(1);
    const gm = gradAt(-1);
    for (let k = 0; k < N * 3; k++) {
      const fd = (gp[k]! - gm[k]!) / (2 * h);
      expect(Math.abs(got!.data[k]! - fd) / Math.max(1, Math.abs(fd)), `(H v)[${k}]`).toBeLessThan(1e-6);
    }
  });
});
