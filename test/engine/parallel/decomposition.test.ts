import { describe, expect, it } from 'vitest';
import { Box, Rng } from '../../../engine/index.js';
import { bisectPoints, decompose, type Domain } from '../../../engine/parallel/index.js';

type Pbc = [boolean, boolean, boolean];

/** Uniform random positions in the cell (fractional (0, 1)), or in a sphere of `radius` Å about `centre`. */
function randomAtoms(n: number, box: Box, rng: Rng, sphere?: { centre: number[]; radius: number }): Float64Array {
  const x = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    if (sphere) {
      let p: number[];
      do p = [0, 1, 2].map(() => 2 * rng.uniform() - 1); while (Math.hypot(...p) > 1);
      for (let k = 0; k < 3; k++) x[3 * i + k] = sphere.centre[k] + sphere.radius * p[k];
    } else {
      const f = [rng.uniform(), rng.uniform(), rng.uniform()];
      for (let k = 0; k < 3; k++) x[3 * i + k] = f[0] * box.cell[k] + f[1] * box.cell[3 + k] + f[2] * box.cell[6 + k];
    }
  }
  return x;
}

/** Keys "atom,a,b,c" of every image of every atom within `width` Å of some owned atom of `domain` (brute force). */
function neededImages(x: Float64Array, box: Box, domain: Domain, width: number, reach: number): Set<string> {
  const n = x.length / 3, c = box.cell;
  const out = new Set<string>();
  const owned = new Float64Array(3 * domain.owned);
  for (let o = 0; o < domain.owned; o++) {
    const i = domain.atoms[o], a = domain.cells[3 * o], b = domain.cells[3 * o + 1], d = domain.cells[3 * o + 2];
    for (let k = 0; k < 3; k++) owned[3 * o + k] = x[3 * i + k] + a * c[k] + b * c[3 + k] + d * c[6 + k];
  }
  const r = [0, 1, 2].map((k) => (box.pbc[k] ? reach : 0));
  for (let j = 0; j < n; j++) {
    for (let a = -r[0]; a <= r[0]; a++) for (let b = -r[1]; b <= r[1]; b++) for (let d = -r[2]; d <= r[2]; d++) {
      const px = x[3 * j] + a * c[0] + b * c[3] + d * c[6], py = x[3 * j + 1] + a * c[1] + b * c[4] + d * c[7], pz = x[3 * j + 2] + a * c[2] + b * c[5] + d * c[8];
      let near = false;
      for (let o = 0; o < domain.owned && !near; o++) {
        const dx = px - owned[3 * o], dy = py - owned[3 * o + 1], dz = pz - owned[3 * o + 2];
        near = dx * dx + dy * dy + dz * dz < width * width;
      }
      if (!near) continue;
      // Local cells of this image (cells are relative to the raw position), folded to 0 along the
      // domain's own periodic axes, where images are implicit.
      const t = [a, b, d].map((v, k) => (domain.pbc[k] ? 0 : v));
      out.add(`${j},${t.join(',')}`);
    }
  }
  return out;
}

/** Keys of a domain's local atoms, images along its periodic axes folded to 0. */
function localImages(domain: Domain): Set<string> {
  const out = new Set<string>();
  for (let k = 0; k < domain.atoms.length; k++) {
    const t = [0, 1, 2].map((a) => (domain.pbc[a] ? 0 : domain.cells[3 * k + a]));
    out.add(`${domain.atoms[k]},${t.join(',')}`);
  }
  return out;
}

const CASES: [string, Box, Pbc][] = [
  ['periodic cube', Box.orthorhombic(20, 20, 20), [true, true, true]],
  ['triclinic', new Box([18, 0, 0, 5, 17, 0, -4, 3, 19], [true, true, true]), [true, true, true]],
  ['slab (open z)', new Box([20, 0, 0, 0, 20, 0, 0, 0, 12], [true, true, false]), [true, true, false]],
  ['thin box (6 Å < shell)', Box.orthorhombic(24, 24, 6), [true, true, true]],
];

describe('decompose (recursive coordinate bisection with ghost shells)', () => {
  it.each(CASES)('%s: every atom owned once, counts balanced, the shell holds every image within the width', (_name, box) => {
    const rng = new Rng(7);
    const x = randomAtoms(150, box, rng);
    const width = 4.5;
    for (const D of [1, 2, 3, 4]) {
      const { domains, owner } = decompose(x, box, { domains: D, ghostWidth_A: width });
      expect(domains).toHaveLength(D);
      const counts = domains.map((d) => d.owned);
      expect(counts.reduce((a, b) => a + b)).toBe(150);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      domains.forEach((d, k) => { for (let o = 0; o < d.owned; o++) expect(owner[d.atoms[o]]).toBe(k); });
      for (const d of domains) {
        const have = localImages(d);
        expect(have.size).toBe(d.atoms.length); // no duplicate local atom
        for (const key of neededImages(x, box, d, width, 1)) expect(have.has(key), `missing ${key} (D = ${D})`).toBe(true);
      }
    }
  });

  it('a periodic axis that no cut crosses stays periodic in the domain; a thin one gets several images', () => {
    const box = Box.orthorhombic(40, 12, 12);
    const x = randomAtoms(300, box, new Rng(3));
    const { domains } = decompose(x, box, { domains: 2, ghostWidth_A: 14 });
    for (const d of domains) {
      expect(d.pbc).toEqual([false, true, true]); // cut along the long axis only
      // 14 Å of shell on a 20 Å half of a 40 Å box: some atoms appear twice (both neighbours' sides).
      const copies = new Map<number, number>();
      for (const a of d.atoms.subarray(d.owned)) copies.set(a, (copies.get(a) ?? 0) + 1);
      expect(Math.max(...copies.values())).toBeGreaterThanOrEqual(2);
    }
  });

  it('balances a droplet in a large periodic box and a cluster in vacuum by atom count', () => {
    const rng = new Rng(11);
    const box = Box.orthorhombic(60, 60, 60);
    const droplet = randomAtoms(999, box, rng, { centre: [8, 30, 30], radius: 12 });
    const cluster = randomAtoms(500, box, rng, { centre: [0, 0, 0], radius: 10 });
    for (const [x, b] of [[droplet, box], [cluster, Box.open()]] as const) {
      for (const D of [2, 4, 7]) {
        const counts = decompose(x, b, { domains: D, ghostWidth_A: 3 }).domains.map((d) => d.owned);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is a function of the positions: the same input gives the same domains; more domains than atoms leave some empty', () => {
    const box = new Box([10, 0, 0, 2, 11, 0, 1, -2, 9], [true, true, true]);
    const x = randomAtoms(50, box, new Rng(5));
    const a = decompose(x, box, { domains: 3, ghostWidth_A: 3 }), b = decompose(x.slice(), box, { domains: 3, ghostWidth_A: 3 });
    expect(a.domains.map((d) => [Array.from(d.atoms), Array.from(d.cells)])).toEqual(b.domains.map((d) => [Array.from(d.atoms), Array.from(d.cells)]));
    const few = decompose(x.subarray(0, 6), box, { domains: 8, ghostWidth_A: 3 });
    expect(few.domains.map((d) => d.owned).reduce((s, v) => s + v)).toBe(2);
    expect(few.domains.filter((d) => d.owned === 0).length).toBe(6);
  });

  it('names bad options and positions', () => {
    const box = Box.orthorhombic(5, 5, 5);
    expect(() => decompose(new Float64Array(6), box, { domains: 0, ghostWidth_A: 1 })).toThrow(/domains must be a positive integer/);
    expect(() => decompose(new Float64Array(6), box, { domains: 1, ghostWidth_A: -1 })).toThrow(/ghostWidth_A/);
    expect(() => decompose(Float64Array.of(0, 0, NaN), box, { domains: 1, ghostWidth_A: 1 })).toThrow(/atom 0 has a non-finite position/);
  });

  it('bisectPoints splits points into compact groups of equal count', () => {
    const pts = Float64Array.from({ length: 3 * 8 }, (_, k) => (k % 3 === 0 ? Math.floor(k / 3) : 0));
    expect(bisectPoints(pts, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 2).map((g) => Array.from(g))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });
});
