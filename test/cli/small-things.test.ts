/**
 * The small things that trip people (issue 14), one test each: npm's warning about the .npmrc and
 * one CUDA install instruction, `info` on a file that is not ONNX, the step-0 checkpoint, thermo
 * columns that merge, the pressure of a cluster, an element that does not exist, `help <unknown>`,
 * the doubled note prefix, "1 layers", initial_velocities over a structure's velocities, and an
 * explicit device that cannot start.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noteLine } from '../../cli/run.js';
import { Box, createSystem, type Frame } from '../../engine/index.js';
import { readCheckpoint, thermoTableHeader, thermoTableRow } from '../../io/index.js';
import { cudaInstallCommand, probeProviders } from '../../onnx/providers.js';
import { baseInput, e3md, ROOT, runDir } from './fixtures.js';

function frame(patch: Partial<Frame>, box = Box.orthorhombic(10, 10, 10)): Frame {
  const system = createSystem({ symbols: ['Ar'], positions: [1, 1, 1], masses: [39.948], box });
  return { step: 0, time_fs: 0, system, images: new Int32Array(3), potentialEnergy_eV: 0, kineticEnergy_eV: 0, totalEnergy_eV: 0, temperature_K: 0, virial: new Float64Array(9), pressure_bar: 0, pressureTensor_bar: new Float64Array(9), conservedEnergy_eV: NaN, state: () => { throw new Error('unused'); }, ...patch };
}

describe('small things that trip people', () => {
  it('npx e3md prints no npm warning about the project .npmrc, and README, .npmrc and the runtime give one CUDA instruction', () => {
    const r = spawnSync('npx', ['--no-install', 'e3md', '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/Unknown (project|user|cli) config/);
    const one = 'onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12';
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toContain(one);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(one);
    expect(cudaInstallCommand()).toContain(one);
    const cuda = probeProviders().find((p) => p.name === 'cuda')!;
    if (!cuda.installed) expect(cuda.note).toContain(one);
    // No other install instruction is left in the user-facing text.
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).not.toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12|npm install --onnxruntime-node-install/);
  });

  it('e3md info on a file that is not ONNX says so in words', async () => {
    const dir = runDir();
    writeFileSync(join(dir, 'notes.onnx'), 'these are my notes\n');
    const r = await e3md('info', join(dir, 'notes.onnx'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/notes\.onnx is not an ONNX model file/);
  });

  it('a fresh run writes a checkpoint at step 0, as documented', async () => {
    const dir = runDir({ ...baseInput(), steps: 0, checkpoint: { path: 'run.ckpt', every: 1000 } });
    expect((await e3md('run', join(dir, 'input.json'), '-q')).code).toBe(0);
    expect(readCheckpoint(join(dir, 'run.ckpt')).state.step).toBe(0);
  });

  it('thermo table columns stay apart when values are huge', () => {
    const header = thermoTableHeader();
    const row = thermoTableRow(frame({ step: 123456789, time_fs: 1.2e15, potentialEnergy_eV: 3.2e25, kineticEnergy_eV: -4.5e30, totalEnergy_eV: 1e300, temperature_K: 2e37, pressure_bar: -6e37 }));
    expect(row.length).toBe(header.length);
    const cells = row.trim().split(/\s+/);
    expect(cells).toHaveLength(7);
    expect(cells.map(Number).every(Number.isFinite)).toBe(true);
    expect(Number(cells[2])).toBeCloseTo(3.2e25, -22);
  });

  it('the pressure of a cluster is n/a (CSV: NaN) whether or not a vacuum cell is given', async () => {
    for (const structure of ['2\nProperties=species:S:1:pos:R:3\nAr 0 0 0\nAr 3.8 0 0\n', '2\nLattice="30 0 0 0 30 0 0 0 30" Properties=species:S:1:pos:R:3 pbc="F F F"\nAr 0 0 0\nAr 3.8 0 0\n']) {
      const dir = runDir({ ...baseInput(), steps: 10, trajectory: [], checkpoint: undefined, thermo: { every: 5, path: 'thermo.csv' } }, structure);
      const r = await e3md('run', join(dir, 'input.json'));
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\s+0\s+0\.00\s+.*\sn\/a\n/);
      const rows = readFileSync(join(dir, 'thermo.csv'), 'utf8').trim().split('\n').slice(1);
      for (const row of rows) expect(row.split(',')[6]).toBe('NaN');
    }
  });

  it('model create --types with an element that does not exist names it', async () => {
    const r = await e3md('model', 'create', '--arch', 'nequip', '--types', 'H,Xx', '--out', join(runDir(), 'm.onnx'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--types: "Xx" is not a chemical element symbol/);
  });

  it('e3md help <unknown> says "unknown command"', async () => {
    const r = await e3md('help', 'foo');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^e3md: unknown command 'foo' \(commands: run, relax, eval, train, model, serve, info, plot, bench/);
    expect(r.stdout).toBe('');
  });

  it('a note that already names e3md is printed with one prefix', () => {
    expect(noteLine("e3md: onnxruntime fused nodes into X")).toBe('e3md: note: onnxruntime fused nodes into X');
    expect(noteLine('neighbor.skin_A is 0')).toBe('e3md: note: neighbor.skin_A is 0');
  });

  it('one layer is "1 layer"', async () => {
    const r = await e3md('model', 'create', '--arch', 'nequip', '--types', 'H', '--layers', '1', '--features', '2', '--lmax', '1', '--out', join(runDir(), 'm.onnx'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nequip, 1 layer, lmax 1/);
  });

  it('initial_velocities over a structure that has velocities is said, not silent', async () => {
    const dir = runDir({ ...baseInput(), steps: 0, initial_velocities: { temperature_K: 50, seed: 1 } });
    const r = await e3md('run', join(dir, 'input.json'), '-q');
    expect(r.stderr).toMatch(/note: initial_velocities replaces the velocities in .*argon\.extxyz/);
  });

  it.skipIf(probeProviders().find((p) => p.name === 'cuda')!.installed)('an explicit "device": "cuda" that cannot start is an error (only "auto" falls back)', async () => {
    const model = join(ROOT, 'examples', 'water-nequip', 'model.onnx');
    const dir = runDir({ ...baseInput(), potential: { kind: 'onnx', model, device: 'cuda' }, steps: 2, trajectory: [], checkpoint: undefined }, '2\nProperties=species:S:1:pos:R:3\nO 0 0 0\nH 0.96 0 0\n');
    const r = await e3md('run', join(dir, 'input.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/potential\.device: "cuda" was asked for but cannot start \(.*\); use "auto" to fall back to the CPU/);
    const ev = await e3md('eval', '--model', model, '--structure', join(dir, 'argon.extxyz'), '--device', 'cuda');
    expect(ev.code).toBe(2);
    expect(ev.stderr).toMatch(/--device "cuda" was asked for but cannot start/);
  });
});
