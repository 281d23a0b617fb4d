import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/index.js';
import { datasetStatistics, fitEnergyReferences, symmetricEigen, type Structure } from '../../train/index.js';

/** A structure with the given species counts, energy and forces (geometry is irrelevant here). */
function synthetic(counts: readonly number[], energy: number, forces: number[]): Structure {
  const types = Int32Array.from(counts.flatMap((c, s) => new Array<number>(c).fill(s)));
  const n = types.length;
  return { source: 'synthetic', configType: '', n, positions: new Float64Array(3 * n), types, energy_eV: energy, forces: Float64Array.from(forces), nEdges: n, edgeIndex: new Int32Array(2 * n), edgeShift: new Float64Array(3 * n) };
}

describe('energy references and force scale', () => {
  it('recovers per-species energies exactly from exactly linear data', () => {
    const e = [-13.6, -1029.5, -2040.9];
    const rng = new Rng(4);
    const data: Structure[] = [];
    for (let b = 0; b < 40; b++) {
      const counts = [1 + Math.floor(rng.uniform() * 6), Math.floor(rng.uniform() * 3), 1 + Math.floor(rng.uniform() * 3)];
      const n = counts.reduce((a, c) => a + c, 0);
      data.push(synthetic(counts, counts.reduce((a, c, s) => a + c * e[s]!, 0), new Array<number>(3 * n).fill(0)));
    }
    const { references, rank } = fitEnergyReferences(data, 3);
    expect(rank).toBe(3);
    references.forEach((r, s) => expect(Math.abs(r - e[s]!)).toBeLessThan(1e-9));
    const stats = datasetStatistics(data, 3);
    expect(stats.residualPerAtom_eV).toBeLessThan(1e-10);
  });

  it('gives the minimum-norm solution when compositions are proportional ((H₂O)ₙ only)', () => {
    // Only e_H·2 + e_O = −2077 per molecule is determined; the minimum-norm answer is along (2, 1).
    const data = [1, 2, 3, 5].map((m) => synthetic([2 * m, m], -2077 * m, new Array<number>(9 * m).fill(0)));
    const { references, rank } = fitEnergyReferences(data, 2);
    expect(rank).toBe(1);
    expect(2 * references[0]! + references[1]!).toBeCloseTo(-2077, 9);
    expect(references[0]! / references[1]!).toBeCloseTo(2, 12);
  });

  it('uses given references, and measures the force RMS and the neighbour count exactly', () => {
    const data = [synthetic([2, 1], -2080, [1, -2, 2, 0, 0, 0, -1, 2, -2]), synthetic([1, 0], -13, [3, 0, 0])];
    const stats = datasetStatistics(data, 2, [-13.64, -2040.87]);
    expect(stats.energyReferences_eV).toEqual([-13.64, -2040.87]);
    expect(stats.forceRms_eV_per_A).toBeCloseTo(Math.sqrt((9 + 9 + 9) / 12), 14);
    expect(stats.avgNumNeighbors).toBe(1);
    const perAtom = [(-2080 - (2 * -13.64 - 2040.87)) / 3, (-13 + 13.64) / 1];
    expect(stats.residualPerAtom_eV).toBeCloseTo(Math.sqrt((perAtom[0]! ** 2 + perAtom[1]! ** 2) / 2), 12);
  });

  it('symmetricEigen diagonalizes: A v = λ v with orthonormal v', () => {
    const A = Float64Array.from([4, 1, 2, 1, 3, 0.5, 2, 0.5, 5]);
    const { values, vectors } = symmetricEigen(A, 3);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let j = 0; j < 3; j++) av += A[3 * i + j]! * vectors[3 * j + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors[3 * i + k]!, 12);
      }
    }
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(12, 12);
  });
});
