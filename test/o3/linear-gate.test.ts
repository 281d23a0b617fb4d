import { describe, expect, it } from 'vitest';
import { Gate, Linear, NormActivation, activations, normalize2mom, seededUniform } from '../../o3/index.js';
import { assertEquivariant, normals } from '../../testing/index.js';
import { loadE3nn, maxAbsDiff } from './fixtures.js';

const rand = seededUniform(31);

describe('Linear against e3nn 0.5.6', () => {
  const ref = loadE3nn('linear.json');
  for (const c of ref.cases) {
    it(`${c.irreps_in} → ${c.irreps_out}${c.biases ? ' (biases, path normalization)' : ''}`, () => {
      const lin = new Linear({ irrepsIn: c.irreps_in, irrepsOut: c.irreps_out, biases: c.biases, pathNormalization: c.path_normalization });
      expect(lin.weightNumel).toBe(c.weight_numel);
      expect(lin.biasNumel).toBe(c.bias_numel ?? 0);
      expect(lin.instructions.map((i) => [i.iIn, i.iOut])).toEqual(c.instructions.map((i: number[]) => i.slice(0, 2)));
      lin.instructions.forEach((ins, n) => expect(ins.pathWeight).toBeCloseTo(c.instructions[n][2], 14));
      const out = lin.apply(new Float64Array(c.x), new Float64Array(c.weights), new Float64Array(c.bias ?? []));
      expect(maxAbsDiff(out, c.out)).toBeLessThan(1e-13);
    });
  }
});

describe('Linear', () => {
  it('is equivariant for irreps up to l = 4, with per-sample weights', () => {
    const lin = new Linear({ irrepsIn: '3x0e+2x1o+2x2e+1x3o+2x4e+1x1e', irrepsOut: '2x0e+3x1o+1x2e+2x3o+1x4e+2x2o' });
    const w = normals(4 * lin.weightNumel, rand);
    const r = assertEquivariant((x) => lin.apply(x, w), lin.irrepsIn, lin.irrepsOut, { batch: 4, rand });
    expect(r.maxOutput).toBeGreaterThan(1e-3);
  });
  it('adds biases on 0e outputs only, after the weights', () => {
    const lin = new Linear({ irrepsIn: '2x0e+1x1o', irrepsOut: '3x0e+1x1o', biases: true });
    expect(lin.biasNumel).toBe(3);
    const out = lin.apply(new Float64Array(5), new Float64Array(lin.weightNumel), Float64Array.of(1, 2, 3));
    expect(Array.from(out)).toEqual([1, 2, 3, 0, 0, 0]);
    expect(() => new Linear({ irrepsIn: '1o', irrepsOut: '1o', biases: [true] })).toThrow(/only 0e/);
    expect(() => new Linear({ irrepsIn: '1o', irrepsOut: '1e', instructions: [{ iIn: 0, iOut: 0 }] })).toThrow(/connects 1o to 1e/);
  });
  it('outputs with no matching input stay zero', () => {
    const lin = new Linear({ irrepsIn: '2x0e', irrepsOut: '1x0e+1x1o' });
    const out = lin.apply(Float64Array.of(1, 1), Float64Array.of(1, 1));
    expect(out[0]).toBeCloseTo(Math.SQRT2, 15); // (1 + 1) / √(fan-in 2)
    expect(Array.from(out.subarray(1))).toEqual([0, 0, 0]);
  });
});

describe('activations and Gate', () => {
  const ref = loadE3nn('activations.json');
  it('normalize2mom is the exact value e3nn estimates by Monte Carlo', () => {
    for (const name of ['silu', 'tanh', 'sigmoid', 'abs'] as const) {
      const c = normalize2mom(activations[name].fn);
      expect(Math.abs(c / ref.cst[name] - 1), name).toBeLessThan(2e-3);
    }
    // exact: E[z²] = 1 for identity and |z|
    expect(normalize2mom(activations.identity.fn)).toBe(1);
    expect(normalize2mom(activations.abs.fn)).toBe(1);
    expect(normalize2mom((x) => 2 * x)).toBeCloseTo(0.5, 12);
  });
  it('matches e3nn Gate (layout exactly; values to the normalize2mom Monte Carlo error)', () => {
    const spec = {
      scalars: '2x0e+1x0o',
      actScalars: [activations.silu, activations.tanh],
      gates: '3x0e',
      actGates: [activations.sigmoid],
      gated: '2x1o+1x2e',
    };
    const gate = new Gate(spec);
    expect(gate.irrepsIn.toString()).toBe(ref.gate.irreps_in);
    expect(gate.irrepsOut.toString()).toBe(ref.gate.irreps_out);
    const out = gate.apply(new Float64Array(ref.gate.x));
    const rel = maxAbsDiff(out, ref.gate.out) / Math.max(...ref.gate.out.map(Math.abs));
    expect(rel).toBeLessThan(3e-3);
    // with e3nn's own Monte Carlo constants the match is exact
    const e3nnGate = new Gate({ ...spec, normalizeActivations: (a) => ref.cst[a.name] });
    expect(maxAbsDiff(e3nnGate.apply(new Float64Array(ref.gate.x)), ref.gate.out)).toBeLessThan(1e-13);
  });
  it('is equivariant, and the plan names scalars, gates and gated slices', () => {
    const gate = new Gate({
      scalars: '4x0e+2x0o',
      actScalars: [activations.silu, activations.tanh],
      gates: '3x0e+2x0o',
      actGates: [activations.sigmoid, activations.tanh],
      gated: '2x1o+1x2e+1x3o+1x4e',
    });
    expect(gate.irrepsOut.toString()).toBe('4x0e+2x0o+2x1o+1x2e+1x3e+1x4o');
    expect(gate.scalarTerms.map((t) => [t.input.start, t.input.stop])).toEqual([[4, 8], [0, 2]]); // 0o terms sort first: 2x0o scalars, 2x0o gates, 4x0e scalars, 3x0e gates
    expect(gate.gateTerms.map((t) => [t.input.start, t.input.stop])).toEqual([[8, 11], [2, 4]]);
    const r = assertEquivariant((x) => gate.apply(x), gate.irrepsIn, gate.irrepsOut, { rand });
    expect(r.maxOutput).toBeGreaterThan(1e-3);
  });
  it('rejects mismatched plans', () => {
    expect(() => new Gate({ scalars: '', actScalars: [], gates: '2x0e', actGates: [activations.sigmoid], gated: '3x1o' })).toThrow(/2 gates for 3 gated/);
    expect(() => new Gate({ scalars: '1x0o', actScalars: [activations.silu], gates: '', actGates: [], gated: '' })).toThrow(/neither even nor odd/);
    expect(() => new Gate({ scalars: '1x1o', actScalars: [activations.silu], gates: '', actGates: [], gated: '' })).toThrow(/l = 0/);
    expect(() => new Gate({ scalars: '1x0e', actScalars: [], gates: '', actGates: [], gated: '' })).toThrow(/1 terms but 0 activations/);
  });
});

describe('NormActivation', () => {
  it('rescales each copy by f(|x|)/|x|, maps zero to zero, and is equivariant', () => {
    const act = new NormActivation({ irreps: '1x0e+2x1o+1x2e+1x3o', activation: activations.sigmoid });
    const x = new Float64Array(act.irrepsIn.dim);
    x.set([3, 4], 1); // first 1o copy: |x| = 5
    const y = act.apply(x);
    expect(y[1]).toBeCloseTo((3 * activations.sigmoid.fn(5)) / 5, 15);
    expect(y[0]).toBe(0);
    expect(y.every(Number.isFinite)).toBe(true);
    const r = assertEquivariant((v) => act.apply(v), act.irrepsIn, act.irrepsOut, { rand });
    expect(r.maxOutput).toBeGreaterThan(1e-3);
  });
});

