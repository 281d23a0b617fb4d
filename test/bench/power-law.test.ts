import { describe, expect, it } from 'vitest';
import { fitPowerLaw } from '../../bench/power-law.js';

describe('power-law fit of a learning curve (bench/power-law.ts)', () => {
  it('recovers an exact power law with zero standard error', () => {
    const n = [25, 50, 100, 200, 400, 800];
    const f = fitPowerLaw(n, n.map((x) => 300 * x ** -0.42));
    expect(f.beta).toBeCloseTo(0.42, 12);
    expect(f.prefactor).toBeCloseTo(300, 9);
    expect(f.betaStdErr).toBeLessThan(1e-12);
    expect(f.points).toBe(6);
  });

  it('matches scipy.stats.linregress on log–log data (slope, its standard error, intercept)', () => {
    // scipy 1.x: linregress(log N, log E) → slope −0.48332261356842593, stderr 0.012626629982365621, exp(intercept) 373.05082004071454
    const f = fitPowerLaw([25, 50, 100, 200, 400], [80, 55, 41, 28, 21]);
    expect(f.beta).toBeCloseTo(0.48332261356842593, 12);
    expect(f.betaStdErr).toBeCloseTo(0.012626629982365621, 12);
    expect(f.prefactor).toBeCloseTo(373.05082004071454, 8);
  });

  it('gives NaN for the standard error of two points, and refuses bad input', () => {
    expect(fitPowerLaw([10, 100], [10, 1]).beta).toBeCloseTo(1, 14);
    expect(fitPowerLaw([10, 100], [10, 1]).betaStdErr).toBeNaN();
    expect(() => fitPowerLaw([10], [1])).toThrow(/at least two points/);
    expect(() => fitPowerLaw([10, 20], [1, 0])).toThrow(/must be positive, got \(20, 0\)/);
    expect(() => fitPowerLaw([10, 10], [1, 2])).toThrow(/every size is the same/);
  });
});
