/**
 * Model options come from one schema per architecture: the builders' checks and defaults, the
 * `e3md.settings` they record (which any builder takes back), and `e3md model create`'s flags.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommand, type ModelCreateFlags } from '../../cli/commands/model.js';
import { ARCHITECTURES, createAllegro, createModel, createNequip, exportPotential } from '../../models/index.js';
import { readModelInfo } from '../../onnx/index.js';

describe('model options (one schema per architecture)', () => {
  it('fill the defaults in schema order, readout width from numFeatures', () => {
    const s = createNequip({ typeNames: ['H', 'O'], numFeatures: 6 }).settings;
    // activationFactors has no default (the exact constants): recorded only when given, so that
    // e3md.settings, and the files, of models made without it stay as they were.
    expect(Object.keys(s)).toEqual(Object.keys(ARCHITECTURES.nequip.optionsSchema.shape).filter((k) => k !== 'activationFactors'));
    expect(s).toMatchObject({ rMax_A: 5, numLayers: 4, lmax: 2, avgNumNeighbors: 20, radial: { numBasis: 8, trainableFrequencies: true, cutoffP: 6 }, readout: { hiddenFeatures: 3 }, scaleShift: {} });
    expect(createAllegro({ typeNames: ['H'] }).settings).toMatchObject({ numLayers: 2, numTensorFeatures: 16, latentDim: 64, twoBodyMlp: { hidden: [32, 64], activation: 'silu' } });
  });

  it('name the option that is wrong', () => {
    const bad = (f: () => unknown) => expect(f);
    bad(() => createNequip({ typeNames: ['H'], numLayers: 0 })).toThrow(/^nequip: numLayers: must be ≥ 1, got 0$/);
    bad(() => createNequip({ typeNames: ['H'], lmax: 1.5 })).toThrow(/^nequip: lmax: expected an integer, got 1\.5$/);
    bad(() => createNequip({ typeNames: ['H', 'O', 'H'] })).toThrow(/^nequip: typeNames\[2\]: lists 'H' twice$/);
    bad(() => createNequip({ typeNames: [] })).toThrow(/^nequip: typeNames: needs at least 1 entries$/);
    bad(() => createNequip({ typeNames: ['h'] })).toThrow(/^nequip: typeNames\[0\]: the string "h" must be a chemical symbol/);
    bad(() => createNequip({ typeNames: ['H'], radialMlp: { activation: 'relu' as 'silu' } })).toThrow(/^nequip: radialMlp\.activation: must be "silu" or "tanh" .*got the string "relu"$/);
    bad(() => createNequip({ typeNames: ['H'], avgNumNeighbors: -1 })).toThrow(/^nequip: avgNumNeighbors: must be > 0, got -1$/);
    bad(() => createNequip({ typeNames: ['H'], radial: { cutoffP: 1 } })).toThrow(/^nequip: radial\.cutoffP: must be ≥ 2, got 1$/);
    bad(() => createAllegro({ typeNames: ['H'], latentMlp: { hidden: [8, 0] } })).toThrow(/^allegro: latentMlp\.hidden\[1\]: must be ≥ 1, got 0$/);
    bad(() => createAllegro({ typeNames: ['H'], numFeatures: 8 } as never)).toThrow(/^allegro: numFeatures: is not an option$/);
    bad(() => createModel('mace' as 'nequip', { typeNames: ['H'] })).toThrow(/unknown architecture 'mace' \(use nequip, allegro\)/);
  });

  it("a model's e3md.settings, given back as options, builds the same file", () => {
    for (const [arch, options] of [
      ['nequip', { typeNames: ['H', 'O'], numLayers: 2, lmax: 1, numFeatures: 8, rMax_A: 4, seed: 3, scaleShift: { scales: 2, shifts: [-1, -2] } }],
      ['allegro', { typeNames: ['C', 'H', 'O'], lmax: 1, numTensorFeatures: 4, latentDim: 8, parity: false, seed: 7 }],
    ] as const) {
      const bytes = exportPotential(createModel(arch, options), { dtype: 'float32' });
      const settings = JSON.parse(readModelInfo(bytes).metadata['e3md.settings']!);
      expect(exportPotential(createModel(arch, settings), { dtype: 'float32' })).toEqual(bytes);
    }
  });
});

describe('e3md model create: flags from the schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-options-'));
  const run = async (flags: Partial<ModelCreateFlags>) => {
    let out = '', err = '';
    const code = await createCommand({ arch: 'nequip', types: 'H,O', out: join(dir, 'm.onnx'), dtype: 'float32', ...flags }, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
    return { code, out, err };
  };

  it('name the flag of a bad value, and locate a bad --options key', async () => {
    expect((await run({ layers: 0 })).err).toBe('e3md model create: --layers: must be ≥ 1, got 0\n');
    expect((await run({ rMax: -2 })).err).toBe('e3md model create: --r-max: must be > 0, got -2\n');
    expect((await run({ arch: 'allegro', features: 8 })).err).toMatch(/--features is a NequIP option; Allegro does not take it/);
    const file = join(dir, 'options.json');
    writeFileSync(file, '{\n  "radialMlp": { "neuron": 4 }\n}\n');
    const r = await run({ options: file });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/options\.json:2:\d+: radialMlp\.neuron: unknown key "neuron" in radialMlp \(allowed: layers, neurons, activation\); did you mean "neurons"\?/);
  });

  it('take the --options file, flags winning, and leave parity to the file unless --no-parity is typed', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, JSON.stringify({ numLayers: 3, lmax: 1, numFeatures: 4, parity: false, radialMlp: { neurons: 8 } }));
    expect((await run({ options: file, layers: 1 })).code).toBe(0);
    const s = JSON.parse(readModelInfo(readFileSync(join(dir, 'm.onnx'))).metadata['e3md.settings']!);
    expect(s).toMatchObject({ numLayers: 1, lmax: 1, numFeatures: 4, parity: false, radialMlp: { layers: 2, neurons: 8 } });
  });
});
