import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { createCellList } from '../../engine/cell-list.js';
import { createEdgeTensors, edgesWithin, writeEdges } from '../../engine/edges.js';
import type { NeighborList, NeighborListKind } from '../../engine/neighbor-list.js';
import { Rng } from '../../engine/random.js';
import { createVerletList } from '../../engine/verlet-list.js';

type Pbc = [boolean, boolean, boolean];

/** Pairs as canonical strings "i,j,ta,tb,tc" (t = integer lattice shift), half pairs oriented i<j or t>0. */
function canonical(i: number, j: number, t: number[], half: boolean): string {
  if (half) {
    const neg = i > j || (i === j && (t[0] < 0 || (t[0] === 0 && (t[1] < 0 || (t[1] === 0 && t[2] < 0)))));
    if (neg) return `${j},${i},${-t[0] + 0},${-t[1] + 0},${-t[2] + 0}`;
  }
  return `${i},${j},${t[0]},${t[1]},${t[2]}`;
}

function bruteForce(pos: Float64Array, box: Box, radius: number, kind: NeighborListKind): string[] {
  const n = pos.length / 3;
  const widths = box.volume > 0 ? box.perpendicularWidths() : [1, 1, 1];
  const frac = box.volume > 0 ? box.toFractional(pos) : new Float64Array(pos.length);
  const K = [0, 1, 2].map((k) => {
    if (!box.pbc[k]) return 0;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) { lo = Math.min(lo, frac[3 * i + k]); hi = Math.max(hi, frac[3 * i + k]); }
    return Math.ceil(radius / widths[k]) + Math.ceil(hi - lo) + 1;
  });
  const out = new Set<string>();
  const c = box.cell;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let a = -K[0]; a <= K[0]; a++) for (let b = -K[1]; b <= K[1]; b++) for (let d = -K[2]; d <= K[2]; d++) {
        if (i === j && a === 0 && b === 0 && d === 0) continue;
        const dx = pos[3 * j] - pos[3 * i] + a * c[0] + b * c[3] + d * c[6];
        const dy = pos[3 * j + 1] - pos[3 * i + 1] + a * c[1] + b * c[4] + d * c[7];
        const dz = pos[3 * j + 2] - pos[3 * i + 2] + a * c[2] + b * c[5] + d * c[8];
        if (dx * dx + dy * dy + dz * dz < radius * radius) out.add(canonical(i, j, [a, b, d], kind === 'half'));
      }
    }
  }
  return [...out].sort();
}

/** Every pair of the list (all are within its radius at the positions it was built from). */
function listed(list: NeighborList, box: Box, pos: Float64Array): string[] {
  const edges = edgesWithin(list, pos, list.radius_A);
  expect(edges.nEdges).toBe(list.nPairs);
  const out: string[] = [];
  const t = new Float64Array(3);
  for (let p = 0; p < edges.nEdges; p++) {
    if (box.volume > 0) box.toFractional(edges.edgeShift.subarray(3 * p, 3 * p + 3), t);
    else t.fill(0);
    out.push(canonical(edges.edgeIndex[p], edges.edgeIndex[edges.nEdges + p], [Math.round(t[0]) + 0, Math.round(t[1]) + 0, Math.round(t[2]) + 0], list.kind === 'half'));
  }
  return out.sort();
}

function randomTriclinic(rng: Rng, scale: number): Float64Array {
  return Float64Array.from([
    scale * (0.8 + 0.4 * rng.uniform()), 0, 0,
    scale * (rng.uniform() - 0.5) * 0.8, scale * (0.8 + 0.4 * rng.uniform()), 0,
    scale * (rng.uniform() - 0.5) * 0.8, scale * (rng.uniform() - 0.5) * 0.8, scale * (0.8 + 0.4 * rng.uniform()),
  ]);
}

function randomPositions(rng: Rng, box: Box, n: number, spill: number): Float64Array {
  const frac = new Float64Array(3 * n);
  for (let k = 0; k < 3 * n; k++) frac[k] = -spill + (1 + 2 * spill) * rng.uniform();
  return box.toCartesian(frac);
}

describe('cell-list neighbor search', () => {
  const cases: { name: string; pbc: Pbc; scale: number; n: number; radius: number; spill: number }[] = [
    { name: 'periodic triclinic, box ≫ radius', pbc: [true, true, true], scale: 14, n: 120, radius: 3.5, spill: 0 },
    { name: 'periodic triclinic, unwrapped atoms', pbc: [true, true, true], scale: 12, n: 60, radius: 3.0, spill: 0.7 },
    { name: 'box thinner than twice the radius', pbc: [true, true, true], scale: 5, n: 12, radius: 4.0, spill: 0.2 },
    { name: 'box thinner than the radius (many images, self-images)', pbc: [true, true, true], scale: 2.5, n: 5, radius: 4.2, spill: 0 },
    { name: 'slab: periodic a, b; open c', pbc: [true, true, false], scale: 10, n: 90, radius: 3.2, spill: 0.5 },
    { name: 'wire: periodic c only', pbc: [false, false, true], scale: 6, n: 40, radius: 3.3, spill: 0.3 },
  ];
  for (const kind of ['half', 'full'] as const) {
    for (const c of cases) {
      it(`matches brute force (${kind}): ${c.name}`, () => {
        const rng = new Rng(c.n * 31 + Math.round(c.radius * 70) + (kind === 'half' ? 1 : 2));
        for (let trial = 0; trial < 3; trial++) {
          const box = new Box(randomTriclinic(rng, c.scale), c.pbc);
          const pos = randomPositions(rng, box, c.n, c.spill);
          // 1, 2, 3 bins per radius: also finer bins, wider stencils and their pruning.
          const list = createCellList({ radius_A: c.radius, kind, binsPerRadius: 1 + trial }).build(pos, box);
          const got = listed(list, box, pos);
          expect(new Set(got).size).toBe(got.length); // no duplicates
          expect(got).toEqual(bruteForce(pos, box, c.radius, kind));
          for (let i = 0; i < list.n; i++) {
            for (let p = list.offsets[i]; p < list.offsets[i + 1]; p++) expect(list.images[p] === 0).toBe(p < list.firstImaged[i]);
          }
        }
      });
    }
  }

  it.each(cases)('half lists in parts: the parts hold disjoint runs of rows and together every pair once ($name)', (c) => {
    const rng = new Rng(c.n * 17 + 5);
    const box = new Box(randomTriclinic(rng, c.scale), c.pbc);
    const pos = randomPositions(rng, box, c.n, c.spill);
    const whole = listed(createCellList({ radius_A: c.radius, kind: 'half' }).build(pos, box), box, pos);
    for (const count of [2, 3, 7]) {
      const all: string[] = [];
      const search = createCellList({ radius_A: c.radius, kind: 'half' });
      let next = 0;
      for (let index = 0; index < count; index++) {
        const list = search.build(pos, box, { index, count });
        const [r0, r1] = search.partRows;
        expect([r0, r1]).toEqual([Math.floor((index * c.n) / count), Math.floor(((index + 1) * c.n) / count)]);
        expect(r0).toBe(next);
        next = r1;
        for (let r = 0; r < list.n; r++) if (r < r0 || r >= r1) expect(list.offsets[r + 1] - list.offsets[r], `row ${r} outside part ${index}`).toBe(0);
        all.push(...listed(list, box, pos));
      }
      expect(next).toBe(c.n);
      expect(all.sort(), `${count} parts`).toEqual(whole);
    }
  });

  it('refuses a part of a full list and a part out of range', () => {
    const box = Box.orthorhombic(10, 10, 10);
    const pos = Float64Array.of(1, 1, 1, 2, 2, 2);
    expect(() => createCellList({ radius_A: 3, kind: 'full' }).build(pos, box, { index: 0, count: 2 })).toThrow(/only defined for half lists/);
    expect(() => createCellList({ radius_A: 3, kind: 'half' }).build(pos, box, { index: 2, count: 2 })).toThrow(/0 ≤ index < count/);
  });

  it('puts pairs within the cutoff hint first in each segment of a row', () => {
    const rng = new Rng(12);
    const box = new Box(randomTriclinic(rng, 9), [true, true, true]);
    const pos = randomPositions(rng, box, 70, 0);
    const list = createCellList({ radius_A: 4, cutoff_A: 3, kind: 'half' }).build(pos, box);
    const shifts = list.imageShifts;
    let beyond = 0;
    for (let r = 0; r < list.n; r++) {
      const i = list.rowAtoms[r];
      for (const [from, to] of [[list.offsets[r], list.firstImaged[r]], [list.firstImaged[r], list.offsets[r + 1]]]) {
        let seenBeyond = false;
        for (let p = from; p < to; p++) {
          const j = list.neighbors[p];
          const d = Math.hypot(...[0, 1, 2].map((k) => pos[3 * j + k] - pos[3 * i + k] + shifts[3 * list.images[p] + k]));
          if (d >= 3) { seenBeyond = true; beyond++; }
          else expect(seenBeyond, `row ${r}: a pair within the cutoff after one beyond it`).toBe(false);
        }
      }
    }
    expect(beyond).toBeGreaterThan(0);
    expect(() => createCellList({ radius_A: 4, cutoff_A: 5, kind: 'half' })).toThrow(/cutoff_A/);
  });

  it('handles an open cluster (no cell at all), including a far-away atom', () => {
    const rng = new Rng(5);
    const n = 60;
    const pos = new Float64Array(3 * n);
    for (let k = 0; k < 3 * n; k++) pos[k] = 12 * rng.uniform();
    pos[0] = 1e5; // a sparse extent must not blow up the bin grid
    for (const kind of ['half', 'full'] as const) {
      const list = createCellList({ radius_A: 3, kind }).build(pos, Box.open());
      expect(listed(list, Box.open(), pos)).toEqual(bruteForce(pos, Box.open(), 3, kind));
    }
  });

  it('keeps exactly the pairs within a cutoff as edge_index/edge_shift (int32 and int64 words), r_ij = pos[j] − pos[i] + shift', () => {
    const rng = new Rng(9);
    const box = new Box(randomTriclinic(rng, 6), [true, true, true]);
    const pos = randomPositions(rng, box, 20, 0.5);
    const list = createCellList({ radius_A: 4, kind: 'full' }).build(pos, box);
    const cutoff = 3.2;
    const want = bruteForce(pos, box, cutoff, 'full');
    const asPairs = (E: number, ij: (k: number) => [number, number], shift: (k: number) => number[]) => {
      const t = new Float64Array(3);
      return Array.from({ length: E }, (_, e) => {
        const [i, j] = ij(e);
        const s = shift(e);
        expect(Math.hypot(...[0, 1, 2].map((k) => pos[3 * j + k] - pos[3 * i + k] + s[k]!))).toBeLessThan(cutoff);
        box.toFractional(Float64Array.from(s), t);
        return canonical(i, j, [Math.round(t[0]) + 0, Math.round(t[1]) + 0, Math.round(t[2]) + 0], false);
      }).sort();
    };
    const exact = edgesWithin(list, pos, cutoff);
    expect(exact.nEdges).toBeLessThan(list.nPairs);
    expect(asPairs(exact.nEdges, (e) => [exact.edgeIndex[e]!, exact.edgeIndex[exact.nEdges + e]!], (e) => [...exact.edgeShift.subarray(3 * e, 3 * e + 3)])).toEqual(want);
    // The int64 buffers of a potential: the first 2E entries are [2, E], in the same order.
    const tensors = createEdgeTensors('float32');
    const E = tensors.fill(list, pos, cutoff);
    expect(E).toBe(exact.nEdges);
    expect(Array.from(tensors.edgeIndex.subarray(0, 2 * E), Number)).toEqual(Array.from(exact.edgeIndex));
    expect(Array.from(tensors.edgeShift.subarray(0, 3 * E))).toEqual(Array.from(Float32Array.from(exact.edgeShift)));
    // A longer list grows the buffers; a shorter one reuses them.
    const bigger = createCellList({ radius_A: 5, kind: 'full' }).build(pos, box);
    expect(tensors.fill(bigger, pos, 5)).toBe(bigger.nPairs);
    const grown = tensors.edgeIndex;
    tensors.fill(list, pos, cutoff);
    expect(tensors.edgeIndex).toBe(grown);
    expect(() => writeEdges(bigger, pos, 5, { index: new Int32Array(2 * list.nPairs), wordsPerIndex: 1, shifts: new Float64Array(3 * list.nPairs), capacity: list.nPairs })).toThrow(/room for \d+ edges, the list has \d+ pairs/);
  });

  it('rejects a bad radius and non-finite positions with clear messages', () => {
    expect(() => createCellList({ radius_A: 0, kind: 'half' })).toThrow(/radius_A/);
    const pos = Float64Array.from([0, 0, 0, NaN, 1, 1]);
    expect(() => createCellList({ radius_A: 2, kind: 'half' }).build(pos, Box.orthorhombic(10, 10, 10))).toThrow(/atom 1/);
  });
});

describe('Verlet list', () => {
  it('rebuilds only after some atom moved more than skin/2, measured unwrapped', () => {
    const box = Box.orthorhombic(10, 10, 10);
    const pos = Float64Array.from([0.1, 5, 5, 3, 5, 5]);
    const v = createVerletList({ cutoff_A: 3, skin_A: 1, kind: 'half' });
    expect(v.needsRebuild(pos, box)).toBe(true);
    v.build(pos, box);
    pos[0] -= 0.45; // crosses the boundary (−0.35): wrapping would make this look like a 9.55 Å jump or none at all
    expect(v.needsRebuild(pos, box, 1)).toBe(false);
    pos[0] -= 0.1; // now 0.55 Å from the reference: > skin/2
    expect(v.needsRebuild(pos, box, 2)).toBe(true);
    v.build(pos, box);
    expect(v.builds).toBe(2);
    expect(v.needsRebuild(pos, Box.orthorhombic(10, 10, 10), 1)).toBe(false); // another Box object, the same cell
    expect(v.needsRebuild(pos, Box.orthorhombic(10, 10, 10, [true, true, false]), 1)).toBe(true); // other periodicity
  });

  it('can rebuild on a fixed schedule (LAMMPS "every 20 check no")', () => {
    const box = Box.orthorhombic(10, 10, 10);
    const pos = Float64Array.from([1, 1, 1]);
    const v = createVerletList({ cutoff_A: 3, skin_A: 1, kind: 'half', rebuild: { every: 20, check: false } });
    v.build(pos, box);
    expect(v.needsRebuild(pos, box, 19)).toBe(false);
    expect(v.needsRebuild(pos, box, 20)).toBe(true);
  });
});
