import { describe, expect, it } from 'vitest';
import { Irrep, Irreps, TensorProduct, channelwise, elementwise, fullyConnected, seededUniform, type ConnectionMode, type InstructionSpec } from '../../o3/index.js';
import { assertEquivariant, normals } from '../../testing/index.js';
import { loadE3nn, maxAbsDiff } from './fixtures.js';

const ref = loadE3nn('tensor_product.json');

function build(c: any): TensorProduct {
  const normalization = { irrep: c.irrep_normalization, path: c.path_normalization };
  switch (c.kind) {
    case 'fullyConnected':
      return fullyConnected(c.irreps_in1, c.irreps_in2, c.irreps_out, normalization);
    case 'channelwise':
      return channelwise(c.irreps_in1, c.irreps_in2, c.filter);
    case 'elementwise':
      return elementwise(c.irreps_in1, c.irreps_in2);
    default:
      throw new Error(c.kind);
  }
}

describe('TensorProduct against e3nn 0.5.6', () => {
  for (const c of ref.cases) {
    it(`${c.kind} ${c.irreps_in1} ⊗ ${c.irreps_in2} → ${c.irreps_out}`, () => {
      const tp = build(c);
      expect(tp.irrepsIn1.toString()).toBe(c.irreps_in1);
      expect(tp.irrepsIn2.toString()).toBe(c.irreps_in2);
      expect(tp.irrepsOut.toString()).toBe(c.irreps_out);
      expect(tp.weightNumel).toBe(c.weight_numel);
      expect(tp.instructions.map((i) => [i.i1, i.i2, i.out, i.mode, i.hasWeight])).toEqual(c.instructions.map((i: any[]) => i.slice(0, 5)));
      for (let n = 0; n < c.instructions.length; n++) expect(tp.instructions[n].pathWeight).toBeCloseTo(c.instructions[n][5], 13);
      const out = tp.apply(new Float64Array(c.x1), new Float64Array(c.x2), new Float64Array(c.weights));
      expect(maxAbsDiff(out, c.out)).toBeLessThan(1e-13);
    });
  }
});

describe('TensorProduct plan', () => {
  it('lays weights out instruction by instruction in pathShape order', () => {
    const tp = fullyConnected('2x0e+3x1o', '0e+2x1o', '4x0e+1x1o');
    let offset = 0;
    for (const ins of tp.instructions) {
      expect(ins.weightOffset).toBe(offset);
      expect(ins.weightNumel).toBe(ins.pathShape.reduce((a, b) => a * b, 1));
      offset += ins.weightNumel;
    }
    expect(tp.weightNumel).toBe(offset);
    const sl = tp.slices();
    for (const ins of tp.instructions) {
      expect(ins.in1Slice).toEqual(sl.in1[ins.i1]);
      expect(ins.in2Slice).toEqual(sl.in2[ins.i2]);
      expect(ins.outSlice).toEqual(sl.out[ins.out]);
    }
    // weight W[u, v, w] of one path only: output = c · x1[u] x2[v] in slot w
    const ins = tp.instructions[0]; // 2x0e ⊗ 1x0e → 4x0e
    const w = new Float64Array(tp.weightNumel);
    w[ins.weightOffset + (1 * 1 + 0) * 4 + 2] = 1; // u = 1, v = 0, w = 2
    const x1 = new Float64Array(tp.irrepsIn1.dim);
    const x2 = new Float64Array(tp.irrepsIn2.dim);
    x1[1] = 2;
    x2[0] = 3;
    const out = tp.apply(x1, x2, w);
    expect(out[2]).toBeCloseTo(ins.pathWeight * 6, 14);
    expect(out.reduce((s, v) => s + Math.abs(v), 0)).toBeCloseTo(Math.abs(ins.pathWeight * 6), 14);
    expect(tp.weightView(w, 0)[6]).toBe(1);
    expect(tp.wigner3j(0).length).toBe(1);
  });
  it('a path without weights acts as all-ones weights', () => {
    const rand = seededUniform(4);
    for (const mode of ['uvw', 'uvu', 'uuw'] as const) {
      const spec = { irrepsIn1: '2x1o+2x2e', irrepsIn2: '2x1o', irrepsOut: '2x1e+2x2o' };
      const ins = (hasWeight: boolean): InstructionSpec[] => [{ i1: 0, i2: 0, out: 0, mode, hasWeight }, { i1: 1, i2: 0, out: 1, mode, hasWeight }];
      const free = new TensorProduct({ ...spec, instructions: ins(false) });
      const ones = new TensorProduct({ ...spec, instructions: ins(true) });
      expect(free.weightNumel).toBe(0);
      const x1 = normals(2 * 16, rand);
      const x2 = normals(2 * 6, rand);
      expect(maxAbsDiff(free.apply(x1, x2), ones.apply(x1, x2, new Float64Array(ones.weightNumel).fill(1))), mode).toBeLessThan(1e-14);
    }
  });
  it('per-sample weights equal shared weights applied sample by sample', () => {
    const rand = seededUniform(2);
    const tp = channelwise('4x0e+3x1o+2x2e', Irreps.sphericalHarmonics(3), '0e+1o+2e+3o');
    const B = 5;
    const x1 = normals(B * tp.irrepsIn1.dim, rand);
    const x2 = normals(B * tp.irrepsIn2.dim, rand);
    const w = normals(B * tp.weightNumel, rand);
    const all = tp.apply(x1, x2, w);
    for (let z = 0; z < B; z++) {
      const one = tp.apply(
        x1.subarray(z * tp.irrepsIn1.dim, (z + 1) * tp.irrepsIn1.dim),
        x2.subarray(z * tp.irrepsIn2.dim, (z + 1) * tp.irrepsIn2.dim),
        w.subarray(z * tp.weightNumel, (z + 1) * tp.weightNumel),
      );
      expect(maxAbsDiff(one, all.subarray(z * tp.irrepsOut.dim, (z + 1) * tp.irrepsOut.dim))).toBe(0);
    }
  });
  it('component normalization: unit-variance inputs give unit-variance outputs (fully connected)', () => {
    const rand = seededUniform(8);
    const tp = fullyConnected('8x0e+8x1o+8x2e', '0e+1o+2e', '4x0e+4x1o+4x2e');
    const B = 400;
    const out = tp.apply(normals(B * tp.irrepsIn1.dim, rand), normals(B * tp.irrepsIn2.dim, rand), normals(tp.weightNumel, rand));
    const mean2 = out.reduce((s, v) => s + v * v, 0) / out.length;
    expect(mean2).toBeGreaterThan(0.8);
    expect(mean2).toBeLessThan(1.25);
  });
  it('rejects broken instructions naming them', () => {
    const base = { irrepsIn1: '2x1o', irrepsIn2: '1x1o', irrepsOut: '2x0e+2x0o+3x1e' };
    const mk = (ins: InstructionSpec) => new TensorProduct({ ...base, instructions: [ins] });
    expect(() => mk({ i1: 0, i2: 0, out: 1, mode: 'uvu' })).toThrow(/instruction 0 .*parity/);
    expect(() => mk({ i1: 0, i2: 0, out: 2, mode: 'uvu' })).toThrow(/output mul = input 1 mul/);
    expect(() => mk({ i1: 0, i2: 0, out: 5, mode: 'uvw' })).toThrow(/output index out of range/);
    expect(() => mk({ i1: 0, i2: 0, out: 0, mode: 'uuu' })).toThrow(/equal multiplicities/);
    expect(() => mk({ i1: 0, i2: 0, out: 0, mode: 'xyz' as ConnectionMode })).toThrow(/unknown connection mode/);
    expect(() => new TensorProduct({ irrepsIn1: '0e', irrepsIn2: '0e', irrepsOut: '2e', instructions: [{ i1: 0, i2: 0, out: 0, mode: 'uvw' }] })).toThrow(/triangle/);
    const tp = fullyConnected('1o', '1o', '0e');
    expect(() => tp.apply(new Float64Array(3), new Float64Array(3), new Float64Array(2))).toThrow(/weights has length 2/);
    expect(() => tp.apply(new Float64Array(6), new Float64Array(3), new Float64Array(1))).toThrow(/batch/);
  });
});

describe('TensorProduct equivariance (random irreps up to l = 4, all modes)', () => {
  const rand = seededUniform(21);
  const irrepsPool = ['0e', '0o', '1o', '1e', '2e', '2o', '3o', '3e', '4e', '4o'].map((s) => Irrep.parse(s));
  const randomIrreps = (terms: number, mul: number): Irreps =>
    new Irreps(Array.from({ length: terms }, () => ({ mul: 1 + Math.floor(rand() * mul), ir: irrepsPool[Math.floor(rand() * irrepsPool.length)] })));

  function check(tp: TensorProduct, shared: boolean): void {
    const d1 = tp.irrepsIn1.dim;
    const B = 3;
    const w = normals((shared ? 1 : B) * tp.weightNumel, rand);
    const report = assertEquivariant(
      (x) => {
        const x1 = new Float64Array(B * d1);
        const x2 = new Float64Array(B * tp.irrepsIn2.dim);
        const D = d1 + tp.irrepsIn2.dim;
        for (let z = 0; z < B; z++) {
          x1.set(x.subarray(z * D, z * D + d1), z * d1);
          x2.set(x.subarray(z * D + d1, (z + 1) * D), z * tp.irrepsIn2.dim);
        }
        return tp.apply(x1, x2, w);
      },
      tp.irrepsIn1.concat(tp.irrepsIn2),
      tp.irrepsOut,
      { batch: B, rand, tolerance: 1e-10 },
    );
    expect(report.maxOutput).toBeGreaterThan(1e-3); // not trivially zero
  }

  it('fullyConnected (uvw)', () => {
    for (let t = 0; t < 3; t++) {
      const a = randomIrreps(3, 3);
      const b = randomIrreps(2, 2);
      const out = Irreps.concat(...a.terms.flatMap((x) => b.terms.flatMap((y) => x.ir.times(y.ir).map((ir) => `2x${ir}`)))).simplify();
      check(fullyConnected(a, b, out), true);
    }
  });
  it('channelwise (uvu) with per-sample weights', () => {
    check(channelwise('3x0e+2x1o+2x2e+1x3o+1x4e', Irreps.sphericalHarmonics(4), '0e+1o+2e+3o+4e'), false);
  });
  it('uvv, uuw, uuu and elementwise', () => {
    const mk = (mode: ConnectionMode, in1: string, in2: string, out: string): TensorProduct => {
      const a = Irreps.parse(in1);
      const b = Irreps.parse(in2);
      const o = Irreps.parse(out);
      const instructions: InstructionSpec[] = [];
      a.terms.forEach((x, i1) => b.terms.forEach((y, i2) => o.terms.forEach((z, k) => {
        if (!x.ir.times(y.ir).some((ir) => ir.equals(z.ir))) return;
        const muls = { uvv: z.mul === y.mul, uuw: x.mul === y.mul, uuu: x.mul === y.mul && y.mul === z.mul, uvw: true, uvu: z.mul === x.mul }[mode];
        if (muls) instructions.push({ i1, i2, out: k, mode });
      })));
      expect(instructions.length).toBeGreaterThan(0);
      return new TensorProduct({ irrepsIn1: a, irrepsIn2: b, irrepsOut: o, instructions });
    };
    check(mk('uvv', '2x1o+1x3e', '3x2e+3x1o', '3x1o+3x2e+3x3o+3x4e'), true);
    check(mk('uuw', '2x1o+2x4e', '2x2e+2x1e', '3x1o+3x3o+4x2e+1x4o'), true);
    check(mk('uuu', '2x1o+2x2e', '2x2e+2x3o', '2x1o+2x3o+2x4e+2x1e'), true);
    check(elementwise('2x0e+3x1o+1x4e', '3x1e+2x2o+1x4o'), true);
  });
});
