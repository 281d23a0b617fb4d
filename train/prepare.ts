/**
 * Everything before the first step: the splits read with their neighbor graphs, the training
 * statistics, and the model built with its output scale set from them (per-species energy
 * references as shifts, the force RMS as scale, NequIP's average neighbour count).
 */
import { InputError } from '../io/index.js';
import { createAllegro, createNequip, type AllegroOptions, type NequipOptions, type PotentialModel } from '../models/index.js';
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
  const typeNames = m.type_names ?? speciesIn(config.data.train, config.data.max_structures_per_file);
  const load = (name: string, files: readonly string[]) => loadDataset(files, { name, typeNames, rMax_A: m.r_max_A, perFileLimit: config.data.max_structures_per_file });
  const train = subset(load('train', config.data.train), config.data.max_train_structures, config.training.seed);
  const validation = load('validation', config.data.validation);
  const test = config.data.test ? load('test', config.data.test) : undefined;

  let references: number[] | undefined;
  if (m.energy_references !== 'least_squares') {
    const given = m.energy_references;
    for (const s of Object.keys(given)) if (!typeNames.includes(s)) throw config.keyError(['model', 'energy_references', s], `'${s}' is not a species of the model (${typeNames.join(', ')})`);
    const missing = typeNames.filter((t) => given[t] === undefined);
    if (missing.length) throw config.keyError(['model', 'energy_references'], `gives no energy for ${missing.join(', ')}`);
    references = typeNames.map((t) => given[t]!);
  }
  const statistics = datasetStatistics(train.structures, typeNames.length, references);
  let model: PotentialModel;
  try {
    model = m.architecture === 'nequip' ? createNequip(nequipOptionsOf(m, typeNames, statistics)) : createAllegro(allegroOptionsOf(m, typeNames, statistics));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw config.keyError(['model'], (e as Error).message);
  }
  return { config, typeNames, train, validation, test, statistics, model };
}

/** The `model` section of a config for one architecture. */
export type ModelSection<A extends TrainConfig['model']['architecture']> = Extract<TrainConfig['model'], { architecture: A }>;

/** Options both builders take, from the shared config keys and the data (shift, scale, neighbours). */
function commonOptionsOf(m: TrainConfig['model'], typeNames: readonly string[], statistics: DatasetStatistics) {
  // A dataset without forces would zero every gradient through the scale; keep the raw output then.
  const scale = statistics.forceRms_eV_per_A > 0 ? statistics.forceRms_eV_per_A : 1;
  return {
    typeNames,
    rMax_A: m.r_max_A,
    lmax: m.lmax,
    parity: m.parity,
    radial: { numBasis: m.num_basis, trainableFrequencies: m.trainable_frequencies, cutoffP: m.cutoff_p },
    avgNumNeighbors: m.avg_num_neighbors === 'auto' ? statistics.avgNumNeighbors : m.avg_num_neighbors,
    scaleShift: { scales: scale, shifts: statistics.energyReferences_eV, trainable: m.trainable_scale_shift },
    seed: m.seed,
  };
}

/**
 * The NequIP builder options of a config's `model` section, with the output scale from the data:
 * per-species shifts = energy references, scale = force RMS (nequip's `per_species_rescale`).
 * @example createNequip(nequipOptionsOf(config.model, ['H', 'O'], stats)).parameters.count()
 */
export function nequipOptionsOf(m: ModelSection<'nequip'>, typeNames: readonly string[], statistics: DatasetStatistics): NequipOptions {
  return {
    ...commonOptionsOf(m, typeNames, statistics),
    numLayers: m.num_layers,
    numFeatures: m.num_features,
    radialMlp: m.radial_mlp,
    resnet: m.resnet,
    ...(m.readout_hidden_features !== undefined && { readout: { hiddenFeatures: m.readout_hidden_features } }),
  };
}

/**
 * The Allegro builder options of a config's `model` section (output scale from the data as for NequIP).
 * @example createAllegro(allegroOptionsOf(config.model, ['H', 'O'], stats))
 */
export function allegroOptionsOf(m: ModelSection<'allegro'>, typeNames: readonly string[], statistics: DatasetStatistics): AllegroOptions {
  return {
    ...commonOptionsOf(m, typeNames, statistics),
    numLayers: m.num_layers,
    numTensorFeatures: m.num_tensor_features,
    latentDim: m.latent_dim,
    twoBodyMlp: m.two_body_mlp,
    latentMlp: m.latent_mlp,
    edgeEnergyMlp: m.edge_energy_mlp,
  };
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
