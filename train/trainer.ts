/**
 * The training loop. Each epoch: a seeded shuffle of the training structures into batches; per
 * batch one onnxruntime run of the training graph (loss, energies, forces and ∂loss/∂w for every
 * weight, with the loss weights of the epoch's schedule stage), one Adam update and, when asked,
 * one update of the weights' moving average; then the validation split through the evaluation
 * graph (with the averaged weights when there is an average), the plateau schedule, the best model
 * saved on improvement, and a checkpoint. At the end the best weights are written as a deployable
 * potential (DESIGN.md §5) and scored on the test split.
 *
 * Determinism: the initial weights come from `model.seed`, the batch order of epoch e from
 * `Rng(training.seed).split(e)`, and onnxruntime runs with a fixed thread count, so a run — and a
 * run resumed from any of its checkpoints — reproduces bit for bit.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { METADATA_KEYS, Rng } from '../engine/index.js';
import { checkWritable, InputError, OutputError, writeFileAtomic } from '../io/index.js';
import { createSession, readModelInfo, type ModelSession, type RunFeed, type RunResult } from '../onnx/index.js';
import { exportPotential } from '../models/index.js';
import { createAdam } from './adam.js';
import { createEma, type EmaState } from './ema.js';
import { finalLossWeights, lossWeightsAt } from './loss-schedule.js';
import { batchIndices, makeBatch, shuffled, type Batch, type LossWeights } from './batch.js';
import { readTrainCheckpoint, writeTrainCheckpoint, type TrainCheckpoint } from './checkpoint.js';
import { TRAIN_FILES, type MetricsKey } from './config.js';
import type { Dataset } from './dataset.js';
import { BATCH_INPUTS, buildTrainingModel, gradientOutputName, TRAINING_OUTPUTS } from './graph.js';
import { epochHeader, formatEpoch, writeMetricsCsv, type EpochRecord } from './history.js';
import { createMetrics, type Metrics, type MetricsAccumulator } from './metrics.js';
import type { PreparedTraining } from './prepare.js';
import { createSchedule } from './schedule.js';

/** Options of {@link runTraining}. */
export interface TrainRunOptions {
  /** Continue from `<output.directory>/checkpoint.json`. */
  readonly resume?: boolean;
  /** Receives progress lines (header, one line per epoch, notes). */
  readonly log?: (line: string) => void;
  /** Called after every training batch (for a progress bar). */
  readonly onBatch?: (done: number, total: number, epoch: number) => void;
  /** When aborted, the run stops after the current batch; the last epoch's checkpoint stands. */
  readonly signal?: AbortSignal;
  /** Stop (as if interrupted) after this many epochs in this session: tests of resume. */
  readonly stopAfterEpochs?: number;
  /** Replace an existing output.model and start over an existing checkpoint (as output.overwrite does). */
  readonly force?: boolean;
}

/** Test-split errors of the final model, overall and per `config_type`. */
export interface TestReport {
  readonly all: Metrics;
  readonly byConfigType: Readonly<Record<string, Metrics>>;
}

/** How a run ended. */
export interface TrainResult {
  /** `finished`: max_epochs; `stopped`: early stopping, time limit or divergence; `interrupted`: signal (resumable). */
  readonly status: 'finished' | 'stopped' | 'interrupted';
  readonly reason: string;
  /** Epochs completed in total (earlier sessions included). */
  readonly epochs: number;
  readonly bestEpoch: number;
  /** Validation metrics of the best epoch. */
  readonly bestValidation: Metrics | undefined;
  readonly history: readonly EpochRecord[];
  /** Test-split errors of the written model (absent when interrupted or without a test split). */
  readonly test: TestReport | undefined;
  /** The deployable model, when written. */
  readonly modelPath: string | undefined;
  /**
   * Parameters by name as the run leaves them — the same arrays as `model.parameters`: the best
   * epoch's values when a model was written, the last epoch's when interrupted.
   */
  readonly params: Readonly<Record<string, Float64Array>>;
}


/**
 * Trains the prepared model.
 * @throws InputError when resuming from a checkpoint of a different config, or when starting
 *   fresh over an existing checkpoint
 * @example
 * const prep = prepareTraining(loadTrainConfig('train.json'));
 * const result = await runTraining(prep, { log: console.log });
 */
export async function runTraining(prep: PreparedTraining, options: TrainRunOptions = {}): Promise<TrainResult> {
  const { config, model, train, validation, test } = prep;
  const t = config.training;
  const log = options.log ?? (() => {});
  const dir = config.output.directory;
  const ckptPath = join(dir, TRAIN_FILES.checkpoint);
  const fingerprint = runFingerprint(prep);
  const resumed = options.resume ? readTrainCheckpoint(ckptPath) : undefined;
  if (resumed && resumed.fingerprint !== fingerprint) {
    const [settingsThen] = resumed.fingerprint.split(':');
    const [settingsNow] = fingerprint.split(':');
    const what = settingsThen !== settingsNow
      ? 'different model, loss or training settings (only max_epochs, max_wall_time_s, early_stopping_patience, device and threads may change on resume)'
      : `different data (the train or validation structures changed; a dataset that is still growing can be frozen with data.max_structures_per_file)`;
    throw new InputError(`the checkpoint was written for ${what}`, { file: ckptPath });
  }
  const overwrite = options.force === true || config.output.overwrite;
  // A checkpoint of epoch 0 holds nothing to lose (a run that failed in its first epoch).
  if (!options.resume && !overwrite && existsSync(ckptPath) && readTrainCheckpoint(ckptPath).epoch > 0) {
    throw config.keyError(['output', 'directory'], `already holds a training checkpoint (${ckptPath}); continue it with --resume, start over with --force, or remove it`);
  }
  // Another run's model is not ours to replace; a resumed run may rewrite the model it wrote itself.
  if (!overwrite && existsSync(config.output.model) && !(resumed && trainingFingerprintOf(config.output.model) === fingerprint)) {
    throw config.keyError(['output', 'model'], `${config.output.model} already exists and was not written by this training run; choose another output.model, or replace it with --force (or "overwrite": true in output)`);
  }
  // Every output folder is made and checked writable now, not after the first epoch.
  for (const folder of [dir, dirname(config.output.model)]) {
    try {
      mkdirSync(folder, { recursive: true });
    } catch (e) {
      throw new OutputError(folder, e, 'create the folder');
    }
  }
  checkWritable(config.output.model);
  for (const f of [TRAIN_FILES.bestModel, TRAIN_FILES.metrics, TRAIN_FILES.report]) checkWritable(join(dir, f));

  // Parameters trained: those the graph has as weights (non-trainable ones became constants).
  const sessionOptions = { device: t.device, intraOpThreads: t.threads, log };
  const trainGraph = buildTrainingModel(model, { dtype: t.dtype, gradients: true });
  const evalGraph = buildTrainingModel(model, { dtype: t.dtype, gradients: false });
  const params: Record<string, Float64Array> = {};
  for (const name of trainGraph.weightNames) params[name] = model.parameters.get(name).data;
  if (resumed) copyRecord(resumed.params, params, 'checkpoint params');
  const best: Record<string, Float64Array> = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v)]));
  if (resumed) copyRecord(resumed.best, best, 'checkpoint best');
  const adam = createAdam(params, t.adam, resumed?.adam);
  const schedule = createSchedule(
    {
      learningRate: t.learning_rate,
      factor: t.lr_schedule.factor,
      patience: t.lr_schedule.patience,
      minLearningRate: t.lr_schedule.min_learning_rate,
      threshold: t.lr_schedule.threshold,
      earlyStoppingPatience: t.early_stopping_patience,
      metric: METRIC_NAMES[t.metrics_key],
    },
    resumed?.schedule,
  );
  // The average starts from the initial weights; evaluation, the best model and export use it.
  const ema = t.ema ? createEma(params, { decay: t.ema.decay, useNumUpdates: t.ema.use_num_updates }, resumed ? emaStateOf(resumed, ckptPath) : undefined) : undefined;
  const evaluated = ema ? ema.shadow : params;
  const history: EpochRecord[] = resumed ? [...resumed.history] : [];
  // Validation and test always use the final weights, so losses compare across a schedule's stages.
  const weights: LossWeights = finalLossWeights(config.loss);

  const trainSession = await createSession(trainGraph.bytes, sessionOptions);
  // An explicitly named device that did not start is an error; only "auto" falls back to the CPU.
  const wanted = t.device.startsWith('cuda') ? 'cuda' : t.device;
  if (t.device !== 'auto' && trainSession.provider !== wanted) {
    await trainSession.release();
    throw config.keyError(['training', 'device'], `"${t.device}" was asked for but cannot start (${(trainSession.fallback ?? `the session runs on ${trainSession.provider}`)}); use "auto" to fall back to the CPU when it is unavailable`);
  }
  const evalSession = await createSession(evalGraph.bytes, sessionOptions).catch(async (e: unknown) => {
    await trainSession.release();
    throw e;
  });
  const shapeOf = (name: string) => model.parameters.get(name).shape;
  const feedsOf = weightFeeder(params, shapeOf, t.dtype);
  const evalFeedsOf = ema ? weightFeeder(evaluated, shapeOf, t.dtype) : feedsOf;
  const validationBatches = fixedBatches(validation, t.batch_size, t.dtype, weights);
  // `params` are the model's own parameter arrays, so exporting the model exports the weights they
  // hold; at a new best the evaluated (averaged) weights are swapped in for the export, and after
  // the run the best ones are restored into them for good.
  const writeDeployable = (path: string, extra: Record<string, unknown>) =>
    writeFileAtomic(path, exportPotential(model, { dtype: config.output.model_dtype, metadata: { [METADATA_KEYS.training.key]: METADATA_KEYS.training.format({ ...extra, fingerprint }) } }));
  const writeBest = (extra: Record<string, unknown>) => {
    if (!ema) return writeDeployable(join(dir, TRAIN_FILES.bestModel), extra);
    const current = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float64Array.from(v)]));
    copyRecord(best, params, 'best');
    try {
      writeDeployable(join(dir, TRAIN_FILES.bestModel), extra);
    } finally {
      copyRecord(current, params, 'current');
    }
  };

  const start = performance.now();
  const elapsedBefore = resumed?.elapsed_s ?? 0;
  let epoch = resumed?.epoch ?? 0;
  let status: TrainResult['status'] = 'finished';
  let reason = `reached max_epochs (${t.max_epochs})`;
  let sessionEpochs = 0;
  if (resumed) log(`resuming after epoch ${epoch} (best ${METRIC_NAMES[t.metrics_key]} ${schedule.state.best.toExponential(3)} at epoch ${schedule.state.bestEpoch})`);
  // A checkpoint of the starting point: proves now that the disk takes one, and leaves a
  // resumable file even when the first epoch fails.
  else writeTrainCheckpoint(ckptPath, { epoch: 0, fingerprint, schedule: schedule.state, adam: adam.state, params, best, history, elapsed_s: 0, ema: ema?.state });
  if (t.metrics_key !== 'validation_loss') log(`the best model, learning-rate plateaus and early stopping follow the ${METRIC_NAMES[t.metrics_key]} (metrics_key ${t.metrics_key})`);
  log(epochHeader());
  try {
    while (epoch < t.max_epochs) {
      const epochStart = performance.now();
      const lr = schedule.state.learningRate;
      const lossWeights = lossWeightsAt(config.loss, epoch + 1);
      if (config.loss.schedule.length > 0 && (sessionEpochs === 0 || !sameWeights(lossWeights, lossWeightsAt(config.loss, epoch)))) {
        log(`       loss weights in epoch ${epoch + 1}: energy ${lossWeights.energy}, forces ${lossWeights.forces}`);
      }
      const order = shuffled(train.structures.length, new Rng(t.seed).split(epoch));
      const groups = batchIndices(order, t.batch_size);
      const acc = createMetrics();
      for (let k = 0; k < groups.length; k++) {
        if (options.signal?.aborted) break;
        const batch = makeBatch(train.structures, groups[k]!, t.dtype, lossWeights);
        const out = await trainSession.run({ ...batch.feeds, ...feedsOf() });
        const loss = addBatch(acc, out, batch);
        if (!Number.isFinite(loss)) throw new Error(`training loss became ${loss} in epoch ${epoch + 1} (batch ${k + 1}); lower training.learning_rate`);
        const grads: Record<string, ArrayLike<number>> = {};
        for (const name of trainGraph.weightNames) grads[name] = out[gradientOutputName(name)]!.data as Float64Array;
        adam.update(params, grads, lr);
        ema?.update(params);
        options.onBatch?.(k + 1, groups.length, epoch + 1);
      }
      if (options.signal?.aborted) {
        status = 'interrupted';
        reason = epoch > 0 ? `interrupted during epoch ${epoch + 1}; resume from the checkpoint of epoch ${epoch} with --resume` : 'interrupted during the first epoch (nothing to resume: run again to start over)';
        break;
      }
      epoch++;
      const val = await evaluate(evalSession, validationBatches, evalFeedsOf);
      const step = schedule.observe(metricOf(val, t.metrics_key), epoch);
      if (step.improved) copyRecord(evaluated, best, 'best');
      const record: EpochRecord = { epoch, learningRate: lr, train: acc.result(), validation: val, best: step.improved, wall_s: (performance.now() - epochStart) / 1000 };
      history.push(record);
      log(formatEpoch(record));
      if (step.reduced) log(`       learning rate reduced to ${schedule.state.learningRate.toExponential(2)}`);
      const elapsed_s = elapsedBefore + (performance.now() - start) / 1000;
      // The checkpoint first: if the disk fills up at the files after it, the epoch is still resumable.
      writeTrainCheckpoint(ckptPath, { epoch, fingerprint, schedule: schedule.state, adam: adam.state, params, best, history, elapsed_s, ema: ema?.state });
      if (step.improved) writeBest({ epoch, validation: val });
      writeMetricsCsv(join(dir, TRAIN_FILES.metrics), history);
      sessionEpochs++;
      if (step.stop) { status = 'stopped'; reason = step.stop; break; }
      if (t.max_wall_time_s !== undefined && elapsed_s >= t.max_wall_time_s) { status = 'stopped'; reason = `wall time ${elapsed_s.toFixed(0)} s passed max_wall_time_s (${t.max_wall_time_s}); continue with --resume and a larger limit`; break; }
      if (options.stopAfterEpochs !== undefined && sessionEpochs >= options.stopAfterEpochs && epoch < t.max_epochs) { status = 'interrupted'; reason = `stopped after ${sessionEpochs} epochs as asked`; break; }
    }
  } catch (e) {
    await evalSession.release();
    throw e;
  } finally {
    // Released before the test split is scored: only the evaluation graph is needed from here.
    await trainSession.release();
  }

  const bestEpoch = schedule.state.bestEpoch;
  const bestValidation = history.find((h) => h.epoch === bestEpoch)?.validation;
  let testReport: TestReport | undefined;
  let modelPath: string | undefined;
  try {
    if (status !== 'interrupted' && bestEpoch > 0) {
      copyRecord(best, params, 'final');
      if (test) testReport = await testMetrics(evalSession, test, t.batch_size, t.dtype, weights, feedsOf);
      const provenance = { config: basename(config.configPath), epochs: epoch, bestEpoch, validation: bestValidation, test: testReport?.all, structures: { train: train.structures.length, validation: validation.structures.length, test: test?.structures.length ?? 0 } };
      writeDeployable(config.output.model, provenance);
      modelPath = config.output.model;
      writeFileAtomic(join(dir, TRAIN_FILES.report), JSON.stringify({ status, reason, ...provenance, statistics: prep.statistics, typeNames: prep.typeNames, parameters: model.parameters.count(), wall_s: elapsedBefore + (performance.now() - start) / 1000, testByConfigType: testReport?.byConfigType }, null, 2) + '\n');
    }
  } finally {
    await evalSession.release();
  }
  return { status, reason, epochs: epoch, bestEpoch, bestValidation, history, test: testReport, modelPath, params };
}

/**
 * Metrics of the evaluation graph over `batches` with the current weights.
 * @example const m = await evaluate(session, fixedBatches(val, 8, 'float64', w), feeds)
 */
export async function evaluate(session: ModelSession, batches: readonly Batch[], weightFeeds: () => Record<string, RunFeed>): Promise<Metrics> {
  const acc = createMetrics();
  for (const b of batches) {
    addBatch(acc, await session.run({ ...b.feeds, ...weightFeeds() }, METRIC_OUTPUTS), b);
  }
  return acc.result();
}

/** How messages name each metrics_key (e.g. 'validation force MAE'). */
export const METRIC_NAMES: Readonly<Record<MetricsKey, string>> = {
  validation_loss: 'validation loss',
  validation_f_mae: 'validation force MAE',
  validation_f_rmse: 'validation force RMSE',
  'validation_e/N_mae': 'validation energy MAE per atom',
  'validation_e/N_rmse': 'validation energy RMSE per atom',
};

/** The value of metrics_key in an epoch's validation metrics (lower is better). */
function metricOf(m: Metrics, key: MetricsKey): number {
  switch (key) {
    case 'validation_loss': return m.loss;
    case 'validation_f_mae': return m.forceMae_meV_per_A;
    case 'validation_f_rmse': return m.forceRmse_meV_per_A;
    case 'validation_e/N_mae': return m.energyMae_meV_per_atom;
    case 'validation_e/N_rmse': return m.energyRmse_meV_per_atom;
  }
}

const METRIC_OUTPUTS = [TRAINING_OUTPUTS.loss.name, TRAINING_OUTPUTS.structureEnergy.name, TRAINING_OUTPUTS.forces.name];

/** Adds a batch's graph outputs to the metrics; returns its loss. */
function addBatch(acc: MetricsAccumulator, out: Readonly<Record<string, RunResult>>, b: Batch): number {
  const loss = Number(out[TRAINING_OUTPUTS.loss.name]!.data[0]);
  const data = (name: string, from: Readonly<Record<string, { data: unknown }>>) => from[name]!.data as Float64Array;
  acc.add(loss, data(TRAINING_OUTPUTS.structureEnergy.name, out), b.refEnergy_eV, data(TRAINING_OUTPUTS.forces.name, out), data(BATCH_INPUTS.refForces.name, b.feeds), b.atomOffsets);
  return loss;
}

/** A dataset in file order, cut into batches once (validation and test never reshuffle). */
export function fixedBatches(data: Dataset, batchSize: number, dtype: 'float32' | 'float64', weights: LossWeights): Batch[] {
  const order = Int32Array.from({ length: data.structures.length }, (_, i) => i);
  return batchIndices(order, batchSize).map((idx) => makeBatch(data.structures, idx, dtype, weights));
}

async function testMetrics(session: ModelSession, test: Dataset, batchSize: number, dtype: 'float32' | 'float64', weights: LossWeights, feeds: () => Record<string, RunFeed>): Promise<TestReport> {
  const all = await evaluate(session, fixedBatches(test, batchSize, dtype, weights), feeds);
  const kinds = [...new Set(test.structures.map((s) => s.configType))].filter((k) => k !== '');
  const byConfigType: Record<string, Metrics> = {};
  if (kinds.length > 1) {
    for (const kind of kinds) {
      const subset: Dataset = { ...test, structures: test.structures.filter((s) => s.configType === kind) };
      byConfigType[kind] = await evaluate(session, fixedBatches(subset, batchSize, dtype, weights), feeds);
    }
  }
  return { all, byConfigType };
}

/** Weight feeds by name: the float64 parameter arrays themselves, or float32 copies refreshed per call. */
function weightFeeder(params: Record<string, Float64Array>, shapes: (name: string) => readonly number[], dtype: 'float32' | 'float64'): () => Record<string, RunFeed> {
  const feeds: Record<string, RunFeed> = {};
  const copies: [Float64Array, Float32Array][] = [];
  for (const [name, p] of Object.entries(params)) {
    const data = dtype === 'float64' ? p : new Float32Array(p.length);
    if (data instanceof Float32Array) copies.push([p, data]);
    feeds[name] = { data, dims: shapes(name) };
  }
  return () => {
    for (const [src, dst] of copies) dst.set(src);
    return feeds;
  };
}

function sameWeights(a: LossWeights, b: LossWeights): boolean {
  return a.energy === b.energy && a.forces === b.forces;
}

function emaStateOf(ckpt: TrainCheckpoint, path: string): EmaState {
  // The fingerprint covers training.ema, so this is a checkpoint damaged or written otherwise.
  if (!ckpt.ema) throw new InputError('the checkpoint holds no moving average of the weights, but training.ema is set', { file: path });
  return { updates: ckpt.ema.updates, shadow: { ...ckpt.ema.shadow } };
}

function copyRecord(from: Readonly<Record<string, Float64Array>>, to: Record<string, Float64Array>, what: string): void {
  for (const [name, dst] of Object.entries(to)) {
    const src = from[name];
    if (!src || src.length !== dst.length) throw new Error(`${what}: parameter '${name}' ${src ? `has ${src.length} values, expected ${dst.length}` : 'is missing'}`);
    dst.set(src);
  }
}

/**
 * `settings:data` hashes of what a resumed run must share with the original: model, loss and
 * optimizer settings, and the train and validation structures (sizes and energies).
 */
function runFingerprint(prep: PreparedTraining): string {
  const { config } = prep;
  const { max_epochs: _e, max_wall_time_s: _w, early_stopping_patience: _p, device: _d, threads: _t, initial_model: _i, metrics_key, ...rest } = config.training;
  // metrics_key counts only when it is not the default (added later: earlier checkpoints resume).
  const training = metrics_key === 'validation_loss' ? rest : { ...rest, metrics_key };
  const hash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 32);
  const data = [prep.train, prep.validation].map((d) => d.structures.map((s) => `${s.n}:${s.energy_eV}`).join('|'));
  // References read from a file count by their values, not by the file's (absolute) path; the
  // defaults added since are written as earlier versions wrote them, so their checkpoints resume.
  const refs = config.model.energyReferences;
  const model = {
    ...config.model,
    energyReferences: typeof refs === 'string' && refs !== 'least_squares' ? Object.fromEntries(prep.typeNames.map((t, k) => [t, prep.statistics.energyReferences_eV[k]])) : refs,
    scaleShift: { trainable: config.model.scaleShift.trainable ?? (refs === 'least_squares' ? true : { scales: true, shifts: false }) },
  };
  const { schedule, ...weights } = config.loss;
  const loss = schedule.length > 0 ? config.loss : weights;
  // An initial model counts by its bytes, not its path (absent without one: earlier checkpoints resume).
  return `${hash({ model, loss, training, typeNames: prep.typeNames, initialModel: prep.initialModel?.sha256 })}:${hash(data)}`;
}

/** The run fingerprint a model written by `e3md train` carries in its `e3md.training` metadata, if any. */
function trainingFingerprintOf(modelPath: string): string | undefined {
  try {
    const text = readModelInfo(readFileSync(modelPath)).metadata[METADATA_KEYS.training.key];
    const fingerprint = text ? METADATA_KEYS.training.parse(text)['fingerprint'] : undefined;
    return typeof fingerprint === 'string' ? fingerprint : undefined;
  } catch {
    return undefined; // not an ONNX file, or not one of ours
  }
}
