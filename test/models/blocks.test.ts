/**
 * Each graph emitter against o3's float64 evaluation of the same plan (through the reference
 * interpreter): spherical harmonics, Linear, the 'uvu' convolution, the self-connection, the gate,
 * the radial embedding, and the block checks.
 */
import { describe, expect, it } from 'vitest';
import { channelwise, fullyConnected, Gate, activations, Irreps, Linear, sphericalHarmonics } from '../../o3/index.js';
import { createGraph, evaluateValues, type Graph, type Value } from '../../onnx/index.js';
import { Rng } from '../../engine/random.js';
import { fromFlat, toFlat } from '../../models/features.js';
import { linearLayer } from '../../models/linear-layer.js';
import { createParameterSet } from '../../models/parameters.js';
import { emitConvolution, selfConnectionLayer } from '../../models/tensor-product-layer.js';
import { emitGate } from '../../models/gate-layer.js';
import { emitSphericalHarmonics } from '../../models/spherical-harmonics-layer.js';
import { polynomialCutoff, radialEmbedding } from '../../models/radial.js';
import { radialSchema } from '../../models/options.js';
import { checkBlocks, type Block } from '../../models/block.js';

const rng = new Rng(11);
const normals = (n: number): Float64Array => {
  const a = new Float64Array(n);
  rng.fillNormal(a);
  return a;
};

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function run(g: Graph, feeds: Record<string, { data: Float64Array | BigInt64Array; dims: number[] }>, v: Value): Float64Array {
  return evaluateValues(g, feeds, [v])[0]!.data;
}

describe('graph emitters match o3 plans', () => {
  it('spherical harmonics up to l = 3 equal o3.sphericalHarmonics', () => {
    const E = 7;
    const vec = normals(3 * E);
    const g = createGraph({ dtype: 'float64' });
    const x = g.input('x', ['E', 3]);
    const len = g.sqrt(g.reduceSum(g.mul(x, x), [1], true));
    const sh = emitSphericalHarmonics(g, x, len, { lmax: 3 });
    const got = run(g, { x: { data: vec, dims: [E, 3] } }, sh.flat);
    expect(sh.irreps.toString()).toBe('1x0e+1x1o+1x2e+1x3o');
    expect(maxDiff(got, sphericalHarmonics(3, vec))).toBeLessThan(1e-12);
  });

  it('Linear with biases equals Linear.apply, through the channel-last layout', () => {
    const lin = new Linear({ irrepsIn: '3x0e+2x1o+2x0e+1x2e', irrepsOut: '4x0e+3x1o+2x2e', biases: true });
    const params = createParameterSet(3);
    const layer = linearLayer(params, 'lin', lin);
    for (const p of params.list()) if (p.name.includes('.b')) p.data.set(normals(p.data.length));
    const B = 5;
    const x = normals(B * lin.irrepsIn.dim);
    const g = createGraph({ dtype: 'float64' });
    const xin = g.input('x', ['B', lin.irrepsIn.dim]);
    const y = toFlat(g, layer.emit(g, fromFlat(g, xin, lin.irrepsIn, 'B')), 'B');
    const weights = Float64Array.from(lin.instructions.flatMap((_, n) => [...params.get(`lin.w${n}`).data]));
    const biases = Float64Array.from(lin.biases.flatMap((b) => [...params.get(`lin.b${b.iOut}`).data]));
    expect(maxDiff(run(g, { x: { data: x, dims: [B, lin.irrepsIn.dim] } }, y), lin.apply(x, weights, biases))).toBeLessThan(1e-12);
  });

  it("the 'uvu' convolution with per-edge weights, summed into centres, equals TensorProduct.apply", () => {
    const tp = channelwise('3x0e+2x1o+2x2e', Irreps.sphericalHarmonics(2), '0e+1o+2e+1e+2o+0o');
    const E = 6;
    const N = 3;
    const x1 = normals(E * tp.irrepsIn1.dim);
    const sh = sphericalHarmonics(2, normals(3 * E));
    const w = normals(E * tp.weightNumel);
    const center = [0, 0, 1, 2, 2, 2];
    const g = createGraph({ dtype: 'float64' });
    const xin = g.input('x', ['E', tp.irrepsIn1.dim]);
    const shin = g.input('sh', ['E', 9]);
    const win = g.input('w', ['E', tp.weightNumel]);
    const cin = g.input('c', ['E'], 'int64');
    const feeds = {
      x: { data: x1, dims: [E, tp.irrepsIn1.dim] },
      sh: { data: sh, dims: [E, 9] },
      w: { data: w, dims: [E, tp.weightNumel] },
      c: { data: BigInt64Array.from(center.map(BigInt)), dims: [E] },
      n: { data: new Float64Array(N), dims: [N] },
    };
    g.input('n', ['N']);
    const perEdge = toFlat(g, emitConvolution(g, tp, fromFlat(g, xin, tp.irrepsIn1, 'E'), shin, win, undefined, 'tp'), 'E');
    const want = tp.apply(x1, sh, w);
    expect(maxDiff(run(g, feeds, perEdge), want)).toBeLessThan(1e-12);
    const summed = toFlat(g, emitConvolution(g, tp, fromFlat(g, xin, tp.irrepsIn1, 'E'), shin, win, { index: cin, numSegments: 'N' }, 'tp'), 'N');
    const dim = tp.irrepsOut.dim;
    const wantSum = new Float64Array(N * dim);
    center.forEach((c, e) => { for (let k = 0; k < dim; k++) wantSum[c * dim + k] += want[e * dim + k]!; });
    expect(maxDiff(run(g, feeds, summed), wantSum)).toBeLessThan(1e-12);
  });

  it('the species self-connection equals a fully connected tensor product with one-hot attributes', () => {
    const tp = fullyConnected('4x0e+2x1o+3x2e', '3x0e', '5x0e+2x1o+1x2e');
    const params = createParameterSet(5);
    const sc = selfConnectionLayer(params, 'sc', tp);
    const B = 4;
    const x = normals(B * tp.irrepsIn1.dim);
    const species = [2, 0, 1, 2];
    const onehot = new Float64Array(B * 3);
    species.forEach((s, b) => (onehot[b * 3 + s] = 1));
    const g = createGraph({ dtype: 'float64' });
    const xin = g.input('x', ['B', tp.irrepsIn1.dim]);
    const ain = g.input('a', ['B', 3]);
    const y = toFlat(g, sc.emit(g, fromFlat(g, xin, tp.irrepsIn1, 'B'), ain), 'B');
    const weights = Float64Array.from(tp.instructions.flatMap((_, n) => [...params.get(`sc.w${n}`).data]));
    const got = run(g, { x: { data: x, dims: [B, tp.irrepsIn1.dim] }, a: { data: onehot, dims: [B, 3] } }, y);
    expect(maxDiff(got, tp.apply(x, onehot, weights))).toBeLessThan(1e-12);
  });

  it('the gate (interleaved scalars and gates, odd scalars) equals Gate.apply', () => {
    const gate = new Gate({
      scalars: '3x0e+2x0o', actScalars: [activations.silu, activations.tanh],
      gates: '2x0e+1x0e', actGates: [activations.sigmoid, activations.silu],
      gated: '2x1o+1x2e',
    });
    const B = 3;
    const x = normals(B * gate.irrepsIn.dim);
    const g = createGraph({ dtype: 'float64' });
    const xin = g.input('x', ['B', gate.irrepsIn.dim]);
    const y = toFlat(g, emitGate(g, gate, fromFlat(g, xin, gate.irrepsIn, 'B'), 'gate'), 'B');
    expect(maxDiff(run(g, { x: { data: x, dims: [B, gate.irrepsIn.dim] } }, y), gate.apply(x))).toBeLessThan(1e-12);
  });

  it('the radial embedding is the Bessel basis times the polynomial envelope, zero beyond r_max', () => {
    const s = radialSchema.parse({ numBasis: 4, cutoffP: 6 });
    const params = createParameterSet(1);
    const rMax = 3;
    const embedding = radialEmbedding(params, 'rb', rMax, s);
    const r = Float64Array.of(0.5, 1.7, 2.9, 2.999, 3.0, 3.4);
    const g = createGraph({ dtype: 'float64' });
    const len = g.input('r', ['E', 1]);
    const emb = embedding.emit(g, len);
    const got = run(g, { r: { data: r, dims: [r.length, 1] } }, emb);
    const want = new Float64Array(r.length * 4);
    r.forEach((ri, e) => { for (let n = 0; n < 4; n++) want[e * 4 + n] = (2 / rMax) * Math.sin(((n + 1) * Math.PI * ri) / rMax) / ri * polynomialCutoff(ri / rMax, 6); });
    expect(maxDiff(got, want)).toBeLessThan(1e-14);
    expect(got.slice(16).every((v) => v === 0)).toBe(true); // r = r_max and beyond
    // The envelope is 1 at 0 and flat to second order at r_max.
    expect(polynomialCutoff(0, 6)).toBe(1);
    const h = 1e-4;
    expect(Math.abs(polynomialCutoff(1 - h, 6))).toBeLessThan(1e-9);
  });

  it('checkBlocks names the block and field whose irreps do not match', () => {
    const mk = (name: string, ins: Record<string, string>, outs: Record<string, string>): Block => ({
      name,
      irrepsIn: Object.fromEntries(Object.entries(ins).map(([k, v]) => [k, Irreps.parse(v)])),
      irrepsOut: Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, Irreps.parse(v)])),
      emit: () => {},
    });
    const a = mk('embed', {}, { node_features: '8x0e' });
    expect(() => checkBlocks([a, mk('layer0', { node_features: '8x0e+8x1o' }, {})])).toThrow(/block 'layer0' expects 'node_features' with irreps 8x0e\+8x1o, but it has 8x0e/);
    expect(() => checkBlocks([mk('readout', { atomic_energy: '1x0e' }, {})])).toThrow(/block 'readout' reads field 'atomic_energy', which no earlier block writes/);
    expect(checkBlocks([a, mk('layer0', { node_features: '8x0e' }, { node_features: '8x0e+8x1o' })])['node_features']!.toString()).toBe('8x0e+8x1o');
  });
});

describe('channel product', () => {
  it("a weightless 'uuu' product of two multi-term features equals TensorProduct.apply", async () => {
    const { TensorProduct } = await import('../../o3/index.js');
    const { emitChannelProduct } = await import('../../models/tensor-product-layer.js');
    const in1 = Irreps.parse('3x0e+3x1o+3x2e');
    const in2 = Irreps.parse('3x0e+3x1o+3x2e');
    const specs: { i1: number; i2: number; out: number; mode: 'uuu'; hasWeight: false }[] = [];
    const outTerms: string[] = [];
    in1.terms.forEach((a, i1) => in2.terms.forEach((b, i2) => {
      for (const ir of a.ir.times(b.ir)) if (ir.l <= 2) { specs.push({ i1, i2, out: outTerms.length, mode: 'uuu', hasWeight: false }); outTerms.push(`3x${ir}`); }
    }));
    const tp = new TensorProduct({ irrepsIn1: in1, irrepsIn2: in2, irrepsOut: outTerms.join('+'), instructions: specs });
    const B = 4;
    const x1 = normals(B * in1.dim), x2 = normals(B * in2.dim);
    const g = createGraph({ dtype: 'float64' });
    const a = g.input('a', ['B', in1.dim]);
    const b = g.input('b', ['B', in2.dim]);
    const y = toFlat(g, emitChannelProduct(g, tp, fromFlat(g, a, in1, 'B'), fromFlat(g, b, in2, 'B'), 'uuu'), 'B');
    const got = run(g, { a: { data: x1, dims: [B, in1.dim] }, b: { data: x2, dims: [B, in2.dim] } }, y);
    expect(maxDiff(got, tp.apply(x1, x2))).toBeLessThan(1e-12);
  });
});
