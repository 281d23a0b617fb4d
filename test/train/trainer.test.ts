import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { singlePoint } from '../../engine/index.js';
import { readExtxyz, systemOfFrame } from '../../io/index.js';
import { createSession, readModelInfoFile } from '../../onnx/index.js';
import { createOnnxPotential } from '../../potentials/index.js';
import { buildTrainingModel, loadTrainConfig, makeBatch, prepareTraining, readTrainCheckpoint, runTraining, TRAIN_FILES, type TrainResult } from '../../train/index.js';
import { MINI, miniConfig, tempDir, writeConfig } from './helpers.js';

async function trainIn(dir: string, config: Record<string, unknown>, options: Parameters<typeof runTraining>[1] = {}): Promise<TrainResult> {
  return runTraining(prepareTraining(loadTrainConfig(writeConfig(dir, config))), options);
}

describe('e3md train (mini water dataset, micro NequIP)', () => {
  it('reduces the loss, saves the best model and writes a deployable potential with a test report', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const r = await trainIn(dir, miniConfig(dir, { training: { max_epochs: 6, batch_size: 4, learning_rate: 0.01, seed: 2 } }), { log: (l) => lines.push(l) });
    expect(r.status).toBe('finished');
    expect(r.history).toHaveLength(6);
    const first = r.history[0]!, last = r.history[r.history.length - 1]!;
    expect(last.train.loss).toBeLessThan(0.5 * first.train.loss);
    expect(r.bestValidation!.loss).toBeLessThan(first.validation.loss);
    expect(lines.filter((l) => /^\s+\d+\s/.test(l))).toHaveLength(6);
    expect(r.test!.all.structures).toBe(4);
    expect(Object.keys(r.test!.byConfigType).sort()).toEqual(['dimer', 'trimer']);
    // The deployable model follows the potential contract, with the training record in metadata.
    const info = await readModelInfoFile(r.modelPath!);
    expect(info.inputs.map((i) => i.name)).toEqual(['pos', 'atom_types', 'edge_index', 'edge_shift', 'energy_mask']);
    expect(info.outputs.map((o) => o.name)).toEqual(['atomic_energy', 'energy', 'forces', 'virial']);
    expect(info.metadata['e3md.type_names']).toBe('H,O');
    expect(JSON.parse(info.metadata['e3md.training']!).bestEpoch).toBe(r.bestEpoch);
    for (const f of Object.values(TRAIN_FILES)) expect(existsSync(join(dir, 'out', f)), f).toBe(true);
    const csv = readFileSync(join(dir, 'out', TRAIN_FILES.metrics), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(7);
    const report = JSON.parse(readFileSync(join(dir, 'out', TRAIN_FILES.report), 'utf8'));
    expect(report.test.forceMae_meV_per_A).toBeCloseTo(r.test!.all.forceMae_meV_per_A, 9);
  });

  it('the deployed model carries the trained (best) weights: it predicts what the training graph predicts', async () => {
    const dir = tempDir();
    const prep = prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir, { training: { max_epochs: 2, batch_size: 4, learning_rate: 0.01 } }))));
    const r = await runTraining(prep);
    // After the run the model's parameters hold the best weights; evaluate one trimer both ways.
    const k = 3;
    const g = buildTrainingModel(prep.model, { dtype: 'float64', gradients: false });
    const s = await createSession(g.bytes, { device: 'cpu', intraOpThreads: 1 });
    const w = Object.fromEntries(g.weightNames.map((n) => { const p = prep.model.parameters.get(n); return [n, { data: p.data, dims: p.shape }]; }));
    const mine = await s.run({ ...makeBatch(prep.validation.structures, [k], 'float64', { energy: 1, forces: 1 }).feeds, ...w });
    // The deployed file, fed only the five contract inputs (DESIGN.md §5).
    const feeds = makeBatch(prep.validation.structures, [k], 'float64', { energy: 1, forces: 1 }).feeds;
    const deployed = await createSession(r.modelPath!, { device: 'cpu', intraOpThreads: 1 });
    const sp = await deployed.run(Object.fromEntries(['pos', 'atom_types', 'edge_index', 'edge_shift', 'energy_mask'].map((n) => [n, feeds[n]!])));
    expect(Number(sp.energy!.data[0])).toBeCloseTo(Number(mine.structure_energy!.data[0]), 8);
    const f = mine.forces!.data as Float64Array;
    const fd = sp.forces!.data as Float64Array;
    for (let i = 0; i < f.length; i++) expect(fd[i]!).toBeCloseTo(f[i]!, 8);
    // And through the engine's ONNX potential, with its own neighbor list.
    const frame = readExtxyz(MINI.validation)[k]!;
    const system = systemOfFrame(frame, MINI.validation);
    const pot = await createOnnxPotential({ model: r.modelPath!, typeNames: system.typeNames, device: 'cpu', intraOpThreads: 1 });
    const point = await singlePoint(pot, system);
    expect(point.energy_eV).toBeCloseTo(Number(mine.structure_energy!.data[0]), 8);
    for (let i = 0; i < f.length; i++) expect(point.forces[i]!).toBeCloseTo(f[i]!, 8);
    // And it is not the untrained model: the trained weights moved away from their initial values.
    expect(r.history[0]!.validation.loss).not.toBe(r.history[1]!.validation.loss);
  });

  it('trains an Allegro model too', async () => {
    const dir = tempDir();
    const model = { architecture: 'allegro', rMax_A: 3.5, numLayers: 1, lmax: 1, numTensorFeatures: 4, latentDim: 8, twoBodyMlp: { hidden: [8] }, latentMlp: { hidden: [8] }, edgeEnergyMlp: { hidden: [8] } };
    const r = await trainIn(dir, miniConfig(dir, { model, training: { max_epochs: 3, batch_size: 4, learning_rate: 0.01 } }));
    expect(r.history[2]!.train.loss).toBeLessThan(r.history[0]!.train.loss);
    const info = await readModelInfoFile(r.modelPath!);
    expect(info.metadata['e3md.architecture']).toBe('allegro');
    expect(info.metadata['e3md.interaction_depth']).toBe('1');
  });

  it('trains in float64 too', async () => {
    const dir = tempDir();
    const r = await trainIn(dir, miniConfig(dir, { training: { dtype: 'float64', max_epochs: 3, batch_size: 4, learning_rate: 0.01 } }));
    expect(r.status).toBe('finished');
    expect(r.history[2]!.train.loss).toBeLessThan(r.history[0]!.train.loss);
    expect(Number.isFinite(r.test!.all.forceMae_meV_per_A)).toBe(true);
  });

  it('resuming after an interruption reproduces the uninterrupted run bit for bit', async () => {
    const whole = tempDir();
    // float64 here; the moving-average test resumes a float32 run (test/train/ema.test.ts).
    const config = (dir: string) => miniConfig(dir, { training: { dtype: 'float64', max_epochs: 4, batch_size: 3, learning_rate: 0.01, seed: 7, lr_schedule: { factor: 0.5, patience: 0, min_learning_rate: 1e-4, threshold: 0.5 } } });
    const a = await trainIn(whole, config(whole));
    const split = tempDir();
    const b1 = await trainIn(split, config(split), { stopAfterEpochs: 2 });
    expect(b1.status).toBe('interrupted');
    expect(b1.modelPath).toBeUndefined();
    expect(b1.epochs).toBe(2);
    // Until its first epoch ends, a resumed run leaves the checkpoint it resumed from as it was.
    let onDisk = -1;
    const b2 = await trainIn(split, config(split), { resume: true, onBatch: (done, _total, epoch) => { if (epoch === 3 && done === 1) onDisk = readTrainCheckpoint(join(split, 'out', TRAIN_FILES.checkpoint)).epoch; } });
    expect(onDisk).toBe(2);
    expect(b2.status).toBe('finished');
    expect(b2.epochs).toBe(4);
    for (const [name, p] of Object.entries(a.params)) expect(Array.from(b2.params[name]!), name).toEqual(Array.from(p));
    // The last checkpoints agree too: current weights, Adam's moments and step, the schedule.
    const [ca, cb] = [whole, split].map((d) => readTrainCheckpoint(join(d, 'out', TRAIN_FILES.checkpoint)));
    expect(cb!.params).toEqual(ca!.params);
    expect(cb!.adam).toEqual(ca!.adam);
    expect(cb!.schedule).toEqual(ca!.schedule);
    const strip = (r: TrainResult) => r.history.map(({ wall_s: _w, ...h }) => h);
    expect(strip(b2)).toEqual(strip(a));
    // The schedule state went through the checkpoint too (patience 0 makes it reduce the rate).
    expect(new Set(a.history.map((h) => h.learningRate)).size).toBeGreaterThan(1);
    expect(b2.bestEpoch).toBe(a.bestEpoch);
    expect(b2.test).toEqual(a.test);
  });

  it('refuses to start over an existing checkpoint, and to resume with other settings', async () => {
    const dir = tempDir();
    await trainIn(dir, miniConfig(dir, { training: { max_epochs: 1 } }));
    await expect(trainIn(dir, miniConfig(dir, { training: { max_epochs: 1 } }))).rejects.toThrow(/output\.directory: already holds a training checkpoint.*--resume/);
    const changed = miniConfig(dir, { training: { max_epochs: 2, learning_rate: 0.02 } });
    await expect(trainIn(dir, changed, { resume: true })).rejects.toThrow(/checkpoint.json: the checkpoint was written for different model, loss or training settings/);
    const fewer = miniConfig(dir, { training: { max_epochs: 2 } });
    (fewer.data as Record<string, unknown>).max_structures_per_file = 3;
    await expect(trainIn(dir, fewer, { resume: true })).rejects.toThrow(/written for different data .*data\.max_structures_per_file/);
    const empty = tempDir();
    await expect(trainIn(empty, miniConfig(empty), { resume: true })).rejects.toThrow(/checkpoint not found/);
  });

  it('max_wall_time_s and early stopping end a run with the best model written', async () => {
    const dir = tempDir();
    const timed = await trainIn(dir, miniConfig(dir, { training: { max_epochs: 50, max_wall_time_s: 0.001 } }));
    expect(timed.status).toBe('stopped');
    expect(timed.epochs).toBe(1);
    expect(timed.reason).toMatch(/passed max_wall_time_s \(0\.001\); continue with --resume/);
    expect(existsSync(timed.modelPath!)).toBe(true);
    const other = tempDir();
    // A learning rate so small that nothing improves by the 50 % threshold after the first epoch.
    const early = await trainIn(other, miniConfig(other, { training: { max_epochs: 50, learning_rate: 1e-9, early_stopping_patience: 2, lr_schedule: { factor: 0.5, patience: 10, min_learning_rate: 1e-10, threshold: 0.5 } } }));
    expect(early.status).toBe('stopped');
    expect(early.epochs).toBe(3);
    expect(early.bestEpoch).toBe(1);
    expect(early.reason).toMatch(/no improvement of the validation loss for 2 epochs/);
  });

  it('metrics_key: the best model, plateaus and early stopping follow the named validation metric', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const cfg = miniConfig(dir, { training: { max_epochs: 8, batch_size: 4, learning_rate: 0.01, seed: 2, metrics_key: 'validation_f_mae', lr_schedule: { factor: 0.5, patience: 50, min_learning_rate: 1e-5, threshold: 0 } } });
    let startCheckpoint = -1;
    const r = await trainIn(dir, cfg, { log: (l) => lines.push(l), onBatch: (done, _total, epoch) => { if (epoch === 1 && done === 1) startCheckpoint = readTrainCheckpoint(join(dir, 'out', TRAIN_FILES.checkpoint)).epoch; } });
    expect(startCheckpoint).toBe(0); // the starting point's checkpoint is written whatever the metric
    const mae = r.history.map((h) => h.validation.forceMae_meV_per_A);
    expect(r.bestEpoch).toBe(mae.indexOf(Math.min(...mae)) + 1);
    expect(r.history.filter((h) => h.best).map((h) => h.epoch)).toEqual(mae.flatMap((m, k) => (m < Math.min(...mae.slice(0, k)) || k === 0 ? [k + 1] : [])));
    expect(JSON.parse((await readModelInfoFile(r.modelPath!)).metadata['e3md.training']!).bestEpoch).toBe(r.bestEpoch);
    expect(lines.some((l) => /follow the validation force MAE \(metrics_key validation_f_mae\)/.test(l))).toBe(true);
    // The metric is a run setting: a resume with another is refused.
    await expect(trainIn(dir, { ...cfg, training: { ...(cfg.training as object), max_epochs: 9, metrics_key: 'validation_loss' } }, { resume: true })).rejects.toThrow(/different model, loss or training settings/);
    const other = tempDir();
    const early = await trainIn(other, miniConfig(other, { training: { max_epochs: 50, learning_rate: 1e-9, early_stopping_patience: 2, metrics_key: 'validation_e/N_rmse', lr_schedule: { factor: 0.5, patience: 10, min_learning_rate: 1e-10, threshold: 0.5 } } }));
    expect(early.epochs).toBe(3);
    expect(early.reason).toMatch(/no improvement of the validation energy RMSE per atom for 2 epochs/);
    expect(() => loadTrainConfig(writeConfig(other, miniConfig(other, { training: { metrics_key: 'validation_f' } }), 'bad.json'))).toThrow(/training\.metrics_key/);
  });

  it('an aborted signal stops after the current batch and reports how to resume', async () => {
    const dir = tempDir();
    const ctrl = new AbortController();
    const r = await trainIn(dir, miniConfig(dir, { training: { max_epochs: 3, batch_size: 4 } }), { onBatch: (done, _total, epoch) => { if (epoch === 2 && done === 1) ctrl.abort(); }, signal: ctrl.signal });
    expect(r.status).toBe('interrupted');
    expect(r.epochs).toBe(1);
    expect(r.reason).toMatch(/interrupted during epoch 2; resume from the checkpoint of epoch 1 with --resume/);
  });
});
