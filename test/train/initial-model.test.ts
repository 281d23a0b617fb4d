/**
 * training.initial_model: a run that starts from another model's weights (fine-tuning on new data,
 * nequip's initialize_from_state).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInitializers } from '../../onnx/index.js';
import { loadTrainConfig, prepareTraining, readTrainCheckpoint, runTraining, TRAIN_FILES } from '../../train/index.js';
import { miniConfig, tempDir, writeConfig } from './helpers.js';

describe('e3md train with training.initial_model', () => {
  let base: string, first: string;
  beforeAll(async () => {
    base = tempDir();
    first = join(base, 'model.onnx');
    await runTraining(prepareTraining(loadTrainConfig(writeConfig(base, miniConfig(base, { training: { max_epochs: 2, batch_size: 4, learning_rate: 0.01, seed: 2 } })))));
  });

  /** A config in a fresh folder starting from `from`; `training` and `model` patch the mini config's. */
  const fineTune = (from: string, training: Record<string, unknown> = {}, model: Record<string, unknown> = {}) => {
    const dir = tempDir();
    const c = miniConfig(dir);
    return { dir, path: writeConfig(dir, { ...c, model: { ...(c.model as object), ...model }, training: { ...(c.training as object), initial_model: from, ...training } }) };
  };

  it("starts from the file's weights, neighbour normalization, scales and shifts, not the data's", () => {
    // Fewer structures: other statistics than the first run's, so the file's values must win.
    const { path } = fineTune(first, {}, { seed: 99 });
    const text = JSON.parse(readFileSync(path, 'utf8'));
    text.data.max_train_structures = 5;
    const prep = prepareTraining(loadTrainConfig(writeConfig(join(path, '..'), text)));
    const stored = readInitializers(readFileSync(first));
    let compared = 0;
    for (const p of prep.model.parameters.list()) {
      expect(Array.from(p.data), p.name).toEqual(Array.from(stored.get(p.name)!.data));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
    const fresh = prepareTraining(loadTrainConfig(writeConfig(join(path, '..'), { ...text, training: { ...text.training, initial_model: undefined } }, 'fresh.json')));
    const settings = (m: typeof prep.model) => m.settings as { avgNumNeighbors: number; scaleShift: { scales: number; shifts: number[] } };
    expect(settings(fresh.model).avgNumNeighbors).not.toBe(settings(prep.model).avgNumNeighbors);
    expect(prep.initialModel?.path).toBe(first);
    expect(prep.initialModel?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('trains on from there: one epoch after two of the first run beats one epoch from random weights', async () => {
    const { dir, path } = fineTune(first, { max_epochs: 1 });
    const r = await runTraining(prepareTraining(loadTrainConfig(path)));
    expect(r.epochs).toBe(1);
    const stored = readInitializers(readFileSync(first));
    const name = Object.keys(r.params).find((n) => n.includes('linear'))!;
    expect(Array.from(r.params[name]!)).not.toEqual(Array.from(stored.get(name)!.data));
    expect(readTrainCheckpoint(join(dir, 'out', TRAIN_FILES.checkpoint)).epoch).toBe(1);
    const f = tempDir();
    const fresh = await runTraining(prepareTraining(loadTrainConfig(writeConfig(f, { ...miniConfig(f), training: { max_epochs: 1, batch_size: 4, learning_rate: 0.01, seed: 2 } }))));
    expect(r.history[0]!.validation.loss).toBeLessThan(fresh.history[0]!.validation.loss);
  });

  it('refuses another network, naming the key and the setting', () => {
    expect(() => prepareTraining(loadTrainConfig(fineTune(first, {}, { lmax: 2 }).path))).toThrow(/training\.initial_model: .*model\.onnx has lmax 1, but the model section has 2: a run starts from another model's weights only with the same network/);
    expect(() => prepareTraining(loadTrainConfig(fineTune(first, {}, { architecture: 'allegro', numLayers: 1, lmax: 1, numFeatures: undefined, radialMlp: undefined }).path))).toThrow(/training\.initial_model: .* is nequip, the model section allegro/);
  });

  it('refuses a missing file, a file that is no model, and an output over it', () => {
    expect(() => prepareTraining(loadTrainConfig(fineTune(join(base, 'nowhere.onnx')).path))).toThrow(/train\.json:\d+:\d+: training\.initial_model: .*nowhere\.onnx not found/);
    expect(() => prepareTraining(loadTrainConfig(fineTune(join(base, 'train.json')).path))).toThrow(/training\.initial_model: .*train\.json/);
    const dir = tempDir();
    const c = miniConfig(dir);
    expect(() => loadTrainConfig(writeConfig(dir, { ...c, training: { ...(c.training as object), initial_model: join(dir, 'model.onnx') } }))).toThrow(/output\.model: is the same file as training\.initial_model/);
  });

  it('resumes only with the same initial weights (by content, not path)', async () => {
    const { dir, path } = fineTune(first, { max_epochs: 1 });
    await runTraining(prepareTraining(loadTrainConfig(path)));
    // The same bytes under another name resume.
    const copy = join(base, 'copy.onnx');
    copyFileSync(first, copy);
    const moved = JSON.parse(readFileSync(path, 'utf8'));
    writeConfig(dir, { ...moved, training: { ...moved.training, initial_model: copy, max_epochs: 2 } });
    expect((await runTraining(prepareTraining(loadTrainConfig(path)), { resume: true })).epochs).toBe(2);
    // Other weights of the same network do not.
    const other = join(base, 'other.onnx');
    const o = tempDir();
    await runTraining(prepareTraining(loadTrainConfig(writeConfig(o, { ...miniConfig(o), output: { directory: join(o, 'out'), model: other }, training: { max_epochs: 1, batch_size: 4, learning_rate: 0.01, seed: 3 } }))));
    writeConfig(dir, { ...moved, training: { ...moved.training, initial_model: other, max_epochs: 3 } });
    await expect(runTraining(prepareTraining(loadTrainConfig(path)), { resume: true })).rejects.toThrow(/checkpoint was written for different model, loss or training settings/);
  });
});
