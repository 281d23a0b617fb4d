/**
 * train/: learning a potential from labelled structures (issue 6). Datasets from extxyz with
 * per-frame neighbor graphs, batches as disjoint graphs, per-species energy references and force
 * scale, the training graph (forward, forces, loss, ∂loss/∂w by e3md's symbolic autodiff) run by
 * onnxruntime, Adam with a plateau schedule and early stopping, resumable checkpoints, and the
 * deployable ONNX potential of the best weights.
 *
 * @example
 * const prep = prepareTraining(loadTrainConfig('examples/water/train.json'));
 * const result = await runTraining(prep, { log: console.log });
 * result.test?.all.forceMae_meV_per_A;
 */
export { loadTrainConfig, parseTrainConfig, TRAIN_FILES, trainConfigSchema, trainJsonSchema, type MetricsKey, type TrainConfig, type TrainConfigJson } from './config.js';
export { datasetOf, loadDataset, neighborGraph, speciesIn, type Dataset, type LoadDatasetOptions, type Structure } from './dataset.js';
export { batchIndices, makeBatch, shuffled, type Batch, type LossWeights } from './batch.js';
export { datasetStatistics, fitEnergyReferences, symmetricEigen, type DatasetStatistics } from './statistics.js';
export { BATCH_INPUTS, buildTrainingModel, TRAINING_OUTPUTS, gradientOutputName, type TrainingGraphOptions, type TrainingModel } from './graph.js';
export { createAdam, type Adam, type AdamOptions, type AdamState } from './adam.js';
export { createEma, type Ema, type EmaOptions, type EmaState } from './ema.js';
export { finalLossWeights, lossWeightsAt, type LossSchedule, type LossStage } from './loss-schedule.js';
export { createSchedule, type Schedule, type ScheduleOptions, type ScheduleState, type ScheduleStep } from './schedule.js';
export { createMetrics, type Metrics, type MetricsAccumulator } from './metrics.js';
export { epochHeader, formatEpoch, metricsCsv, METRICS_COLUMNS, type EpochRecord } from './history.js';
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, readTrainCheckpoint, writeTrainCheckpoint, type TrainCheckpoint } from './checkpoint.js';
export { builderOptionsOf, givenReferences, prepareTraining, readEnergyReferences, subset, type ModelSection, type PreparedTraining } from './prepare.js';
export { evaluate, fixedBatches, METRIC_NAMES, runTraining, type TestReport, type TrainResult, type TrainRunOptions } from './trainer.js';
