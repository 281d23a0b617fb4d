/**
 * The per-epoch record of a run: what the progress line shows and what metrics.csv holds, one row
 * per epoch, rewritten from the checkpoint's history so a resumed run never duplicates rows.
 */
import { writeFileAtomic } from '../io/index.js';
import type { Metrics } from './metrics.js';

/** One epoch of training. */
export interface EpochRecord {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Learning rate used during the epoch. */
  readonly learningRate: number;
  /** Metrics accumulated over the epoch's batches (weights changing as they go, as nequip reports). */
  readonly train: Metrics;
  /** Metrics on the validation split after the epoch. */
  readonly validation: Metrics;
  /** The validation loss was a new best (the best model was saved). */
  readonly best: boolean;
  /** Wall time of the epoch, s. */
  readonly wall_s: number;
}

/** Columns of metrics.csv, in order. */
export const METRICS_COLUMNS = [
  'epoch', 'learning_rate', 'train_loss', 'train_energy_mae_meV_per_atom', 'train_force_mae_meV_per_A',
  'validation_loss', 'validation_energy_mae_meV_per_atom', 'validation_energy_rmse_meV_per_atom',
  'validation_force_mae_meV_per_A', 'validation_force_rmse_meV_per_A', 'best', 'wall_s',
] as const;

/** metrics.csv text for `history`. */
export function metricsCsv(history: readonly EpochRecord[]): string {
  const rows = history.map((h) => [
    h.epoch, h.learningRate, h.train.loss, h.train.energyMae_meV_per_atom, h.train.forceMae_meV_per_A,
    h.validation.loss, h.validation.energyMae_meV_per_atom, h.validation.energyRmse_meV_per_atom,
    h.validation.forceMae_meV_per_A, h.validation.forceRmse_meV_per_A, h.best ? 1 : 0, h.wall_s.toFixed(3),
  ].join(','));
  return [METRICS_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** Writes metrics.csv (atomically: temporary file, then rename). @throws OutputError naming the file. */
export function writeMetricsCsv(path: string, history: readonly EpochRecord[]): void {
  writeFileAtomic(path, metricsCsv(history));
}

const f1 = (x: number) => (x >= 1000 ? x.toFixed(0) : x >= 100 ? x.toFixed(1) : x.toFixed(2));

/** The header above {@link formatEpoch} lines. */
export function epochHeader(): string {
  return 'epoch  lr        loss train | val          E MAE meV/atom   F MAE meV/Å';
}

/**
 * One progress line, e.g.
 * `   12  2.5e-3  1.234e-2 | 2.345e-2  1.52 | 1.80  45.1 | 52.3  3.2 s *` (`*`: new best).
 */
export function formatEpoch(h: EpochRecord): string {
  return `${String(h.epoch).padStart(5)}  ${h.learningRate.toExponential(1)}  ${h.train.loss.toExponential(3)} | ${h.validation.loss.toExponential(3)}  ${f1(h.train.energyMae_meV_per_atom)} | ${f1(h.validation.energyMae_meV_per_atom)}  ${f1(h.train.forceMae_meV_per_A)} | ${f1(h.validation.forceMae_meV_per_A)}  ${h.wall_s.toFixed(1)} s${h.best ? ' *' : ''}`;
}
