/**
 * Shared fixtures of the training tests: the mini water dataset (real B3LYP frames), tiny
 * models, and temporary config files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAllegro, createNequip, type AllegroOptions, type NequipOptions, type PotentialModel } from '../../models/index.js';

/** Absolute paths of the mini water splits (test/fixtures/train). */
export const MINI = {
  train: resolve(import.meta.dirname, '../fixtures/train/water-mini-train.extxyz'),
  validation: resolve(import.meta.dirname, '../fixtures/train/water-mini-val.extxyz'),
};

/** A NequIP of a few hundred weights: fast to build, differentiate and run. */
export function microNequip(extra: Partial<NequipOptions> = {}): PotentialModel {
  return createNequip({ typeNames: ['H', 'O'], numLayers: 1, lmax: 1, numFeatures: 4, rMax_A: 3.5, radialMlp: { layers: 1, neurons: 8 }, avgNumNeighbors: 4, seed: 5, ...extra });
}

/** An Allegro of similar size. */
export function microAllegro(extra: Partial<AllegroOptions> = {}): PotentialModel {
  return createAllegro({ typeNames: ['H', 'O'], numLayers: 1, lmax: 1, numTensorFeatures: 4, latentDim: 8, rMax_A: 3.5, twoBodyMlp: { hidden: [8] }, latentMlp: { hidden: [8] }, edgeEnergyMlp: { hidden: [8] }, avgNumNeighbors: 4, seed: 5, ...extra });
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'e3md-train-'));
}

/** A config object for the mini dataset with a micro model; `patch` overrides sections. */
export function miniConfig(dir: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    data: { train: [MINI.train], validation: [MINI.validation], test: [MINI.validation] },
    model: { architecture: 'nequip', rMax_A: 3.5, numLayers: 1, lmax: 1, numFeatures: 4, radialMlp: { layers: 1, neurons: 8, activation: 'silu' }, seed: 1 },
    training: { max_epochs: 4, batch_size: 4, learning_rate: 0.01, seed: 2 },
    output: { directory: join(dir, 'out'), model: join(dir, 'model.onnx') },
    ...patch,
  };
}

/** Writes `config` as JSON into `dir` and returns the path. */
export function writeConfig(dir: string, config: unknown, name = 'train.json'): string {
  const path = join(dir, name);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}
