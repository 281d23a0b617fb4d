import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random.js';

describe('Rng', () => {
  it('reproduces a stream from its seed and from a saved state', () => {
    const a = new Rng(42);
    const first = Array.from({ length: 5 }, () => a.normal()); // leaves a spare normal cached
    const saved = a.state();
    const next = Array.from({ length: 7 }, () => a.normal());
    const b = Rng.fromState(saved);
    expect(Array.from({ length: 7 }, () => b.normal())).toEqual(next);
    const c = new Rng(42);
    expect(Array.from({ length: 5 }, () => c.normal())).toEqual(first);
  });

  it('gives different streams for different seeds and split indices', () => {
    expect(new Rng(1).uniform()).not.toBe(new Rng(2).uniform());
    const p = new Rng(7);
    expect(p.split(0).uniform()).not.toBe(p.split(1).uniform());
    expect(p.split(3).uniform()).toBe(new Rng(7).split(3).uniform());
  });

  it('has unit-variance normals and uniform mean 1/2', () => {
    const r = new Rng(123);
    const n = 200_000;
    let s = 0, s2 = 0, u = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
      u += r.uniform();
    }
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(u / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
  });
});
