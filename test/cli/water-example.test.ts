/**
 * The README's main job: examples/water/input.json — Langevin MD of a water hexamer with the
 * shipped NequIP model trained by `e3md train` — runs on a fresh checkout and writes readable
 * thermo, extxyz and DCD output. A short run in a copy of the example folder.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDcd, readExtxyz } from '../../io/index.js';
import { ROOT, e3md } from './fixtures.js';

const EXAMPLE = join(ROOT, 'examples', 'water');
const dir = mkdtempSync(join(tmpdir(), 'e3md-water-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/water (the README main command)', () => {
  it('runs Langevin MD of the hexamer with the shipped model', async () => {
    for (const f of ['input.json', 'hexamer.extxyz', 'water-nequip-float32.onnx']) copyFileSync(join(EXAMPLE, f), join(dir, f));
    const input = JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')) as { potential: { model: string } };
    expect(input.potential.model).toBe('water-nequip-float32.onnx');
    writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
    const r = await e3md('run', join(dir, 'input.json'), '--steps', '40', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const rows = readFileSync(join(dir, 'output', 'thermo.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toMatch(/^step,time_fs,potential_energy_eV,kinetic_energy_eV,total_energy_eV,temperature_K/);
    const first = rows[1]!.split(',').map(Number);
    expect(first[0]).toBe(0);
    expect(first[5]).toBeCloseTo(300, 6); // initial velocities at exactly 300 K
    // The trained model puts the hexamer within 0.1 eV/atom of its B3LYP/def2-SVP energy.
    const [hexamer] = readExtxyz(join(EXAMPLE, 'hexamer.extxyz'));
    expect(Math.abs(first[2]! - hexamer!.energy_eV!) / 18).toBeLessThan(0.1);

    const dcd = readDcd(join(dir, 'output', 'traj.dcd'));
    expect(dcd.frames.length).toBe(5); // steps 0, 10, 20, 30, 40
    const xyz = readExtxyz(join(dir, 'output', 'traj.xyz'));
    expect(xyz[0]!.symbols.filter((s) => s === 'O')).toHaveLength(6);
    // Every molecule intact after 20 fs: each O keeps two H within 1.2 Å.
    const last = dcd.frames[dcd.frames.length - 1]!.positions;
    const symbols = xyz[0]!.symbols;
    for (let i = 0; i < symbols.length; i++) {
      if (symbols[i] !== 'O') continue;
      let bonded = 0;
      for (let j = 0; j < symbols.length; j++) {
        if (symbols[j] !== 'H') continue;
        const d = Math.hypot(last[3 * j]! - last[3 * i]!, last[3 * j + 1]! - last[3 * i + 1]!, last[3 * j + 2]! - last[3 * i + 2]!);
        if (d < 1.2) bonded++;
      }
      expect(bonded, `O ${i}`).toBe(2);
    }
  });
});
