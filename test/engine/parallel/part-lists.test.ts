import { describe, expect, it } from 'vitest';
import { Box, createCellList, Rng } from '../../../engine/index.js';
import { createPartScratch, localPartList } from '../../../engine/parallel/index.js';

/** Random atoms at liquid-argon density in a tilted periodic box. */
function liquid(n: number, L: number, seed: number): { positions: Float64Array; box: Box } {
  const rng = new Rng(seed), positions = new Float64Array(3 * n);
  for (let k = 0; k < 3 * n; k++) positions[k] = L * rng.uniform();
  return { positions, box: new Box(Float64Array.of(L, 0, 0, 2, L, 0, 1, 1.5, L), [true, true, true]) };
}

describe('localPartList (a part of a half list in its own atoms)', () => {
  it('holds the part\'s pairs in their order with their images, over owned atoms then the atoms they reach, once each', () => {
    const n = 3000, { positions, box } = liquid(n, 33, 5);
    const search = createCellList({ radius_A: 9.3, cutoff_A: 8.5, kind: 'half' });
    const scratch = createPartScratch(n);
    let covered = 0;
    for (let index = 0; index < 3; index++) {
      const list = search.build(positions, box, { index, count: 3 });
      const [r0, r1] = search.partRows;
      const { atoms, list: local } = localPartList(list, r0, r1, scratch);
      const owned = r1 - r0;
      expect(local.n).toBe(atoms.length);
      expect(new Set(atoms).size).toBe(atoms.length);
      expect(Array.from(atoms.subarray(0, owned))).toEqual(Array.from(list.rowAtoms.subarray(r0, r1)));
      const base = list.offsets[r0];
      expect(local.nPairs).toBe(list.offsets[r1] - base);
      for (let k = 0; k < local.n; k++) {
        expect(local.rowAtoms[k]).toBe(k);
        if (k >= owned) { expect(local.offsets[k + 1] - local.offsets[k]).toBe(0); continue; }
        expect(local.offsets[k]).toBe(list.offsets[r0 + k] - base);
        expect(local.firstImaged[k]).toBe(list.firstImaged[r0 + k] - base);
      }
      for (let q = 0; q < local.nPairs; q++) {
        if (atoms[local.neighbors[q]] !== list.neighbors[base + q] || local.images[q] !== list.images[base + q]) throw new Error(`pair ${q} of part ${index} differs`);
      }
      // Every reached atom is a neighbour of some pair; the scratch is left clean for the next part.
      const reached = new Set(Array.from(local.neighbors));
      for (let k = owned; k < atoms.length; k++) expect(reached.has(k)).toBe(true);
      expect(scratch.renumber.localOf.every((v) => v === -1)).toBe(true);
      covered += local.nPairs;
    }
    expect(covered).toBe(search.build(positions, box).nPairs);
  });

  it('numbers the reached atoms in the order the pairs first meet them (WebAssembly), also after its memory grew', () => {
    const search = createCellList({ radius_A: 9.3, cutoff_A: 8.5, kind: 'half' });
    const scratch = createPartScratch(3000);
    // A dilute system first (few pairs), then a dense one of the same atom count: the pairs outgrow the first reservation.
    for (const [L, seed] of [[60, 7], [30, 8]] as const) {
      const { positions, box } = liquid(3000, L, seed);
      const list = search.build(positions, box, { index: 1, count: 2 });
      const [r0, r1] = search.partRows;
      const { atoms, list: local } = localPartList(list, r0, r1, scratch);
      const want = new Map<number, number>();
      for (let r = r0; r < r1; r++) want.set(list.rowAtoms[r], r - r0);
      const base = list.offsets[r0];
      for (let q = 0; q < local.nPairs; q++) {
        const j = list.neighbors[base + q];
        if (!want.has(j)) want.set(j, want.size);
        if (local.neighbors[q] !== want.get(j)) throw new Error(`L ${L}: pair ${q} numbered ${local.neighbors[q]}, expected ${want.get(j)}`);
      }
      expect(atoms.length).toBe(want.size);
      expect(scratch.renumber.localOf.every((v) => v === -1)).toBe(true);
    }
  });
});
