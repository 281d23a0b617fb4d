/**
 * Error metrics of a potential against reference data, accumulated over batches: energy per atom
 * (meV/atom) and force components (meV/Å), each as MAE and RMSE, plus the loss averaged over
 * batches weighted by their structure count.
 */

/** Errors of one pass over a dataset. */
export interface Metrics {
  /** Mean loss per batch, weighted by structures (dimensionless up to the loss weights' units). */
  readonly loss: number;
  /** Mean |E − E_ref| / n over structures, meV/atom. */
  readonly energyMae_meV_per_atom: number;
  /** √ mean ((E − E_ref) / n)², meV/atom. */
  readonly energyRmse_meV_per_atom: number;
  /** Mean |F − F_ref| over all force components, meV/Å. */
  readonly forceMae_meV_per_A: number;
  /** √ mean (F − F_ref)² over components, meV/Å. */
  readonly forceRmse_meV_per_A: number;
  /** Structures and atoms seen. */
  readonly structures: number;
  readonly atoms: number;
}

/** Running sums behind {@link Metrics}. */
export interface MetricsAccumulator {
  /**
   * Adds one batch: predicted energies (B,) and forces (N, 3) against the references, with the
   * batch's atom offsets (B+1,) and its loss.
   */
  add(loss: number, energy: ArrayLike<number>, refEnergy: ArrayLike<number>, forces: ArrayLike<number>, refForces: ArrayLike<number>, atomOffsets: Int32Array): void;
  result(): Metrics;
}

/**
 * A fresh accumulator.
 * @example const acc = createMetrics(); acc.add(loss, e, eRef, f, fRef, offsets); acc.result().forceMae_meV_per_A
 */
export function createMetrics(): MetricsAccumulator {
  let lossSum = 0, structures = 0, atoms = 0;
  let eAbs = 0, eSq = 0, fAbs = 0, fSq = 0, comps = 0;
  return {
    add(loss, energy, refEnergy, forces, refForces, atomOffsets) {
      const B = atomOffsets.length - 1;
      lossSum += loss * B;
      for (let b = 0; b < B; b++) {
        const n = atomOffsets[b + 1]! - atomOffsets[b]!;
        const d = (Number(energy[b]) - Number(refEnergy[b])) / n;
        eAbs += Math.abs(d);
        eSq += d * d;
      }
      const N = atomOffsets[B]!;
      for (let k = 0; k < 3 * N; k++) {
        const d = Number(forces[k]) - Number(refForces[k]);
        fAbs += Math.abs(d);
        fSq += d * d;
      }
      structures += B;
      atoms += N;
      comps += 3 * N;
    },
    result() {
      return {
        loss: lossSum / structures,
        energyMae_meV_per_atom: (1000 * eAbs) / structures,
        energyRmse_meV_per_atom: 1000 * Math.sqrt(eSq / structures),
        forceMae_meV_per_A: (1000 * fAbs) / comps,
        forceRmse_meV_per_A: 1000 * Math.sqrt(fSq / comps),
        structures,
        atoms,
      };
    },
  };
}
