/**
 * The loss-weight schedule (nequip's loss coefficient schedules, e.g. forces first and energies
 * later): λ_E and λ_F as functions of the epoch, switched or ramped linearly at given epochs. The
 * weights of an epoch depend on nothing but its number, so a resumed run uses the same ones.
 */
import type { LossWeights } from './batch.js';

/** One stage: from `epoch` (1-based) on, move to these weights over `ramp_epochs` epochs. */
export interface LossStage {
  readonly epoch: number;
  readonly energy_weight?: number;
  readonly force_weight?: number;
  /** 0 or 1: switch at `epoch`; n > 1: reach the weights at epoch + n − 1, linearly. */
  readonly ramp_epochs: number;
}

/** The `loss` section of a training config. */
export interface LossSchedule {
  readonly energy_weight: number;
  readonly force_weight: number;
  /** Stages in ascending epoch order, none starting before the previous one's ramp ends. */
  readonly schedule: readonly LossStage[];
}

/**
 * λ_E and λ_F during epoch `epoch` (1-based).
 * @example
 * const loss = { energy_weight: 1, force_weight: 100, schedule: [{ epoch: 11, energy_weight: 10, force_weight: 1, ramp_epochs: 5 }] };
 * lossWeightsAt(loss, 10) // { energy: 1, forces: 100 }
 * lossWeightsAt(loss, 13) // { energy: 6.4, forces: 40.6 }: 3 of 5 ramp epochs
 * lossWeightsAt(loss, 15) // { energy: 10, forces: 1 }
 */
export function lossWeightsAt(loss: LossSchedule, epoch: number): LossWeights {
  let energy = loss.energy_weight;
  let forces = loss.force_weight;
  for (const stage of loss.schedule) {
    if (stage.epoch > epoch) break;
    const f = stage.ramp_epochs > 1 ? Math.min(1, (epoch - stage.epoch + 1) / stage.ramp_epochs) : 1;
    // Written as a + f·(b − a) only while ramping, so a finished stage gives its weights exactly.
    if (stage.energy_weight !== undefined) energy = f === 1 ? stage.energy_weight : energy + f * (stage.energy_weight - energy);
    if (stage.force_weight !== undefined) forces = f === 1 ? stage.force_weight : forces + f * (stage.force_weight - forces);
  }
  return { energy, forces };
}

/** The weights once every stage has finished: the objective the run ends with (validation, test). */
export function finalLossWeights(loss: LossSchedule): LossWeights {
  return lossWeightsAt(loss, Infinity);
}
