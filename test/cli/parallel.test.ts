/**
 * `--workers` and input.json `parallel` end to end, as users run them (the compiled dist/ and its
 * worker threads, in a real process that must end by itself): the same outputs bit for bit for
 * the same worker count, the serial run's to 1e-9 for another, bit-exact restarts; `e3md eval`
 * decomposed and chunked equals the single evaluation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExtxyz } from '../../io/index.js';
import { exportPotential } from '../../models/index.js';
import { tinyAllegro, tinyNequip } from '../models/helpers.js';
import { baseInput, e3mdProcess, ROOT, runDir } from './fixtures.js';

/** potential_eV column of a thermo CSV. */
function energies(dir: string): number[] {
  const [head, ...rows] = readFileSync(join(dir, 'thermo.csv'), 'utf8').trim().split('\n');
  const col = head.split(',').indexOf('potential_energy_eV');
  return rows.map((r) => Number(r.split(',')[col]));
}

describe('e3md run --workers', () => {
  it('two workers: the same bits twice, the serial energies to 1e-9, a bit-exact restart, a header that says so', () => {
    const input = { ...baseInput(), steps: 100, checkpoint: { path: 'run.ckpt', every: 50 }, parallel: { workers: 2 } };
    const [a, b, serial, restarted] = [runDir(input), runDir(input), runDir({ ...input, parallel: undefined }), runDir(input)];
    const ra = e3mdProcess(['run', 'input.json'], a);
    expect(ra.code, ra.stderr).toBe(0);
    expect(ra.stdout).toMatch(/108 atoms, lennard-jones on 2 workers/);
    expect(e3mdProcess(['run', 'input.json', '-q'], b).code).toBe(0);
    expect(e3mdProcess(['run', 'input.json', '-q'], serial).code).toBe(0);
    for (const f of ['thermo.csv', 'traj.xyz', 'traj.dcd']) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    const ea = energies(a), es = energies(serial);
    expect(ea).toHaveLength(11);
    ea.forEach((e, k) => expect(Math.abs(e - es[k]) / Math.abs(es[k])).toBeLessThan(1e-9));
    // Stop at 50 (the checkpoint), continue with --workers from the command line.
    expect(e3mdProcess(['run', 'input.json', '-q', '--steps', '50'], restarted).code).toBe(0);
    writeFileSync(join(restarted, 'input.json'), JSON.stringify({ ...input, parallel: undefined }));
    const rr = e3mdProcess(['run', 'input.json', '-q', '--restart', 'run.ckpt', '--workers', '2'], restarted);
    expect(rr.code, rr.stderr).toBe(0);
    for (const f of ['thermo.csv', 'traj.xyz', 'traj.dcd']) expect(readFileSync(join(restarted, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  });
});

describe('e3md eval --workers / --memory-gb', () => {
  it('decomposed and chunked evaluations of 1,536 atoms equal the single one to 1e-10', () => {
    const dir = runDir();
    writeFileSync(join(dir, 'tiny.onnx'), exportPotential(tinyAllegro(), { dtype: 'float64' }));
    const box = join(ROOT, 'examples', 'water', 'boxes', 'water-512.extxyz');
    const runs: [string, string[]][] = [['single', []], ['two workers', ['--workers', '2']], ['chunked', ['--memory-gb', '0.05']]];
    const out = runs.map(([name, flags]) => {
      const r = e3mdProcess(['eval', '--model', 'tiny.onnx', '--structure', box, '--out', `${name}.extxyz`, '-q', ...flags], dir);
      expect(r.code, r.stderr).toBe(0);
      if (name === 'chunked') expect(r.stderr).toMatch(/note: one evaluation of 1536 atoms would need about .* GB \(parallel\.memory_GB is 0\.05\); evaluating in chunks/);
      // eval's --out keeps the file's labels and adds its predictions with the e3md_ prefix.
      const f = readExtxyz(join(dir, `${name}.extxyz`))[0]!;
      return { energy_eV: f.info.get('e3md_energy') as number, forces: f.arrays.get('e3md_forces') as Float64Array };
    });
    const [ref, ...others] = out;
    expect(Number.isFinite(ref.energy_eV) && ref.forces.length).toBe(3 * 1536);
    for (const got of others) {
      expect(Math.abs(got.energy_eV - ref.energy_eV) / Math.abs(ref.energy_eV)).toBeLessThan(1e-10);
      let m = 0, s = 0;
      for (let k = 0; k < ref.forces.length; k++) { m = Math.max(m, Math.abs(got.forces[k] - ref.forces[k])); s = Math.max(s, Math.abs(ref.forces[k])); }
      expect(m / s).toBeLessThan(1e-10);
    }
  });
});

describe('e3md eval --memory-gb with a deep model', () => {
  it('a NequIP evaluation that does not fit runs layer by layer, equal to the whole one to 1e-10, and says so', () => {
    const dir = runDir();
    writeFileSync(join(dir, 'nequip.onnx'), exportPotential(tinyNequip(), { dtype: 'float64' }));
    const box = join(ROOT, 'examples', 'water', 'boxes', 'water-512.extxyz');
    const out = [[], ['--memory-gb', '0.05']].map((flags, k) => {
      const r = e3mdProcess(['eval', '--model', 'nequip.onnx', '--structure', box, '--out', `out${k}.extxyz`, '-q', ...flags], dir);
      expect(r.code, r.stderr).toBe(0);
      if (k === 1) expect(r.stderr).toMatch(/note: one evaluation of 1536 atoms would need about .* GB \(parallel\.memory_GB is 0\.05\); evaluating the 2 layers one at a time/);
      const f = readExtxyz(join(dir, `out${k}.extxyz`))[0]!;
      return { energy_eV: f.info.get('e3md_energy') as number, forces: f.arrays.get('e3md_forces') as Float64Array };
    });
    expect(Math.abs(out[1].energy_eV - out[0].energy_eV) / Math.abs(out[0].energy_eV)).toBeLessThan(1e-10);
    let m = 0, s = 0;
    for (let k = 0; k < out[0].forces.length; k++) { m = Math.max(m, Math.abs(out[1].forces[k] - out[0].forces[k])); s = Math.max(s, Math.abs(out[0].forces[k])); }
    expect(m / s).toBeLessThan(1e-10);
  });
});

describe('parallel.devices', () => {
  it('a named device that cannot start is an input error naming the worker (as potential.device is), exit 2, no output written', () => {
    const input = { ...baseInput(), steps: 10, potential: { kind: 'onnx', model: 'ar.onnx' }, parallel: { workers: 2, devices: ['cpu', 'cuda:7'] } };
    const dir = runDir(input);
    writeFileSync(join(dir, 'ar.onnx'), exportPotential(tinyAllegro({ typeNames: ['Ar'] }), { dtype: 'float64' }));
    const r = e3mdProcess(['run', 'input.json', '-q'], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/parallel\.devices.*worker 1: "cuda:7" was asked for but cannot start/s);
    expect(existsSync(join(dir, 'thermo.csv'))).toBe(false);
  });
});
