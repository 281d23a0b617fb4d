/**
 * Dataset statistics that set a model's output scale before training (nequip's
 * `per_species_rescale`): per-species energy references e_s from the least-squares fit
 * E_b ≈ Σ_s n_bs e_s, the RMS of the force components (the scale of the network's output), and the
 * mean number of neighbours within the cutoff (NequIP's message normalization).
 */
import type { Structure } from './dataset.js';

/** Statistics of a training set. */
export interface DatasetStatistics {
  /** (S,) per-species energy reference e_s, eV, in the dataset's type order. */
  readonly energyReferences_eV: readonly number[];
  /** RMS of the residual E_b − Σ_s n_bs e_s per atom, eV/atom (how much is left to learn). */
  readonly residualPerAtom_eV: number;
  /** RMS of every force component, eV/Å. */
  readonly forceRms_eV_per_A: number;
  /** Mean directed edges per atom within the cutoff. */
  readonly avgNumNeighbors: number;
  /** Rank of the composition matrix; below S when compositions are proportional (e.g. only (H₂O)ₙ). */
  readonly compositionRank: number;
}

/**
 * Minimum-norm least-squares per-species energies: e = (AᵀA)⁺ Aᵀ E with A[b, s] = atoms of species s
 * in structure b. When every structure has proportional composition (water clusters: n_H = 2 n_O)
 * only the combination along the compositions is determined; the minimum-norm solution picks it
 * without inventing anything orthogonal to the data. Exact when the data are exactly linear.
 * @example fitEnergyReferences(structures, 2).references // [e_H, e_O] in eV
 */
export function fitEnergyReferences(structures: readonly Structure[], numTypes: number): { references: number[]; rank: number } {
  const S = numTypes;
  const ata = new Float64Array(S * S);
  const ate = new Float64Array(S);
  const counts = new Float64Array(S);
  for (const st of structures) {
    counts.fill(0);
    for (let a = 0; a < st.n; a++) counts[st.types[a]!]!++;
    for (let p = 0; p < S; p++) {
      ate[p] += counts[p]! * st.energy_eV;
      for (let q = 0; q < S; q++) ata[p * S + q] += counts[p]! * counts[q]!;
    }
  }
  const { values, vectors } = symmetricEigen(ata, S);
  const tol = Math.max(...values.map(Math.abs)) * S * 1e-12;
  const e = new Array<number>(S).fill(0);
  let rank = 0;
  for (let k = 0; k < S; k++) {
    if (!(values[k]! > tol)) continue;
    rank++;
    let proj = 0;
    for (let p = 0; p < S; p++) proj += vectors[p * S + k]! * ate[p]!;
    for (let p = 0; p < S; p++) e[p] += (vectors[p * S + k]! * proj) / values[k]!;
  }
  return { references: e, rank };
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan,
 * Matrix Computations, §8.5): columns of `vectors` are the eigenvectors. For S×S with S the number
 * of species, so cost is irrelevant and robustness is what counts.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-300) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}

/**
 * Statistics of `structures`; `references` replaces the least-squares fit when given (e.g. the
 * isolated-atom energies).
 * @example const stats = datasetStatistics(train.structures, 2);
 */
export function datasetStatistics(structures: readonly Structure[], numTypes: number, references?: readonly number[]): DatasetStatistics {
  const fit = fitEnergyReferences(structures, numTypes);
  const e = references ? [...references] : fit.references;
  let res2 = 0;
  let f2 = 0;
  let nf = 0;
  let edges = 0;
  let atoms = 0;
  for (const st of structures) {
    let base = 0;
    for (let a = 0; a < st.n; a++) base += e[st.types[a]!]!;
    res2 += ((st.energy_eV - base) / st.n) ** 2;
    for (let k = 0; k < 3 * st.n; k++) f2 += st.forces[k]! ** 2;
    nf += 3 * st.n;
    edges += st.nEdges;
    atoms += st.n;
  }
  return {
    energyReferences_eV: e,
    residualPerAtom_eV: Math.sqrt(res2 / structures.length),
    forceRms_eV_per_A: Math.sqrt(f2 / nf),
    avgNumNeighbors: edges / atoms,
    compositionRank: fit.rank,
  };
}
