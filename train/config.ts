/**
 * The `e3md train` config file: a zod schema (strict objects: unknown keys are errors; units are
 * part of key names, as in input.json, DESIGN.md §4) and its loader, which turns every problem
 * into one InputError naming the file, line, column and key, and resolves paths relative to the
 * config file.
 */
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { clobberMessage, findClobber, type InputError, keyError, type NamedPath, parseConfig, readConfigText } from '../io/index.js';

const count = (what: string) => z.number().int().min(1).describe(what);
const files = (what: string) => z.array(z.string().min(1)).describe(what);
const symbol = z.string().regex(/^[A-Z][a-z]?$/, 'must be a chemical symbol such as "O"');

/** Where the data come from; paths are relative to the config file. */
const dataSchema = z.strictObject({
  train: files('extxyz files of the training split').min(1),
  validation: files('extxyz files of the validation split (early stopping, LR schedule, best model)').min(1),
  test: files('extxyz files of the test split (final report); omit for no test report').optional(),
  max_structures_per_file: count('Read only the first N frames of each file (freezes a dataset that is still growing)').optional(),
  max_train_structures: count('Train on a random subset of N structures (seeded by training.seed; nested: a smaller N is a subset of a larger one)').optional(),
});

/** Settings every architecture shares: species, cutoff, radial basis, output scaling, seed. */
const commonModelShape = {
  type_names: z.array(symbol).min(1).optional().describe('Species in type order; default: those of the training data, lightest first'),
  r_max_A: z.number().gt(0).default(5).describe('Cutoff radius, Å'),
  lmax: z.number().int().min(0).default(2).describe('Largest degree of the edge harmonics and equivariant features'),
  parity: z.boolean().default(true).describe('Features of both parities'),
  num_basis: count('Bessel radial basis functions').default(8),
  trainable_frequencies: z.boolean().default(true).describe('Train the Bessel frequencies'),
  cutoff_p: count('Exponent p of the polynomial cutoff envelope').default(6),
  avg_num_neighbors: z.union([z.number().gt(0), z.literal('auto'), z.null()]).default('auto').describe("Neighbour-sum normalization 1/√avg; 'auto' measures it on the training data; null disables"),
  energy_references: z
    .union([z.literal('least_squares'), z.record(symbol, z.number())])
    .default('least_squares')
    .describe('Per-species energy shift, eV: least-squares fit on the training data (minimum norm), or given per species'),
  trainable_scale_shift: z.boolean().default(true).describe('Train the per-species scale and shift'),
  seed: z.number().int().default(0).describe('Seed of the weight initialization'),
};

/** The NequIP model (Batzner et al., Nat. Commun. 13, 2453 (2022)). */
const nequipSchema = z.strictObject({
  architecture: z.literal('nequip'),
  ...commonModelShape,
  num_layers: count('Interaction layers').default(4),
  num_features: count('Channels per irrep').default(32),
  radial_mlp: z
    .strictObject({ layers: z.number().int().min(0).default(2).describe('Hidden layers'), neurons: count('Width of each hidden layer').default(64), activation: z.string().default('silu').describe('Activation of the hidden layers') })
    .default({ layers: 2, neurons: 64, activation: 'silu' })
    .describe('The MLP from the radial basis to the tensor-product weights'),
  resnet: z.boolean().default(true).describe('Residual updates of the node features where shapes allow'),
  readout_hidden_features: count('Channels of the scalar readout layer').optional(),
});

const hiddenLayers = (widths: number[]) =>
  z.strictObject({ hidden: z.array(count('Width of a hidden layer')).default(widths).describe('Hidden layer widths'), activation: z.string().default('silu').describe('Activation of the hidden layers') }).default({ hidden: widths, activation: 'silu' });

/** The Allegro model (Musaelian et al., Nat. Commun. 14, 579 (2023)). */
const allegroSchema = z.strictObject({
  architecture: z.literal('allegro'),
  ...commonModelShape,
  num_layers: count('Tensor-product layers').default(2),
  num_tensor_features: count('Channels of the equivariant edge tensors').default(16),
  latent_dim: count('Width of the scalar edge latents').default(64),
  two_body_mlp: hiddenLayers([32, 64]),
  latent_mlp: hiddenLayers([64]),
  edge_energy_mlp: hiddenLayers([32]),
});

/** The loss: λ_E · MSE(per-atom energy) + λ_F · MSE(force components). */
const lossSchema = z.strictObject({
  energy_weight: z.number().min(0).default(1).describe('λ_E, weight of the per-atom energy MSE (eV²/atom²)'),
  force_weight: z.number().min(0).default(1).describe('λ_F, weight of the force-component MSE (eV²/Å²)'),
});

const trainingSchema = z.strictObject({
  dtype: z.enum(['float32', 'float64']).default('float64').describe('Arithmetic of the training graph'),
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
      threshold: z.number().min(0).default(1e-4).describe('Relative improvement of the validation loss that counts'),
    })
    .default({ factor: 0.5, patience: 5, min_learning_rate: 1e-5, threshold: 1e-4 })
    .describe('Reduce-on-plateau schedule of the learning rate (validation loss)'),
  early_stopping_patience: count('Epochs without a better validation loss before stopping').default(25),
  device: z.string().regex(/^(auto|cpu|cuda(:\d+)?)$/, 'must be auto, cpu, cuda or cuda:N').default('cpu').describe('ONNX Runtime execution provider; an explicit device that cannot start is an error, auto falls back to cpu'),
  threads: count('onnxruntime intra-op threads').default(1),
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
  model: z.discriminatedUnion('architecture', [nequipSchema, allegroSchema]).describe('The potential to train'),
  loss: lossSchema.default({ energy_weight: 1, force_weight: 1 }).describe('Loss weights'),
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
  const config: TrainConfig = {
    ...c,
    data: { ...c.data, train: c.data.train.map(abs), validation: c.data.validation.map(abs), test: c.data.test?.map(abs) },
    output: { ...c.output, directory: abs(c.output.directory), model: abs(c.output.model) },
    configPath: resolve(path),
    keyError: (key, detail) => keyError(doc, path, key, detail),
  };
  checkOutputsClobberNothing(config, doc, path);
  if (c.model.type_names && new Set(c.model.type_names).size !== c.model.type_names.length) throw config.keyError(['model', 'type_names'], 'lists a species twice');
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
  const outputs: NamedPath[] = [{ key: 'output.model', path: config.output.model }];
  for (const f of Object.values(TRAIN_FILES)) outputs.push({ key: `output.directory (${f})`, path: join(config.output.directory, f) });
  const clobber = findClobber(inputs, outputs);
  if (!clobber) return;
  const key = clobber.output.key === 'output.model' ? ['output', 'model'] : ['output', 'directory'];
  const name = clobber.output.key === 'output.model' ? '' : `${clobber.output.path}: `;
  throw keyError(doc, file, key, `${name}${clobberMessage(clobber)}`);
}
