/**
 * Outputs other tools read as they expect: trajectories carry momenta and masses (ASE's
 * get_velocities/get_temperature work), per-atom `energies` and `stress` under ASE's names, and
 * unwrapped positions (continuous across the periodic boundary, so MSD works, in extxyz and DCD
 * alike); `e3md eval --out` keeps the input whole and adds its predictions under a prefix, and
 * prints MAE/RMSE against the labels.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aseTimeUnit_fs } from '../../engine/index.js';
import { readDcd, readExtxyz } from '../../io/index.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';
import { baseInput, e3md, ROOT, runDir } from './fixtures.js';

const WATER = join(ROOT, 'examples', 'water');
const hasAse = pythonOrWarn('ASE reads e3md trajectories and eval output', 'ase');
const hasMda = pythonOrWarn('MDAnalysis MSD from e3md DCD', 'MDAnalysis');

describe('trajectories', () => {
  // Hot argon (velocity Verlet, 4 fs): atoms cross the periodic boundary within a few hundred steps.
  const hot = () => ({ ...baseInput(), steps: 400, initial_velocities: { temperature_K: 600, seed: 3 }, trajectory: [{ path: 'traj.xyz', every: 20 }, { path: 'traj.dcd', every: 20 }], thermo: { every: 20, path: 'thermo.csv' } });

  let dir = '';
  beforeAll(async () => {
    dir = runDir(hot());
    const r = await e3md('run', join(dir, 'input.json'), '-q');
    expect(r.code).toBe(0);
  });

  it('positions are unwrapped, in extxyz and DCD, and stay so across a restart', async () => {
    const frames = readExtxyz(join(dir, 'traj.xyz'));
    const L = frames[0]!.box.cell[0]!;
    let outside = 0;
    for (let k = 1; k < frames.length; k++) {
      const a = frames[k - 1]!.positions, b = frames[k]!.positions;
      for (let i = 0; i < a.length; i++) expect(Math.abs(b[i]! - a[i]!)).toBeLessThan(L / 4); // no jump by a cell
    }
    for (const x of frames[frames.length - 1]!.positions) if (x < 0 || x >= L) outside++;
    expect(outside).toBeGreaterThan(0); // some atom has left the cell: the positions are not wrapped
    const dcd = readDcd(join(dir, 'traj.dcd'));
    const last = dcd.frames[dcd.frames.length - 1]!.positions;
    const want = frames[frames.length - 1]!.positions;
    for (let i = 0; i < want.length; i++) expect(last[i]!).toBeCloseTo(want[i]!, 3);

    // The same run in two halves: the image flags go through the checkpoint, so the files agree byte for byte.
    const split = runDir(hot(), readFileSync(join(dir, 'argon.extxyz'), 'utf8'));
    expect((await e3md('run', join(split, 'input.json'), '--steps', '200', '-q')).code).toBe(0);
    expect((await e3md('run', join(split, 'input.json'), '--restart', join(split, 'run.ckpt'), '-q')).code).toBe(0);
    for (const f of ['traj.xyz', 'traj.dcd', 'thermo.csv']) expect(readFileSync(join(split, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
  });

  it.skipIf(!hasMda)('MDAnalysis computes an MSD from the DCD that grows with time (it would plateau at the box size if wrapped)', () => {
    const [first] = readExtxyz(join(dir, 'traj.xyz'));
    writeFileSync(join(dir, 'top.xyz'), readFileSync(join(dir, 'traj.xyz'), 'utf8').split('\n').slice(0, first!.symbols.length + 2).join('\n') + '\n');
    const msd = runPythonJson(`
import sys, json, warnings
warnings.filterwarnings('ignore')
import numpy as np, MDAnalysis as mda
u = mda.Universe(sys.argv[1], sys.argv[2], format='DCD')
x0 = None; out = []
for ts in u.trajectory:
    x = u.atoms.positions.copy()
    if x0 is None: x0 = x
    out.append(float(((x - x0) ** 2).sum(axis=1).mean()))
print(json.dumps(out))`, [join(dir, 'top.xyz'), join(dir, 'traj.dcd')]) as number[];
    expect(msd).toHaveLength(21);
    expect(msd[20]!).toBeGreaterThan(msd[7]!);
    // Directly from the extxyz frames the same numbers (float32 aside).
    const frames = readExtxyz(join(dir, 'traj.xyz'));
    const x0 = frames[0]!.positions, x = frames[20]!.positions;
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i]! - x0[i]!) ** 2;
    expect(msd[20]!).toBeCloseTo(s / first!.symbols.length, 2);
  });

  it.skipIf(!hasAse)('ASE reads velocities, temperature, per-atom energies, energy and stress from an ONNX run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-interop-'));
    copyFileSync(join(ROOT, 'examples', 'water-nequip', 'model.onnx'), join(dir, 'model.onnx'));
    copyFileSync(join(WATER, 'boxes', 'water-64.extxyz'), join(dir, 'box.extxyz'));
    writeFileSync(join(dir, 'input.json'), JSON.stringify({
      structure: 'box.extxyz', potential: { kind: 'onnx', model: 'model.onnx', device: 'cpu' },
      integrator: { kind: 'velocity-verlet', timestep_fs: 0.5 }, initial_velocities: { temperature_K: 300, seed: 1 }, steps: 4,
      thermo: { every: 2, path: 'thermo.csv' }, trajectory: [{ path: 'traj.xyz', every: 2 }],
    }));
    const r = await e3md('run', join(dir, 'input.json'), '-q');
    expect(r.code).toBe(0);
    const rows = readFileSync(join(dir, 'thermo.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const ase = runPythonJson(`
import sys, json, warnings
warnings.filterwarnings('ignore')
import ase.io
out = []
for a in ase.io.read(sys.argv[1], ':'):
    out.append({'ke': a.get_kinetic_energy(), 'T': a.get_temperature(), 'e': a.get_potential_energy(), 'sum_e': float(a.get_potential_energies().sum()),
                'stress': a.get_stress(voigt=False).tolist(), 'vol': a.get_volume(), 'v': a.get_velocities()[0].tolist()})
print(json.dumps(out))`, [join(dir, 'traj.xyz')]) as { ke: number; T: number; e: number; sum_e: number; stress: number[][]; vol: number; v: number[] }[];
    const ours = readExtxyz(join(dir, 'traj.xyz'));
    expect(ase).toHaveLength(3);
    ase.forEach((a, k) => {
      // Kinetic energy, eV, which ASE computes from momenta and masses (its unit of time is rounded differently: 5e-8 relative).
      expect(a.ke / rows[k]![3]! - 1).toBeLessThan(1e-7);
      expect(a.T).toBeGreaterThan(100);
      expect(a.e).toBeCloseTo(rows[k]![2]!, 9);
      expect(a.sum_e).toBeCloseTo(a.e, 6); // per-atom energies sum to the energy
      expect(a.v[0]! / aseTimeUnit_fs).toBeCloseTo(ours[k]!.velocities![0]!, 12); // ASE velocities are Å per ASE time unit
    });
    // Stress: −virial / V, the configurational part (ASE's calculator convention), eV/Å³.
    const p_bar = rows[0]![6]!;
    const trace = (ase[0]!.stress[0]![0]! + ase[0]!.stress[1]![1]! + ase[0]!.stress[2]![2]!) / 3;
    const kineticPressure_bar = ((2 * rows[0]![3]!) / (3 * ase[0]!.vol)) * 1.602176634e6;
    expect(-trace * 1.602176634e6 + kineticPressure_bar).toBeCloseTo(p_bar, 3);
  });
});

describe('e3md eval --out', () => {
  it('keeps every info key, column and label of the input, adds prefixed predictions, and prints MAE/RMSE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-eval-'));
    // Three labelled dimers of the dataset, one given an extra integer column and a string info key.
    const lines = readFileSync(join(WATER, 'dataset', 'dimer-test.extxyz'), 'utf8').split('\n');
    const frame = (k: number) => lines.slice(8 * k, 8 * k + 8);
    const first = frame(0);
    first[1] = first[1]!.replace('forces:R:3', 'forces:R:3:tags:I:1') + ' note="a b"';
    for (let a = 2; a < 8; a++) first[a] += ` ${a}`;
    writeFileSync(join(dir, 'in.extxyz'), [...first, ...frame(1), ...frame(2)].join('\n') + '\n');
    const input = readExtxyz(join(dir, 'in.extxyz'));
    const r = await e3md('eval', '--model', join(WATER, 'water-nequip.onnx'), '--structure', join(dir, 'in.extxyz'), '--out', join(dir, 'out.extxyz'), '--device', 'cpu');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = readExtxyz(join(dir, 'out.extxyz'));
    expect(out).toHaveLength(3);
    let eAbs = 0, fAbs = 0, comps = 0;
    out.forEach((f, k) => {
      const inp = input[k]!;
      expect(f.energy_eV).toBe(inp.energy_eV); // the reference labels, bit for bit
      expect(Array.from(f.forces!)).toEqual(Array.from(inp.forces!));
      for (const [key, v] of inp.info) expect(f.info.get(key), key).toEqual(v);
      const predicted = f.info.get('e3md_energy') as number;
      const pf = f.arrays.get('e3md_forces') as Float64Array;
      const pe = f.arrays.get('e3md_energies') as Float64Array;
      expect(pe.reduce((s, x) => s + x, 0)).toBeCloseTo(predicted, 8);
      expect(f.info.get('e3md_virial')).toHaveLength(9);
      expect(f.info.has('e3md_stress')).toBe(false); // clusters have no stress
      eAbs += Math.abs(predicted - inp.energy_eV!) / inp.symbols.length;
      for (let i = 0; i < pf.length; i++) fAbs += Math.abs(pf[i]! - inp.forces![i]!);
      comps += pf.length;
    });
    expect(Array.from(out[0]!.arrays.get('tags') as Float64Array)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(out[0]!.info.get('note')).toBe('a b');
    expect(r.stdout).toMatch(new RegExp(`energy vs labels \\(3 frames\\): MAE ${((1000 * eAbs) / 3).toFixed(3)} meV/atom, RMSE [\\d.]+ meV/atom`));
    expect(r.stdout).toMatch(new RegExp(`forces vs labels \\(3 frames\\): MAE ${((1000 * fAbs) / comps).toFixed(2)} meV/Å, RMSE [\\d.]+ meV/Å`));

    // --prefix, and evaluating the output again replaces the earlier predictions instead of doubling them.
    const again = await e3md('eval', '--model', join(WATER, 'water-nequip.onnx'), '--structure', join(dir, 'out.extxyz'), '--out', join(dir, 'out2.extxyz'), '--device', 'cpu', '-q');
    expect(again.code).toBe(0);
    expect(readExtxyz(join(dir, 'out2.extxyz'))[0]!.columns.map((c) => c.name)).toEqual(['species', 'pos', 'forces', 'tags', 'e3md_forces', 'e3md_energies']);
    const other = await e3md('eval', '--model', join(WATER, 'water-nequip.onnx'), '--structure', join(dir, 'out.extxyz'), '--out', join(dir, 'out3.extxyz'), '--prefix', 'nequip_', '-q');
    expect(other.code).toBe(0);
    const both = readExtxyz(join(dir, 'out3.extxyz'))[0]!;
    expect(both.info.get('nequip_energy')).toBe(both.info.get('e3md_energy'));

    if (hasAse) {
      const a = runPythonJson(`
import sys, json, warnings
warnings.filterwarnings('ignore')
import ase.io
a = ase.io.read(sys.argv[1], 0)
print(json.dumps({'ref': a.get_potential_energy(), 'pred': a.info['e3md_energy'], 'fshape': list(a.arrays['e3md_forces'].shape), 'config_type': a.info['config_type']}))`, [join(dir, 'out.extxyz')]) as Record<string, unknown>;
      expect(a.ref).toBe(input[0]!.energy_eV);
      expect(a.pred).toBe(out[0]!.info.get('e3md_energy'));
      expect(a.fshape).toEqual([6, 3]);
      expect(a.config_type).toBe('dimer');
    }
  });

  it('gives a periodic frame its stress, −virial / V', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-eval-'));
    const r = await e3md('eval', '--model', join(ROOT, 'examples', 'water-nequip', 'model.onnx'), '--structure', join(WATER, 'boxes', 'water-64.extxyz'), '--out', join(dir, 'out.extxyz'), '-q');
    expect(r.code).toBe(0);
    const [f] = readExtxyz(join(dir, 'out.extxyz'));
    const virial = f!.info.get('e3md_virial') as number[];
    const stress = f!.info.get('e3md_stress') as number[];
    for (let k = 0; k < 9; k++) expect(stress[k]).toBeCloseTo(-virial[k]! / f!.box.volume, 12);
  });
});
