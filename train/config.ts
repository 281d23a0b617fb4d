/**
 * The `e3md train` config file: a zod schema (strict objects: unknown keys are errors; units are
 * part of key names, as in input.json, DESIGN.md §4) and its loader, which turns every problem
 * into one InputError naming the file, line, column and key, and resolves paths relative to the
 * config file.
 */
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { clobberMessage, findClobber, type InputError, keyError, type NamedPath, parseConfig, readConfigText } from '../io/index.js';
import { allegroOptionsSchema, nequipOptionsSchema, symbolSchema, typeNamesSchema } from '../models/index.js';

const count = (what: string) => z.number().int().min(1).describe(what);
const files = (what: string) => z.array(z.string().min(1)).describe(what);

/** Where the data come from; paths are relative to the config file. */
const dataSchema = z.strictObject({
  train: files('extxyz files of the training split').min(1),
  validation: files('extxyz files of the validation split (early stopping, LR schedule, best model)').min(1),
  test: files('extxyz files of the test split (final report); omit for no test report').optional(),
  max_structures_per_file: count('Read only the first N frames of each file (freezes a dataset that is still growing)').optional(),
  max_train_structures: count('Train on a random subset of N structures (seeded by training.seed; nested: a smaller N is a subset of a larger one)').optional(),
});

/**
 * What training changes in a builder's options: the species may come from the data, the
 * neighbour normalization may be measured on it, and the output scale and shifts are set from
 * it (nequip's `per_species_rescale`), so only whether they train is a setting.
 */
const fromTheData = {
  typeNames: typeNamesSchema.optional().describe('Species in type order; default: those of the training data, lightest first'),
  avgNumNeighbors: z
    .union([z.number().gt(0), z.literal('auto'), z.null()])
    .default('auto')
    .describe("Neighbour-sum normalization 1/√avg; 'auto' measures it on the training data; null disables"),
  energyReferences: z
    .union([z.literal('least_squares'), z.record(symbolSchema, z.number().gt(-Infinity).lt(Infinity)), z.string().min(1)])
    .default('least_squares')
    .describe(
      'Per-species energy shifts, eV: a least-squares fit on the training data (minimum norm), given per species ' +
      '(e.g. the isolated-atom energies, so that per-atom energies are physical), or the path of a JSON file that ' +
      'gives them ({"H": -13.64, …}, or {"atoms": {"H": {"energy_eV": -13.64}, …}} as examples/water/dataset/atom_energies.json)',
    ),
  scaleShift: z
    .strictObject({
      trainable: z
        .union([z.boolean(), z.strictObject({ scales: z.boolean(), shifts: z.boolean() })])
        .optional()
        .describe(
          'Train the per-species scale (initially the force RMS of the data) and shifts (the energy references), or each on its own; ' +
          'default: both with least_squares, only the scales when the references are given (they stay fixed, as nequip\'s per_species_rescale_shifts_trainable: false)',
        ),
    })
    .prefault({}),
};

/**
 * The `model` section: the options of the architecture's builder (models/: the same names,
 * defaults and checks as `e3md model create --options` and a model's `e3md.settings`), with
 * {@link fromTheData} in place of the options that training sets.
 */
const modelSchema = z.discriminatedUnion('architecture', [
  nequipOptionsSchema.extend({ architecture: z.literal('nequip'), ...fromTheData }),
  allegroOptionsSchema.extend({ architecture: z.literal('allegro'), ...fromTheData }),
]);

const weight = (what: string) => z.number().min(0).lt(Infinity).describe(what);

/** One stage of the loss-weight schedule (nequip's loss coefficient schedules). */
const lossStageSchema = z.strictObject({
  epoch: count('First epoch (1-based) of this stage'),
  energy_weight: weight('λ_E from this stage on (default: unchanged)').optional(),
  force_weight: weight('λ_F from this stage on (default: unchanged)').optional(),
  ramp_epochs: z.number().int().min(0).default(0).describe('Move linearly from the previous weights to these over this many epochs, reaching them at epoch + ramp_epochs − 1 (0: switch at once)'),
});

/** The loss: λ_E · MSE(per-atom energy) + λ_F · MSE(force components), with λ optionally scheduled by epoch. */
const lossSchema = z.strictObject({
  energy_weight: weight('λ_E, weight of the per-atom energy MSE (eV²/atom²)').default(1),
  force_weight: weight('λ_F, weight of the force-component MSE (eV²/Å²)').default(1),
  schedule: z
    .array(lossStageSchema)
    .default([])
    .describe(
      'Stages in ascending epoch order, each switching or ramping the weights (e.g. forces first, then energies). The validation ' +
      'loss — early stopping, learning-rate plateaus, best model — is always taken with the weights of the last stage, the objective the run ends with',
    ),
});

/** Values of training.metrics_key (nequip's names: set_quantity). */
export const METRICS_KEYS = ['validation_loss', 'validation_f_mae', 'validation_f_rmse', 'validation_e/N_mae', 'validation_e/N_rmse'] as const;
export type MetricsKey = (typeof METRICS_KEYS)[number];

const trainingSchema = z.strictObject({
  dtype: z
    .enum(['float32', 'float64'])
    .default('float32')
    .describe('Arithmetic of the training graph (the weights, Adam moments and moving average stay float64); float32 is as accurate and about twice as fast (bench/results/train-compare.json)'),
  batch_size: count('Structures per batch').default(5),
  max_epochs: count('Epochs at most').default(100),
  max_wall_time_s: z.number().gt(0).optional().describe('Stop after the epoch that passes this wall time (checkpointed, resumable)'),
  seed: z.number().int().default(0).describe('Seed of the batch order'),
  learning_rate: z.number().gt(0).default(0.005).describe('Initial Adam learning rate'),
  adam: z.strictObject({ beta1: z.number().min(0).lt(1).default(0.9), beta2: z.number().min(0).lt(1).default(0.999), eps: z.number().gt(0).default(1e-8) }).default({ beta1: 0.9, beta2: 0.999, eps: 1e-8 }).describe('Adam moment decay rates and ε'),
  lr_schedule: z
    .strictObject({
      factor: z.number().gt(0).lt(1).default(0.5).describe('Multiply the learning rate by this on a plateau'),
      patience: z.number().int().min(0).default(5).describe('Epochs without improvement before reducing'),
      min_learning_rate: z.number().gt(0).default(1e-5).describe('The learning rate never goes below this'),
      threshold: z.number().min(0).default(1e-4).describe('Relative improvement of the validation metric that counts'),
    })
    .default({ factor: 0.5, patience: 5, min_learning_rate: 1e-5, threshold: 1e-4 })
    .describe('Reduce-on-plateau schedule of the learning rate (the validation metric of metrics_key)'),
  early_stopping_patience: count('Epochs without a better validation metric (metrics_key) before stopping').default(25),
  metrics_key: z
    .enum(METRICS_KEYS)
    .default('validation_loss')
    .describe(
      'The validation metric that the learning-rate plateaus, early stopping and the best model follow (nequip: metrics_key): the loss, ' +
      'or the force (f) or per-atom energy (e/N) MAE or RMSE, which a few far-off structures sway less than the squared errors of the loss',
    ),
  device: z.string().regex(/^(auto|cpu|cuda(:\d+)?)$/, 'must be auto, cpu, cuda or cuda:N').default('cpu').describe('ONNX Runtime execution provider; an explicit device that cannot start is an error, auto falls back to cpu'),
  threads: count('onnxruntime intra-op threads').default(1),
  initial_model: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Start from the weights of this e3md model file instead of model.seed\'s random ones (fine-tuning on new data; nequip\'s initialize_from_state): ' +
      'the network of the model section must be the file\'s, whose neighbour normalization, scales and shifts are kept (not measured on the data)',
    ),
  ema: z
    .strictObject({
      decay: z.number().gt(0).lt(1).default(0.99).describe('Decay d of the average per optimizer step (nequip: ema_decay); it spans about 1 / (1 − d) steps'),
      use_num_updates: z.boolean().default(true).describe('Warm up with d = min(decay, (1 + t) / (10 + t)) after t steps (nequip: ema_use_num_updates)'),
    })
    .optional()
    .describe('Exponential moving average of the weights (nequip: use_ema), used for validation, early stopping, the best model and the exported model; omit for none'),
});

const outputSchema = z.strictObject({
  directory: z.string().min(1).describe('Checkpoints, best model, metrics.csv and report.json go here'),
  model: z.string().min(1).describe('The deployable ONNX potential (DESIGN.md §5), written from the best weights'),
  model_dtype: z.enum(['float32', 'float64']).default('float64').describe('Float type of the written model'),
  overwrite: z.boolean().default(false).describe('Replace an existing output.model and start over an existing checkpoint in output.directory (as --force does); by default e3md refuses'),
});

/** The whole `e3md train` config. */
export const trainConfigSchema = z.strictObject({
  $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors; ignored by e3md'),
  data: dataSchema.describe('Labelled structures (extxyz with energy= and forces), relative to the config file'),
  model: modelSchema.describe('The potential to train: the builder\'s options (as in `e3md model create --options`)'),
  loss: lossSchema.default({ energy_weight: 1, force_weight: 1, schedule: [] }).describe('Loss weights, optionally scheduled by epoch'),
  training: trainingSchema.default(trainingSchema.parse({})).describe('Optimizer, schedule, stopping, device'),
  output: outputSchema.describe('Where the model and the run record go (relative to the config file)'),
});

/** The JSON Schema (draft 2020-12) of a train config, for editors (train/train.schema.json). */
export function trainJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(trainConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, title: 'e3md train config', description: 'e3md train configuration (docs/train-json.md). Units are part of key names; unknown keys are errors; paths are relative to the config file.' };
}

/** The config as written (defaults filled in). */
export type TrainConfigJson = z.output<typeof trainConfigSchema>;

/** A validated config with every path absolute. */
export interface TrainConfig extends TrainConfigJson {
  /** Absolute path of the config file ('' when built in memory). */
  readonly configPath: string;
  /** An InputError located at `key` in the config file, for checks made after parsing. */
  keyError(key: readonly (string | number)[], detail: string): InputError;
}

/**
 * Reads and validates a config file.
 * @throws InputError such as `train.json:12:19: training.batch_size: must be ≥ 1, got 0`
 * @example const config = loadTrainConfig('examples/water/train.json');
 */
export function loadTrainConfig(path: string): TrainConfig {
  return parseTrainConfig(readConfigText(path, 'config file'), path);
}

/** Validates config text; `path` names the file in messages and anchors relative paths. */
export function parseTrainConfig(text: string, path: string): TrainConfig {
  const { value: c, doc } = parseConfig(text, path, trainConfigSchema);
  const base = dirname(resolve(path));
  const abs = (p: string) => resolve(base, p);
  const references = c.model.energyReferences;
  const config: TrainConfig = {
    ...c,
    model: typeof references === 'string' && references !== 'least_squares' ? { ...c.model, energyReferences: abs(references) } : c.model,
    data: { ...c.data, train: c.data.train.map(abs), validation: c.data.validation.map(abs), test: c.data.test?.map(abs) },
    training: c.training.initial_model === undefined ? c.training : { ...c.training, initial_model: abs(c.training.initial_model) },
    output: { ...c.output, directory: abs(c.output.directory), model: abs(c.output.model) },
    configPath: resolve(path),
    keyError: (key, detail) => keyError(doc, path, key, detail),
  };
  checkOutputsClobberNothing(config, doc, path);
  c.loss.schedule.forEach((stage, k) => {
    const prev = c.loss.schedule[k - 1];
    if (prev && stage.epoch < prev.epoch + Math.max(1, prev.ramp_epochs)) {
      throw config.keyError(['loss', 'schedule', k, 'epoch'], `must come after the previous stage${prev.ramp_epochs > 1 ? ` and its ramp` : ''} (epoch ${prev.epoch}${prev.ramp_epochs > 1 ? ` + ${prev.ramp_epochs} ramp epochs` : ''}), got ${stage.epoch}`);
    }
    if (stage.energy_weight === undefined && stage.force_weight === undefined) throw config.keyError(['loss', 'schedule', k], 'sets neither energy_weight nor force_weight');
  });
  if (c.training.lr_schedule.min_learning_rate > c.training.learning_rate) throw config.keyError(['training', 'lr_schedule', 'min_learning_rate'], `is above training.learning_rate (${c.training.learning_rate})`);
  return config;
}


/** Output files inside `output.directory`. */
export const TRAIN_FILES = Object.freeze({ checkpoint: 'checkpoint.json', bestModel: 'best-model.onnx', metrics: 'metrics.csv', report: 'report.json' });

/** Refuses outputs that are a dataset file, the config itself, or another output. */
function checkOutputsClobberNothing(config: TrainConfig, doc: Parameters<typeof keyError>[0], file: string): void {
  const inputs: NamedPath[] = [{ key: 'the config file', path: config.configPath }];
  for (const split of ['train', 'validation', 'test'] as const) {
    (config.data[split] ?? []).forEach((p, k) => inputs.push({ key: `data.${split}[${k}]`, path: p }));
  }
  if (config.training.initial_model !== undefined) inputs.push({ key: 'training.initial_model', path: config.training.initial_model });
  const outputs: NamedPath[] = [{ key: 'output.model', path: config.output.model }];
  for (const f of Object.values(TRAIN_FILES)) outputs.push({ key: `output.directory (${f})`, path: join(config.output.directory, f) });
  const clobber = findClobber(inputs, outputs);
  if (!clobber) return;
  const key = clobber.output.key === 'output.model' ? ['output', 'model'] : ['output', 'directory'];
  const name = clobber.output.key === 'output.model' ? '' : `${clobber.output.path}: `;
  throw keyError(doc, file, key, `${name}${clobberMessage(clobber)}`);
}
