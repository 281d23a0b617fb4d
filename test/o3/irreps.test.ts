import { describe, expect, it } from 'vitest';
import { Irrep, Irreps } from '../../o3/index.js';
import { loadE3nn } from './fixtures.js';

const ref = loadE3nn('irreps.json');

describe('Irrep', () => {
  it('parses e/o/y and reports dim', () => {
    expect(Irrep.parse('1o')).toMatchObject({ l: 1, p: -1 });
    expect(Irrep.parse('2y').p).toBe(1);
    expect(Irrep.parse('3y').p).toBe(-1);
    expect(Irrep.parse('4e').dim).toBe(9);
    expect(Irrep.parse([2, -1]).toString()).toBe('2o');
  });
  it('rejects bad input naming it', () => {
    expect(() => Irrep.parse('1x')).toThrow(/"1x"/);
    expect(() => new Irrep(-1, 1)).toThrow(/non-negative/);
    expect(() => new Irrep(1, 0)).toThrow(/parity/);
  });
  it('follows the selection rule in products', () => {
    expect(Irrep.parse('1o').times('2e').map(String)).toEqual(['1o', '2o', '3o']);
    expect(Irrep.parse('0o').times('0o').map(String)).toEqual(['0e']);
  });
});

describe('Irreps against e3nn 0.5.6', () => {
  for (const c of ref.cases) {
    it(`"${c.input}"`, () => {
      const I = Irreps.parse(c.input);
      expect(I.toString()).toBe(c.str);
      expect(I.dim).toBe(c.dim);
      expect(I.numIrreps).toBe(c.num_irreps);
      expect(I.num_irreps).toBe(c.num_irreps);
      if (c.lmax !== null) expect(I.lmax).toBe(c.lmax);
      else expect(() => I.lmax).toThrow(/empty/);
      expect(I.simplify().toString()).toBe(c.simplify);
      const s = I.sort();
      expect(s.irreps.toString()).toBe(c.sort);
      expect(s.p).toEqual(c.p);
      expect(s.inv).toEqual(c.inv);
    });
  }
  it('spherical harmonics irreps', () => {
    expect(Irreps.sphericalHarmonics(3).toString()).toBe(ref.sh[0]);
    expect(Irreps.sphericalHarmonics(3, 1).toString()).toBe(ref.sh[1]);
  });
});

describe('Irreps', () => {
  const I = Irreps.parse('16x0e + 8x1o+4x2e');
  it('slices, count, filter, concat', () => {
    expect(I.slices()).toEqual([{ start: 0, stop: 16 }, { start: 16, stop: 40 }, { start: 40, stop: 60 }]);
    expect(Irreps.parse('2x1o+0e+3x1o').count('1o')).toBe(5);
    expect(I.filter({ keep: ['0e', '2e'] }).toString()).toBe('16x0e+4x2e');
    expect(I.filter({ drop: ['0e'] }).toString()).toBe('8x1o+4x2e');
    expect(I.filter((t) => t.mul > 4).toString()).toBe('16x0e+8x1o');
    expect(I.concat('1x3o').toString()).toBe('16x0e+8x1o+4x2e+1x3o');
    expect(Irreps.concat('0e', '1o', '0e').simplify().toString()).toBe('1x0e+1x1o+1x0e');
    expect(I.equals('16x0e+8x1o+4x2e')).toBe(true);
  });
  it('is immutable', () => {
    expect(Object.isFrozen(I)).toBe(true);
    expect(Object.isFrozen(I.terms)).toBe(true);
    expect(() => ((I.terms as any)[0].mul = 3)).toThrow();
  });
  it('rejects bad strings naming the term', () => {
    expect(() => Irreps.parse('16x0e+8xlo')).toThrow(/"8xlo"/);
    expect(() => Irreps.parse('3x')).toThrow(/"3x"/);
    expect(() => I.at(7)).toThrow(/out of range/);
  });
  it('D of an improper matrix applies parity per term', () => {
    const D = Irreps.parse('0e+0o+1o+1e').D([-1, 0, 0, 0, -1, 0, 0, 0, -1]);
    const diag = Array.from({ length: 8 }, (_, i) => D[i * 8 + i]);
    expect(diag.map((v) => Math.round(v))).toEqual([1, -1, -1, -1, -1, 1, 1, 1]);
    expect(() => Irreps.parse('1o').D([1, 0, 0, 0, 2, 0, 0, 0, 1])).toThrow(/not orthogonal/);
  });
});
