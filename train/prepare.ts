/**
 * Everything before the first step: the splits read with their neighbor graphs, the training
 * statistics, and the model built with its output scale set from them (per-species energy
 * references as shifts, the force RMS as scale, NequIP's average neighbour count).
 */
import { InputError } from '../io/index.js';
import { createModel, type ModelOptions, type PotentialModel } from '../models/index.js';
import type { TrainConfig } from './config.js';
import { Rng } from '../engine/index.js';
import { shuffled } from './batch.js';
import { datasetOf, loadDataset, speciesIn, type Dataset } from './dataset.js';
import { datasetStatistics, type DatasetStatistics } from './statistics.js';

/** Data, statistics and model of a training run. */
export interface PreparedTraining {
  readonly config: TrainConfig;
  /** Chemical symbols in type order (the model's `type_names`). */
  readonly typeNames: readonly string[];
  readonly train: Dataset;
  readonly validation: Dataset;
  /** Absent when the config lists no test files. */
  readonly test: Dataset | undefined;
  readonly statistics: DatasetStatistics;
  /** The model with initial weights; training updates `model.parameters` in place. */
  readonly model: PotentialModel;
}

/**
 * Reads the data and builds the model a config describes.
 * @throws InputError naming the file and line of bad data, or the config key of a bad setting
 * @example const prep = prepareTraining(loadTrainConfig('examples/water/train.json'));
 */
export function prepareTraining(config: TrainConfig): PreparedTraining {
  const m = config.model;
  const typeNames = m.typeNames ?? speciesIn(config.data.train, config.data.max_structures_per_file);
  const load = (name: string, files: readonly string[]) => loadDataset(files, { name, typeNames, rMax_A: m.rMax_A, perFileLimit: config.data.max_structures_per_file });
  const train = subset(load('train', config.data.train), config.data.max_train_structures, config.training.seed);
  const validation = load('validation', config.data.validation);
  const test = config.data.test ? load('test', config.data.test) : undefined;

  let references: number[] | undefined;
  if (m.energyReferences !== 'least_squares') {
    const given = m.energyReferences;
    for (const s of Object.keys(given)) if (!typeNames.includes(s)) throw config.keyError(['model', 'energyReferences', s], `'${s}' is not a species of the model (${typeNames.join(', ')})`);
    const missing = typeNames.filter((t) => given[t] === undefined);
    if (missing.length) throw config.keyError(['model', 'energyReferences'], `gives no energy for ${missing.join(', ')}`);
    references = typeNames.map((t) => given[t]!);
  }
  const statistics = datasetStatistics(train.structures, typeNames.length, references);
  let model: PotentialModel;
  try {
    model = createModel(m.architecture, builderOptionsOf(m, typeNames, statistics));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw config.keyError(['model'], (e as Error).message);
  }
  return { config, typeNames, train, validation, test, statistics, model };
}

/** The `model` section of a config for one architecture. */
export type ModelSection<A extends TrainConfig['model']['architecture']> = Extract<TrainConfig['model'], { architecture: A }>;

/**
 * The builder options of a config's `model` section: its own keys as they are (they are the
 * builder's), plus what training sets from the data — the species, the average neighbour count
 * when 'auto', and the output scale (force RMS) and per-species shifts (energy references),
 * nequip's `per_species_rescale`.
 * @example createModel('nequip', builderOptionsOf(config.model, ['H', 'O'], stats)).parameters.count()
 */
export function builderOptionsOf<A extends TrainConfig['model']['architecture']>(m: ModelSection<A>, typeNames: readonly string[], statistics: DatasetStatistics): ModelOptions<A> {
  const { architecture: _a, energyReferences: _e, typeNames: _t, avgNumNeighbors, scaleShift, ...options } = m as TrainConfig['model'];
  // A dataset without forces would zero every gradient through the scale; keep the raw output then.
  const scale = statistics.forceRms_eV_per_A > 0 ? statistics.forceRms_eV_per_A : 1;
  return {
    ...options,
    typeNames,
    avgNumNeighbors: avgNumNeighbors === 'auto' ? statistics.avgNumNeighbors : avgNumNeighbors,
    scaleShift: { scales: scale, shifts: statistics.energyReferences_eV, trainable: scaleShift.trainable },
  } as ModelOptions<A>;
}

/**
 * The first `size` structures of a seeded permutation, kept in file order: subsets for growing
 * sizes are nested and mix every file (kind) in proportion, as a learning curve needs.
 */
export function subset(data: Dataset, size: number | undefined, seed: number): Dataset {
  if (size === undefined || size >= data.structures.length) return data;
  const keep = shuffled(data.structures.length, new Rng(seed).split(0x5eb5e7)).slice(0, size).sort();
  return datasetOf(data.name, data.typeNames, Array.from(keep, (i) => data.structures[i]!));
}
