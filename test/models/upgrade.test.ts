/**
 * Files written before the deterministic segment sum (e3md 0.1: ONNX ScatterND add, which races
 * across onnxruntime threads): the loader runs them on one thread and says why, and
 * `e3md model upgrade` re-exports the same network and weights without ScatterND.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerModelCommand } from '../../cli/commands/model.js';
import { readModelInfo } from '../../onnx/index.js';
import { singlePoint } from '../../engine/index.js';
import { createOnnxPotential } from '../../potentials/index.js';
import { periodicWater } from './helpers.js';

const LEGACY = join(import.meta.dirname, '../fixtures/models/legacy-scatternd-nequip.onnx');

async function upgrade(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '', code = -1;
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const program = new Command('e3md').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerModelCommand(program, io, (c) => (code = c));
  await program.parseAsync(['node', 'e3md', 'model', 'upgrade', ...args]);
  return { code, out, err };
}

describe('models written with ScatterND segment sums', () => {
  const system = periodicWater();

  it('load on one thread with a message naming the file and the fix', async () => {
    expect(readModelInfo(readFileSync(LEGACY)).opCounts['ScatterND']).toBeGreaterThan(0);
    const notes: string[] = [];
    const pot = await createOnnxPotential({ model: LEGACY, typeNames: system.typeNames, device: 'cpu', intraOpThreads: 2, log: (m) => notes.push(m) });
    await pot.dispose!();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/legacy-scatternd-nequip\.onnx.*ScatterND.*1 thread.*e3md model upgrade/);
  });

  it('`e3md model upgrade` writes the same network without ScatterND: equal energies and forces, provenance kept', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'e3md-upgrade-')), 'new.onnx');
    const r = await upgrade(LEGACY, '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const info = readModelInfo(readFileSync(out));
    expect(info.opCounts['ScatterND'] ?? 0).toBe(0);
    expect(info.metadata['e3md.training']).toContain('fixture written by e3md 0.1');
    const evaluate = async (file: string, threads: number) => {
      const pot = await createOnnxPotential({ model: file, typeNames: system.typeNames, device: 'cpu', intraOpThreads: threads, log: () => {} });
      try {
        return await singlePoint(pot, system);
      } finally {
        await pot.dispose!();
      }
    };
    const [before, after] = [await evaluate(LEGACY, 1), await evaluate(out, 2)];
    expect(Math.abs(after.energy_eV - before.energy_eV)).toBeLessThan(1e-12 * Math.abs(before.energy_eV));
    for (let k = 0; k < before.forces.length; k++) expect(Math.abs(after.forces[k]! - before.forces[k]!)).toBeLessThan(1e-12);
  });

  it('refuses to write over the model it upgrades', async () => {
    const r = await upgrade(LEGACY, '--out', LEGACY);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*is the same file as the model being upgraded/);
  });
});
