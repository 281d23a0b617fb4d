/**
 * Learning-rate schedule and stopping rule, both driven by one validation metric once per epoch
 * (the loss unless training.metrics_key names another; lower is better):
 * reduce-on-plateau (PyTorch's `ReduceLROnPlateau`, relative threshold mode) multiplies the rate
 * by `factor` after `patience` epochs without improvement, and early stopping ends the run after
 * `earlyStoppingPatience` epochs without a new best, or when the rate has reached its floor.
 */

/** Options of {@link createSchedule}. */
export interface ScheduleOptions {
  /** Starting learning rate. */
  readonly learningRate: number;
  /** Multiplier applied on a plateau, in (0, 1). */
  readonly factor: number;
  /** Epochs without improvement before the rate is reduced. */
  readonly patience: number;
  /** Floor of the learning rate. */
  readonly minLearningRate: number;
  /** Relative improvement that counts as better: value < best · (1 − threshold). */
  readonly threshold: number;
  /** Epochs without a new best validation metric before training stops. */
  readonly earlyStoppingPatience: number;
  /** What `observe` is given, as the stop reasons name it. Default 'validation loss'. */
  readonly metric?: string;
}

/** Serializable schedule state. */
export interface ScheduleState {
  learningRate: number;
  /** Best value of the validation metric so far (Infinity before the first epoch). */
  best: number;
  /** Epoch (1-based) of the best value, 0 before any. */
  bestEpoch: number;
  /** Epochs since the plateau counter was last reset. */
  badEpochs: number;
}

/** What the schedule decided after an epoch. */
export interface ScheduleStep {
  /** The validation metric is a new best: save the model. */
  readonly improved: boolean;
  /** The learning rate was just reduced. */
  readonly reduced: boolean;
  /** Why training should stop now, or undefined to go on. */
  readonly stop?: string;
}

/** A plateau schedule with early stopping. */
export interface Schedule {
  readonly state: ScheduleState;
  /** Reports the validation metric of epoch `epoch` (1-based). */
  observe(value: number, epoch: number): ScheduleStep;
}

/**
 * A schedule, fresh or from a saved state.
 * @example
 * const s = createSchedule({ learningRate: 5e-3, factor: 0.5, patience: 5, minLearningRate: 1e-5, threshold: 1e-3, earlyStoppingPatience: 20 });
 * const { improved, stop } = s.observe(valLoss, epoch);
 */
export function createSchedule(options: ScheduleOptions, state?: ScheduleState): Schedule {
  const s: ScheduleState = state ?? { learningRate: options.learningRate, best: Infinity, bestEpoch: 0, badEpochs: 0 };
  const metric = options.metric ?? 'validation loss';
  return {
    state: s,
    observe(loss, epoch) {
      if (!Number.isFinite(loss)) return { improved: false, reduced: false, stop: `${metric} is ${loss} (training diverged; lower the learning rate)` };
      const improved = loss < s.best * (1 - options.threshold) || s.bestEpoch === 0;
      let reduced = false;
      if (improved) {
        s.best = loss;
        s.bestEpoch = epoch;
        s.badEpochs = 0;
      } else if (++s.badEpochs > options.patience) {
        const next = Math.max(s.learningRate * options.factor, options.minLearningRate);
        reduced = next < s.learningRate;
        s.learningRate = next;
        s.badEpochs = 0;
      }
      let stop: string | undefined;
      if (epoch - s.bestEpoch >= options.earlyStoppingPatience) stop = `no improvement of the ${metric} for ${options.earlyStoppingPatience} epochs`;
      else if (!improved && !reduced && s.learningRate <= options.minLearningRate && s.badEpochs >= options.patience) stop = `learning rate at its floor (${options.minLearningRate}) and the ${metric} no longer improves`;
      return { improved, reduced, stop };
    },
  };
}
