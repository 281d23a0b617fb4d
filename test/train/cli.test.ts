import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerTrainCommand, testTable, trainCommand } from '../../cli/commands/train.js';
import { miniConfig, tempDir, writeConfig } from './helpers.js';

function streams() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out: () => out.join(''), err: () => err.join('') };
}

describe('e3md train (command)', () => {
  it('trains, prints epochs and the test table, and exits 0', async () => {
    const dir = tempDir();
    const s = streams();
    const code = await trainCommand(writeConfig(dir, miniConfig(dir, { training: { max_epochs: 2 } })), {}, s.io);
    expect(s.err()).toBe('');
    expect(code).toBe(0);
    expect(s.out()).toMatch(/14 train \/ 4 validation \/ 4 test structures, species H, O/);
    expect(s.out()).toMatch(/energy references \(least squares, minimum norm: compositions are proportional\)/);
    expect(s.out()).toMatch(/\n {4}2 {2}5\.0e-3 /);
    expect(s.out()).toMatch(/test set\s+4\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\n {2}dimer\s+2 /);
    expect(s.out()).toMatch(/model written to .*model\.onnx/);
  });

  it('aligns the test table for config_types longer than its name column (md-pentamer)', () => {
    const m = { loss: 0, energyMae_meV_per_atom: 1, energyRmse_meV_per_atom: 2, forceMae_meV_per_A: 10, forceRmse_meV_per_A: 20, structures: 11, atoms: 165 };
    const lines = testTable({ all: m, byConfigType: { dimer: m, 'md-pentamer': m, 'a-very-long-config-type': m } }).split('\n');
    const ends = lines.slice(2).map((line) => /^\s*\S+(?: set)?\s+11/.exec(line)![0].length);
    expect(new Set(ends).size).toBe(1);
    expect(lines[0]!.indexOf('structures') + 'structures'.length).toBe(ends[0]);
  });

  it('describes an Allegro model by its tensor-product layers, not its interaction depth (1)', async () => {
    const dir = tempDir();
    const s = streams();
    const model = { architecture: 'allegro', rMax_A: 3.5, numLayers: 2, lmax: 1, numTensorFeatures: 4, latentDim: 8, twoBodyMlp: { hidden: [8] }, latentMlp: { hidden: [8] }, edgeEnergyMlp: { hidden: [8] }, seed: 1 };
    expect(await trainCommand(writeConfig(dir, miniConfig(dir, { model, training: { max_epochs: 1 } })), {}, s.io)).toBe(0);
    expect(s.out()).toMatch(/model: allegro, \d+ parameters, r_max 3\.5 Å, 2 layers;/);
  });

  it('bad config: one message naming the key, exit 2; resume without a checkpoint: exit 2', async () => {
    const dir = tempDir();
    const s = streams();
    expect(await trainCommand(writeConfig(dir, miniConfig(dir, { training: { batch_size: -1 } })), {}, s.io)).toBe(2);
    expect(s.err()).toMatch(/^e3md: .*train\.json:\d+:\d+: training\.batch_size: must be ≥ 1, got -1\n$/);
    const r = streams();
    expect(await trainCommand(writeConfig(dir, miniConfig(dir)), { resume: true }, r.io)).toBe(2);
    expect(r.err()).toMatch(/checkpoint not found/);
  });

  it('registers `train <config.json>` with --resume on a commander program', async () => {
    const program = new Command().exitOverride();
    const s = streams();
    let code = -1;
    registerTrainCommand(program, s.io, (c) => (code = c));
    const cmd = program.commands.find((c) => c.name() === 'train')!;
    expect(cmd.options.map((o) => o.long)).toEqual(['--resume', '--force', '--threads', '--quiet']);
    await program.parseAsync(['node', 'e3md', 'train', join(tempDir(), 'missing.json')]);
    expect(code).toBe(2);
    expect(s.err()).toMatch(/missing\.json: config file not found/);
  });
});
