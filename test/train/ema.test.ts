import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInitializers, readModelInfoFile } from '../../onnx/index.js';
import { createEma, loadTrainConfig, prepareTraining, readTrainCheckpoint, runTraining, TRAIN_FILES, type TrainResult } from '../../train/index.js';
import { miniConfig, tempDir, writeConfig } from './helpers.js';

async function trainIn(dir: string, config: Record<string, unknown>, options: Parameters<typeof runTraining>[1] = {}): Promise<TrainResult> {
  return runTraining(prepareTraining(loadTrainConfig(writeConfig(dir, config))), options);
}

describe('moving average of the weights (createEma)', () => {
  it('follows torch_ema: θ̄ ← θ̄ − (1 − d)(θ̄ − θ), with the warm-up d = min(decay, (1 + t)/(10 + t))', () => {
    const p = { w: Float64Array.from([1, -2]) };
    const ema = createEma(p, { decay: 0.9, useNumUpdates: true });
    expect(Array.from(ema.shadow.w!)).toEqual([1, -2]);
    expect(ema.shadow.w).not.toBe(p.w);
    p.w.set([3, 0]);
    ema.update(p);
    // t = 1: d = min(0.9, 2/11)
    const d1 = 2 / 11;
    expect(ema.shadow.w![0]).toBeCloseTo(1 - (1 - d1) * (1 - 3), 15);
    expect(ema.shadow.w![1]).toBeCloseTo(-2 - (1 - d1) * (-2 - 0), 15);
    // Long after the warm-up d is the decay itself.
    for (let k = 0; k < 200; k++) ema.update(p);
    const before = Float64Array.from(ema.shadow.w!);
    p.w.set([4, 1]);
    ema.update(p);
    expect(ema.shadow.w![0]).toBeCloseTo(before[0]! - 0.1 * (before[0]! - 4), 14);
    expect(ema.state.updates).toBe(202);
    const plain = createEma({ w: Float64Array.from([0]) }, { decay: 0.75, useNumUpdates: false });
    plain.update({ w: Float64Array.from([1]) });
    expect(plain.shadow.w![0]).toBe(0.25);
  });

  it('refuses a decay outside (0, 1) and a saved state that does not fit the parameters', () => {
    expect(() => createEma({ w: new Float64Array(2) }, { decay: 1, useNumUpdates: true })).toThrow(/decay must be in \(0, 1\), got 1/);
    expect(() => createEma({ w: new Float64Array(2) }, { decay: 0.9, useNumUpdates: true }, { updates: 3, shadow: { w: new Float64Array(3) } })).toThrow(/saved average of 'w' has 3 values, the parameter has 2/);
  });
});

describe('e3md train with training.ema', () => {
  const ema = { decay: 0.9, use_num_updates: true };
  // patience 0 makes the plateau schedule act, so its state goes through the checkpoint too.
  const training = { batch_size: 3, learning_rate: 0.01, seed: 7, lr_schedule: { factor: 0.5, patience: 0, min_learning_rate: 1e-4, threshold: 0.5 } };
  const config = (dir: string, extra: Record<string, unknown> = {}) => miniConfig(dir, { training: { ...training, max_epochs: 4, ema, ...extra } });
  let whole: { dir: string; r: TrainResult };
  beforeAll(async () => {
    const dir = tempDir();
    whole = { dir, r: await trainIn(dir, config(dir)) };
  });

  it('validates, keeps and exports the averaged weights, not the raw ones', async () => {
    const { dir, r } = whole;
    const ckpt = readTrainCheckpoint(join(dir, 'out', TRAIN_FILES.checkpoint));
    expect(ckpt.ema!.updates).toBe(4 * 5); // 14 structures in batches of 3: 5 steps per epoch
    const name = Object.keys(ckpt.params).find((n) => n.includes('linear'))!;
    expect(Array.from(ckpt.ema!.shadow[name]!)).not.toEqual(Array.from(ckpt.params[name]!));
    // The exported model holds the best weights, which the run returns…
    const stored = readInitializers(readFileSync(r.modelPath!)).get(name)!;
    expect(Array.from(stored.data)).toEqual(Array.from(ckpt.best[name]!));
    expect(Array.from(r.params[name]!)).toEqual(Array.from(ckpt.best[name]!));
    expect(Array.from(readInitializers(readFileSync(join(dir, 'out', TRAIN_FILES.bestModel))).get(name)!.data)).toEqual(Array.from(ckpt.best[name]!));
    // …and they are the averaged ones that were validated: the mini config's test split is its
    // validation split, so the exported model's test loss is the best epoch's validation loss.
    expect(r.test!.all.loss).toBe(r.bestValidation!.loss);
    expect(JSON.parse((await readModelInfoFile(r.modelPath!)).metadata['e3md.training']!).bestEpoch).toBe(r.bestEpoch);
  });

  it('leaves the optimizer alone: the same training losses as without it, other validation numbers', async () => {
    const dir = tempDir();
    const without = await trainIn(dir, miniConfig(dir, { training: { ...training, max_epochs: 2 } }));
    expect(whole.r.history.slice(0, 2).map((h) => h.train.loss)).toEqual(without.history.map((h) => h.train.loss));
    expect(whole.r.history[1]!.validation.loss).not.toBe(without.history[1]!.validation.loss);
    // And its checkpoint does not resume with an average.
    await expect(trainIn(dir, miniConfig(dir, { training: { ...training, max_epochs: 3, ema } }), { resume: true })).rejects.toThrow(/different model, loss or training settings/);
  });

  it('resuming reproduces the uninterrupted run bit for bit, average included', async () => {
    const a = whole.r;
    const split = tempDir();
    const b1 = await trainIn(split, config(split), { stopAfterEpochs: 2 });
    expect(b1.status).toBe('interrupted');
    const b2 = await trainIn(split, config(split), { resume: true });
    expect(b2.epochs).toBe(4);
    for (const [name, p] of Object.entries(a.params)) expect(Array.from(b2.params[name]!), name).toEqual(Array.from(p));
    const [ca, cb] = [whole.dir, split].map((d) => readTrainCheckpoint(join(d, 'out', TRAIN_FILES.checkpoint)));
    expect(cb!.ema).toEqual(ca!.ema);
    expect(cb!.best).toEqual(ca!.best);
    expect(cb!.params).toEqual(ca!.params);
    expect(cb!.adam).toEqual(ca!.adam);
    const strip = (r: TrainResult) => r.history.map(({ wall_s: _w, ...h }) => h);
    expect(strip(b2)).toEqual(strip(a));
    expect(new Set(a.history.map((h) => h.learningRate)).size).toBeGreaterThan(1);
    expect(b2.test).toEqual(a.test);
    expect(readFileSync(b2.modelPath!)).toEqual(readFileSync(a.modelPath!));
  });
});
