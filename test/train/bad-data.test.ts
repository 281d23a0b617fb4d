import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainConfig, parseTrainConfig, prepareTraining, trainJsonSchema } from '../../train/index.js';
import { MINI, miniConfig, tempDir, writeConfig } from './helpers.js';

/** The mini training file with `edit` applied to its text, written to a temporary file. */
function edited(edit: (text: string) => string): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'bad.extxyz');
  writeFileSync(file, edit(readFileSync(MINI.train, 'utf8')));
  return { dir, file };
}

function prepareWith(dir: string, data: Record<string, unknown>, model: Record<string, unknown> = {}) {
  const base = miniConfig(dir);
  const config = { ...base, data: { ...(base.data as object), ...data }, model: { ...(base.model as object), ...model } };
  return () => prepareTraining(loadTrainConfig(writeConfig(dir, config)));
}

describe('bad training data gets one clear message naming the file and line', () => {
  it('missing energy', () => {
    const { dir, file } = edited((t) => t.replace(/ energy=-?[0-9.]+/, ''));
    expect(prepareWith(dir, { train: [file] })).toThrow(/bad\.extxyz:2: frame has no energy \(expected energy=… on the comment line\) in the train split/);
  });

  it('missing forces', () => {
    const { dir, file } = edited((t) => {
      const lines = t.split('\n');
      lines[1] = lines[1]!.replace(':forces:R:3', '');
      for (let i = 2; i < 5; i++) lines[i] = lines[i]!.trim().split(/\s+/).slice(0, 4).join(' ');
      return lines.join('\n');
    });
    expect(prepareWith(dir, { train: [file] })).toThrow(/bad\.extxyz:2: frame has no forces \(expected a forces:R:3 column/);
  });

  it('unknown element: not an element, or not a species of the model', () => {
    const notElement = edited((t) => t.replace(/\nH /, '\nXx '));
    expect(prepareWith(notElement.dir, { train: [notElement.file] })).toThrow(/bad\.extxyz:4: unknown element 'Xx' \(not a chemical symbol\)/);
    expect(prepareWith(notElement.dir, { train: [notElement.file] }, { typeNames: ['H', 'O'] })).toThrow(/bad\.extxyz:4: unknown element 'Xx' \(not a chemical element; the model's species are H, O\)/);
    const nitrogen = edited((t) => t.replace(/\nH /, '\nN '));
    expect(prepareWith(nitrogen.dir, { validation: [nitrogen.file] })).toThrow(/bad\.extxyz:4: unknown element 'N' \(not a species of the model; the model's species are H, O\)/);
  });

  it('NaN in forces, positions or energy', () => {
    const force = edited((t) => t.replace(/(\nO(\s+\S+){5}\s+)\S+/, '$1nan'));
    expect(prepareWith(force.dir, { train: [force.file] })).toThrow(/bad\.extxyz:3: field 7 \(forces\) must be a finite real number, found "nan"/);
    const pos = edited((t) => t.replace(/(\nO\s+)\S+/, '$1NaN'));
    expect(prepareWith(pos.dir, { train: [pos.file] })).toThrow(/bad\.extxyz:3: field 2 \(pos\) must be a finite real number/);
    const energy = edited((t) => t.replace(/energy=-?[0-9.]+/, 'energy=nan'));
    expect(prepareWith(energy.dir, { train: [energy.file] })).toThrow(/bad\.extxyz:2: energy="nan" is not a number/);
  });

  it('empty split: an empty file, or a limit of structures the files do not reach', () => {
    const { dir, file } = edited(() => '');
    expect(prepareWith(dir, { validation: [file] })).toThrow(/bad\.extxyz: no frames: the file is empty/);
    expect(() => parseTrainConfig(JSON.stringify({ ...miniConfig(dir), data: { train: [MINI.train], validation: [] } }), join(dir, 't.json'))).toThrow(/t\.json:1:\d+: data\.validation: needs at least 1 entries/);
    const missing = prepareWith(dir, { test: [join(dir, 'nope.extxyz')] });
    expect(missing).toThrow(/nope\.extxyz: structure file not found/);
  });

  it('bad energy references name the config key', () => {
    const dir = tempDir();
    expect(prepareWith(dir, {}, { energyReferences: { H: -13.6 } })).toThrow(/train\.json:\d+:\d+: model\.energyReferences: gives no energy for O/);
    expect(prepareWith(dir, {}, { energyReferences: { H: -13.6, O: -2040, C: -1000 } })).toThrow(/model\.energyReferences\.C: 'C' is not a species of the model/);
  });
});

describe('the config schema', () => {
  const dir = tempDir();
  const parse = (config: unknown) => () => parseTrainConfig(JSON.stringify(config, null, 2), join(dir, 'train.json'));

  it('accepts the mini config and fills defaults', () => {
    const c = parseTrainConfig(JSON.stringify(miniConfig(dir)), join(dir, 'train.json'));
    expect(c.loss).toEqual({ energy_weight: 1, force_weight: 1, schedule: [] });
    expect(c.training.ema).toBeUndefined();
    expect(c.training.dtype).toBe('float32');
    expect(c.training.lr_schedule.factor).toBe(0.5);
    expect(c.output.model_dtype).toBe('float64');
  });

  it('train/train.schema.json is up to date (regenerate: npx tsx tools/write-train-schema.ts) and names every key of the example', () => {
    const onDisk = readFileSync(join(import.meta.dirname, '../../train/train.schema.json'), 'utf8');
    expect(onDisk).toBe(`${JSON.stringify(trainJsonSchema(), null, 2)}\n`);
    const schema = JSON.parse(onDisk) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const example = JSON.parse(readFileSync(join(import.meta.dirname, '../../examples/water/train.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(example.$schema).toBe('../../train/train.schema.json');
    for (const section of ['data', 'loss', 'training', 'output']) {
      for (const key of Object.keys(example[section]!)) expect(schema.properties[section]!.properties, `${section}.${key}`).toHaveProperty(key);
    }
  });

  it('examples/water/train.json is valid and trains on examples/water/dataset', () => {
    const c = loadTrainConfig(join(import.meta.dirname, '../../examples/water/train.json'));
    for (const f of [...c.data.train, ...c.data.validation, ...c.data.test!]) expect(f).toMatch(/examples\/water\/dataset\/(md-|md2-|short-|stretched-)?(monomer|dimer|trimer|tetramer|pentamer|hexamer)-(train|val|test)\.extxyz$/);
    expect(c.model.lmax).toBeGreaterThanOrEqual(1);
    // Retraining writes under output/ (git-ignored), never over the shipped, tracked model.
    expect(c.output.model).toMatch(/examples\/water\/output\/water-nequip\.onnx$/);
  });

  it('unknown keys are errors naming the key, its line and the allowed keys', () => {
    const bad = miniConfig(dir);
    (bad.training as Record<string, unknown>).learning_rat = 0.1;
    expect(parse(bad)).toThrow(/train\.json:\d+:\d+: training\.learning_rat: unknown key "learning_rat" in training \(allowed: dtype, batch_size, .*learning_rate/);
    expect(parse({ ...miniConfig(dir), extra: 1 })).toThrow(/unknown key "extra" at the top level/);
    // Model keys depend on the architecture.
    expect(parse(miniConfig(dir, { model: { architecture: 'nequip', latentDim: 8 } }))).toThrow(/model\.latentDim: unknown key "latentDim" in model \(allowed: .*numFeatures/);
    expect(parse(miniConfig(dir, { model: { architecture: 'allegro', numFeatures: 8 } }))).toThrow(/model\.numFeatures: unknown key "numFeatures" in model \(allowed: .*latentDim/);
    // The model section is the builder's options (models/): nested keys are checked and located too.
    expect(parse(miniConfig(dir, { model: { architecture: 'nequip', radialMlp: { neuron: 4 } } }))).toThrow(/model\.radialMlp\.neuron: unknown key "neuron" in model\.radialMlp \(allowed: layers, neurons, activation\); did you mean "neurons"\?/);
    expect(parse(miniConfig(dir, { model: { architecture: 'nequip', numLayers: 0 } }))).toThrow(/model\.numLayers: must be ≥ 1, got 0/);
    expect(parse(miniConfig(dir, { model: { architecture: 'nequip', typeNames: ['H', 'O', 'H'] } }))).toThrow(/model\.typeNames\[2\]: lists 'H' twice/);
    expect(parse(miniConfig(dir, { model: { architecture: 'mace' } }))).toThrow(/model\.architecture: must be one of "nequip", "allegro", got the string "mace"/);
    expect(parse(miniConfig(dir, { model: { lmax: 1 } }))).toThrow(/model\.architecture: missing required key "architecture" \(one of "nequip", "allegro"\)/);
  });

  it('bad values and missing keys name the key', () => {
    expect(parse(miniConfig(dir, { training: { batch_size: 0 } }))).toThrow(/training\.batch_size: must be ≥ 1, got 0/);
    expect(parse(miniConfig(dir, { training: { dtype: 'float16' } }))).toThrow(/training\.dtype: must be "float32" or "float64", got the string "float16"/);
    const { output: _o, ...noOutput } = miniConfig(dir);
    expect(parse(noOutput)).toThrow(/output: missing required key "output"/);
    expect(parse(miniConfig(dir, { training: { learning_rate: 1e-6 } }))).toThrow(/training\.lr_schedule\.min_learning_rate: is above training\.learning_rate/);
  });
});
