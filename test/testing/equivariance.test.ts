/**
 * e3md/testing's assertEquivariant: passes on equivariant maps (a Linear, spherical harmonics, a
 * cross product as 1o ⊗ 1o → 1e), and fails, naming the rotation and the component, on maps that
 * are not — a component swap, a pseudovector declared as a vector, a constant offset, float32
 * rounding at float64 tolerance.
 */
import { describe, expect, it } from 'vitest';
import { Linear, seededUniform, sphericalHarmonics } from '../../o3/index.js';
import { assertEquivariant, AssertionError, normals } from '../../testing/index.js';

const rand = seededUniform(17);

/** Row-wise cross product of [batch, 6] inputs (two vectors per sample) → [batch, 3]. */
function cross(x: Float64Array): Float64Array {
  const y = new Float64Array(x.length / 2);
  for (let s = 0; s < y.length / 3; s++) {
    const [a0, a1, a2, b0, b1, b2] = x.subarray(6 * s, 6 * s + 6);
    y.set([a1! * b2! - a2! * b1!, a2! * b0! - a0! * b2!, a0! * b1! - a1! * b0!], 3 * s);
  }
  return y;
}

describe('assertEquivariant passes equivariant maps', () => {
  it('a Linear between irreps, spherical harmonics of a vector, and a cross product (1o × 1o → 1e)', () => {
    const lin = new Linear({ irrepsIn: '4x0e+2x1o+1x2e', irrepsOut: '3x0e+1x1o+2x2e' });
    const w = normals(lin.weightNumel, rand);
    const report = assertEquivariant((x) => lin.apply(x, w), lin.irrepsIn, lin.irrepsOut, { rand });
    expect(report.maxError).toBeLessThan(1e-12);
    expect(report.maxOutput).toBeGreaterThan(0.1);

    expect(assertEquivariant((x) => sphericalHarmonics([0, 1, 2, 3], x), '1x1o', '0e+1o+2e+3o', { rand }).maxError).toBeLessThan(1e-12);
    expect(assertEquivariant(cross, '2x1o', '1e', { rand }).maxError).toBeLessThan(1e-12);
  });
});

describe('assertEquivariant fails maps that are not', () => {
  it('swapping components of a vector fails under the first proper rotation, naming the component', () => {
    const swap = (x: Float64Array) => Float64Array.from(x, (_, i) => x[i ^ 1]!);
    expect(() => assertEquivariant(swap, '2x1o', '2x1o')).toThrow(AssertionError);
    expect(() => assertEquivariant(swap, '2x1o', '2x1o')).toThrow(/not equivariant \(2x1o -> 2x1o\) under a proper rotation #0: component \d of sample \d is off by/);
  });

  it('a pseudovector declared as a vector passes proper rotations and fails only under an improper one', () => {
    expect(() => assertEquivariant(cross, '2x1o', '1o')).toThrow(/under an improper rotation #0/);
    expect(assertEquivariant(cross, '2x1o', '1o', { improper: false }).maxError).toBeLessThan(1e-12);
  });

  it('a constant offset (no fixed origin is equivariant) and a non-finite output fail', () => {
    expect(() => assertEquivariant((x) => x.map((v, i) => v + (i % 3 === 0 ? 0.1 : 0)), '1o', '1o')).toThrow(/not equivariant/);
    expect(() => assertEquivariant((x) => x.map((v, i) => (i === 4 ? NaN : v)), '1o', '1o')).toThrow(/returned NaN \(component 1 of sample 1\) for the unrotated inputs/);
  });

  it('float32 rounding fails the float64 default tolerance and passes at 1e-5', () => {
    const lin = new Linear({ irrepsIn: '4x1o+2x2e', irrepsOut: '3x1o+1x2e' });
    const w = normals(lin.weightNumel, rand);
    const f32 = (x: Float64Array) => Float32Array.from(lin.apply(Float64Array.from(Float32Array.from(x)), w));
    expect(() => assertEquivariant(f32, lin.irrepsIn, lin.irrepsOut)).toThrow(/not equivariant/);
    expect(assertEquivariant(f32, lin.irrepsIn, lin.irrepsOut, { tolerance: 1e-5 }).maxError).toBeGreaterThan(1e-9);
  });

  it('a map or inputs of the wrong length is a usage error (a plain Error, not an AssertionError)', () => {
    const short = () => assertEquivariant((x) => x.subarray(1), '1o', '1o');
    expect(short).toThrow(/fn returned 11 numbers for the unrotated inputs, expected 4x3 for 1x1o/);
    const error = (() => { try { short(); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(AssertionError);
    expect(() => assertEquivariant((x) => x, '1o', '1o', { inputs: new Float64Array(4) })).toThrow(/inputs has 4 numbers, not a multiple of 1x1o/);
  });
});
