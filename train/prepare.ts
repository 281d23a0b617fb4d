/**
 * Everything before the first step: the splits read with their neighbor graphs, the training
 * statistics, and the model built with its output scale set from them (per-species energy
 * references as shifts, the force RMS as scale, NequIP's average neighbour count).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../io/index.js';
import { createModel, rebuildModel, type ModelOptions, type PotentialModel } from '../models/index.js';
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
  /** training.initial_model, when the weights start from a file: its path and the SHA-256 of its bytes. */
  readonly initialModel?: { readonly path: string; readonly sha256: string };
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

  const references = givenReferences(config, typeNames);
  const statistics = datasetStatistics(train.structures, typeNames.length, references);
  let model: PotentialModel;
  const from = config.training.initial_model;
  const initial = from === undefined ? undefined : readInitialModel(config, from);
  try {
    const options = builderOptionsOf(m, typeNames, statistics);
    model = createModel(m.architecture, initial ? initialOptions(options, initial.model) : options);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw config.keyError(['model'], (e as Error).message);
  }
  if (initial) {
    checkSameNetwork(config, model, initial.model);
    const weights = new Map(initial.model.parameters.list().map((p) => [p.name, p]));
    for (const p of model.parameters.list()) {
      const w = weights.get(p.name);
      // Same settings make the same parameters; this guards the builder, not the user.
      if (!w || w.data.length !== p.data.length) throw config.keyError(['training', 'initial_model'], `${from} has no weight '${p.name}' of ${p.shape.join('×')} values, which the model section calls for`);
      p.data.set(w.data);
    }
  }
  return { config, typeNames, train, validation, test, statistics, model, initialModel: initial && { path: from!, sha256: initial.sha256 } };
}

/**
 * The per-species energy references a config gives, in type order — inline or from a JSON file —
 * or undefined for the least-squares fit.
 * @throws InputError naming the key or the file: a species missing, one the model lacks, a bad file
 */
export function givenReferences(config: TrainConfig, typeNames: readonly string[]): number[] | undefined {
  const refs = config.model.energyReferences;
  if (refs === 'least_squares') return undefined;
  const fromFile = typeof refs === 'string';
  const given = fromFile ? readEnergyReferences(refs) : refs;
  const where = (detail: string, species?: string) =>
    fromFile ? new InputError(detail, { file: refs }) : config.keyError(['model', 'energyReferences', ...(species ? [species] : [])], detail);
  for (const s of Object.keys(given)) if (!typeNames.includes(s)) throw where(`'${s}' is not a species of the model (${typeNames.join(', ')})`, s);
  const missing = typeNames.filter((t) => given[t] === undefined);
  if (missing.length) throw where(`gives no energy for ${missing.join(', ')}`);
  return typeNames.map((t) => given[t]!);
}

/**
 * Per-species energies (eV) from a JSON file: `{ "H": -13.64, "O": -2040.87 }`, or the dataset
 * tools' `{ "atoms": { "H": { "energy_eV": -13.64 }, … } }` (examples/water/dataset/atom_energies.json).
 * @throws InputError naming the file and what is wrong with it
 */
export function readEnergyReferences(path: string): Record<string, number> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'energy reference file not found (model.energyReferences)' : `cannot read energy references: ${(e as Error).message}`, { file: path });
  }
  const root = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  const table = root && 'atoms' in root ? root.atoms : root;
  if (table === null || typeof table !== 'object' || Array.isArray(table)) throw new InputError('expected an object of per-species energies in eV, such as {"H": -13.64, "O": -2040.87}, or {"atoms": {"H": {"energy_eV": …}}}', { file: path });
  const out: Record<string, number> = {};
  for (const [species, v] of Object.entries(table as Record<string, unknown>)) {
    const e = v !== null && typeof v === 'object' ? (v as Record<string, unknown>).energy_eV : v;
    if (typeof e !== 'number' || !Number.isFinite(e)) throw new InputError(`the energy of '${species}' is ${JSON.stringify(e)}, expected a finite number of eV${v !== null && typeof v === 'object' ? ' (key energy_eV)' : ''}`, { file: path });
    out[species] = e;
  }
  return out;
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
  const { architecture: _a, energyReferences, typeNames: _t, avgNumNeighbors, scaleShift, ...options } = m as TrainConfig['model'];
  // A dataset without forces would zero every gradient through the scale; keep the raw output then.
  const scale = statistics.forceRms_eV_per_A > 0 ? statistics.forceRms_eV_per_A : 1;
  return {
    ...options,
    typeNames,
    avgNumNeighbors: avgNumNeighbors === 'auto' ? statistics.avgNumNeighbors : avgNumNeighbors,
    // Given references (isolated atoms) stay fixed unless asked: trained, they would drift along the data's compositions.
    scaleShift: { scales: scale, shifts: statistics.energyReferences_eV, trainable: scaleShift.trainable ?? (energyReferences === 'least_squares' ? true : { scales: true, shifts: false }) },
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

/** The model of training.initial_model, rebuilt from the file (models/rebuild.ts); errors name the key and the file. */
function readInitialModel(config: TrainConfig, path: string): { model: PotentialModel; sha256: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw config.keyError(['training', 'initial_model'], code === 'ENOENT' ? `${path} not found` : `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return { model: rebuildModel(bytes, path).model, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (e) {
    throw config.keyError(['training', 'initial_model'], `${(e as Error).message.startsWith(path) ? '' : `${path}: `}${(e as Error).message}`);
  }
}

/**
 * The builder options of a fine-tuning run: the config's, with what the data would set — the
 * neighbour normalization and the output scales and shifts — taken from the initial model, whose
 * weights were trained with them.
 */
function initialOptions<O extends object>(options: O, initial: PotentialModel): O {
  const file = initial.settings as { avgNumNeighbors?: unknown; scaleShift?: { scales?: unknown; shifts?: unknown } };
  const mine = options as Record<string, unknown>;
  return { ...mine, avgNumNeighbors: file.avgNumNeighbors, scaleShift: { ...(mine.scaleShift as object), scales: file.scaleShift?.scales, shifts: file.scaleShift?.shifts } } as O;
}

/**
 * Refuses a model section whose network differs from the initial model's: every setting must
 * agree but the seed of the random weights and whether the scales and shifts train.
 * @throws InputError naming the first setting in which the config and the file differ
 */
function checkSameNetwork(config: TrainConfig, model: PotentialModel, initial: PotentialModel): void {
  const from = config.training.initial_model!;
  if (initial.architecture !== model.architecture) throw config.keyError(['training', 'initial_model'], `${from} is ${initial.architecture}, the model section ${model.architecture}`);
  const mine = model.settings as Record<string, unknown>, theirs = initial.settings as Record<string, unknown>;
  for (const key of new Set([...Object.keys(mine), ...Object.keys(theirs)])) {
    if (key === 'seed') continue;
    const strip = (v: unknown) => (key === 'scaleShift' && v !== null && typeof v === 'object' ? { ...(v as object), trainable: undefined } : v);
    const a = canonical(strip(mine[key])), b = canonical(strip(theirs[key]));
    if (a === b) continue;
    const where = key === 'typeNames' && config.model.typeNames === undefined ? 'the training data give' : `the model section has`;
    throw config.keyError(['training', 'initial_model'], `${from} has ${key} ${b ?? '(unset)'}, but ${where} ${a ?? '(unset)'}: a run starts from another model's weights only with the same network`);
  }
}

/** JSON with object keys sorted (undefined for undefined), so settings compare whatever their key order. */
function canonical(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x) ?? 'null').join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
}
