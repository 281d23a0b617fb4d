import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../io/checkpoint.js';
import { readDcd } from '../../io/dcd-read.js';
import { readExtxyz } from '../../io/extxyz.js';
import { THERMO_COLUMNS } from '../../io/thermo-log.js';
import { baseInput, e3md, e3mdProcess, ROOT, runDir } from './fixtures.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';

const langevinInput = (): Record<string, any> => ({
  ...baseInput(),
  integrator: { kind: 'langevin', timestep_fs: 4.0, temperature_K: 100, friction_per_ps: 2, seed: 11 },
});

function csvSteps(path: string): number[] {
  return readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
}

describe('e3md run', () => {
  it('writes thermo (DESIGN.md columns), extxyz, DCD and checkpoint at step 0 and every `every` steps', async () => {
    const dir = runDir();
    const r = await e3md('run', join(dir, 'input.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/108 atoms, lennard-jones, velocity-verlet 4 fs, starting at step 0 to step 200/);
    expect(r.stdout).toMatch(/^\s+step\s+time\/fs\s+PE\/eV\s+KE\/eV\s+E\/eV\s+T\/K\s+P\/bar$/m);
    expect(r.stdout).toMatch(/done: 200 steps in/);
    const csv = readFileSync(join(dir, 'thermo.csv'), 'utf8').split('\n');
    // DESIGN.md's six, pressure, then a periodic system's volume, density and pressure tensor.
    expect(csv[0]).toBe('step,time_fs,potential_energy_eV,kinetic_energy_eV,total_energy_eV,temperature_K,pressure_bar,volume_A3,density_g_cm3,pxx_bar,pyy_bar,pzz_bar,pxy_bar,pxz_bar,pyz_bar');
    expect(csv[0].split(',').slice(0, 6)).toEqual(THERMO_COLUMNS.slice(0, 6));
    expect(csvSteps(join(dir, 'thermo.csv'))).toEqual(Array.from({ length: 21 }, (_, k) => 10 * k));
    const row = csv[1].split(',').map(Number);
    expect(row[4]).toBeCloseTo(row[2] + row[3], 12); // total = potential + kinetic
    const frames = readExtxyz(join(dir, 'traj.xyz'));
    expect(frames.map((f) => f.info.get('step'))).toEqual([0, 50, 100, 150, 200]);
    expect(frames[0].velocities).toBeDefined();
    expect(frames[0].forces).toBeDefined();
    const dcd = readDcd(join(dir, 'traj.dcd'));
    expect(dcd.frames.map((f) => f.step)).toEqual(Array.from({ length: 11 }, (_, k) => 20 * k));
    expect(dcd.frames[10].positions[0]).toBeCloseTo(frames[4].positions[0], 4); // same configuration, float32
    expect(readCheckpoint(join(dir, 'run.ckpt')).state.step).toBe(200);
  });

  it.each([
    ['velocity Verlet', baseInput],
    ['Langevin', langevinInput],
  ])('%s: 200 steps == 100 steps + restart + 100 steps, bit for bit (state and every output file)', async (_name, make) => {
    const once = runDir(make());
    expect((await e3md('run', join(once, 'input.json'), '--quiet')).code).toBe(0);

    const twice = runDir(make(), readFileSync(join(once, 'argon.extxyz'), 'utf8'));
    const first = await e3md('run', join(twice, 'input.json'), '--steps', '100', '--quiet');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(''); // --quiet
    expect(readCheckpoint(join(twice, 'run.ckpt')).state.step).toBe(100);
    const second = await e3md('run', join(twice, 'input.json'), '--restart', join(twice, 'run.ckpt'), '--quiet');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);

    const a = readCheckpoint(join(once, 'run.ckpt')).state, b = readCheckpoint(join(twice, 'run.ckpt')).state;
    expect(b.step).toBe(200);
    expect(Buffer.from(b.positions.buffer).equals(Buffer.from(a.positions.buffer))).toBe(true);
    expect(Buffer.from(b.velocities.buffer).equals(Buffer.from(a.velocities.buffer))).toBe(true);
    expect(b.integrator).toEqual(a.integrator);
    for (const f of ['thermo.csv', 'traj.xyz', 'traj.dcd', 'run.ckpt']) {
      expect(readFileSync(join(twice, f)).equals(readFileSync(join(once, f))), f).toBe(true);
    }
  });

  it('a restart drops thermo rows and frames past the checkpoint before appending', async () => {
    const dir = runDir();
    expect((await e3md('run', join(dir, 'input.json'), '--steps', '100', '--quiet')).code).toBe(0);
    writeFileSync(join(dir, 'mid.ckpt'), readFileSync(join(dir, 'run.ckpt'))); // step 100
    expect((await e3md('run', join(dir, 'input.json'), '--quiet')).code).toBe(0); // a fresh run to 200 overwrites everything
    const r = await e3md('run', join(dir, 'input.json'), '--restart', join(dir, 'mid.ckpt'), '--steps', '150', '--quiet');
    expect(r.code).toBe(0);
    expect(csvSteps(join(dir, 'thermo.csv'))).toEqual(Array.from({ length: 16 }, (_, k) => 10 * k));
    expect(readExtxyz(join(dir, 'traj.xyz')).map((f) => f.info.get('step'))).toEqual([0, 50, 100, 150]);
    const dcd = readDcd(join(dir, 'traj.dcd'));
    expect(dcd.header.nset).toBe(8);
    expect(dcd.frames.map((f) => f.step)).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
  });

  it('stops with the step named when the energy becomes NaN, after writing the last good frame', async () => {
    // An ε = 0 species: no force, so atom 2 glides exactly onto atom 1 at step 2, where 0 × ∞ = NaN.
    const input = {
      ...baseInput(),
      potential: { kind: 'lennard-jones', cutoff_A: 5, species: { Ar: { epsilon_eV: 0.0104, sigma_A: 3.4 }, Ne: { epsilon_eV: 0, sigma_A: 2.8 } } },
      integrator: { kind: 'velocity-verlet', timestep_fs: 1 },
      steps: 10,
      thermo: { every: 1, path: 'thermo.csv' },
      trajectory: [{ path: 'traj.xyz', every: 5 }],
      checkpoint: undefined,
    };
    const structure = '2\nProperties=species:S:1:pos:R:3:velocities:R:3\nAr 0 0 0 0 0 0\nNe 2 0 0 -1 0 0\n';
    const dir = runDir(input, structure);
    const r = await e3md('run', join(dir, 'input.json'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^e3md: the potential energy became NaN at step 2; .*last good frame \(step 1\) is in .*thermo\.csv, .*traj\.xyz\n$/);
    expect(csvSteps(join(dir, 'thermo.csv'))).toEqual([0, 1]);
    const frames = readExtxyz(join(dir, 'traj.xyz'));
    expect(frames.map((f) => f.info.get('step'))).toEqual([0, 1]); // step 1 was flushed: the last good frame
    expect(frames[1].positions[3]).toBe(1);
  });
  it('starts from the last frame of a multi-frame structure (as ase.io.read), and says so', async () => {
    const frame = (x: number): string => `2\nLattice="12 0 0 0 12 0 0 0 12" pbc="T T T"\nAr 1 1 1\nAr ${x} 1 1\n`;
    const dir = runDir({ ...baseInput(), steps: 0, trajectory: [{ path: 'traj.xyz', every: 1 }] }, frame(5) + frame(6.5));
    const r = await e3md('run', join(dir, 'input.json'), '--quiet');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^e3md: note: .*argon\.extxyz has 2 frames; starting from the last one \(line 5\)\n$/);
    expect(readExtxyz(join(dir, 'traj.xyz'))[0].positions[3]).toBe(6.5);
  });
});

describe('e3md as a process', () => {
  it('--help explains the run command; bad usage exits 2', () => {
    const help = e3mdProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: e3md/);
    expect(help.stdout).toMatch(/run \[options\] <input\.json>\s+run molecular dynamics from an input\.json/);
    expect(help.stdout).toMatch(/Exit codes:/);
    const runHelp = e3mdProcess(['run', '--help']);
    expect(runHelp.stdout).toMatch(/--steps <n>/);
    expect(runHelp.stdout).toMatch(/--restart <checkpoint>/);
    expect(runHelp.stdout).toMatch(/--quiet/);
    expect(e3mdProcess(['run']).code).toBe(2);
    const steps = e3mdProcess(['run', 'x.json', '--steps', 'ten']);
    expect(steps.code).toBe(2);
    expect(steps.stderr).toMatch(/--steps <n>.*expected a non-negative integer, got "ten"/);
    expect(e3mdProcess(['frobnicate']).code).toBe(2);
  });

  it('runs the README command on the shipped argon example in a few seconds', () => {
    const dir = runDir();
    const input = JSON.parse(readFileSync(join(ROOT, 'examples/argon/input.json'), 'utf8'));
    // The shipped input with its structure, writing into a temp folder (shorter run: CI has 2 cores).
    input.structure = join(ROOT, 'examples/argon', input.structure);
    input.steps = 200;
    input.$schema = undefined;
    writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
    const t0 = Date.now();
    const r = e3mdProcess(['run', join(dir, 'input.json')], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/864 atoms/);
    expect(Date.now() - t0).toBeLessThan(30_000);
    const csv = readFileSync(join(dir, 'output/thermo.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const drift = Math.abs(csv[csv.length - 1][4] - csv[0][4]) / 864;
    expect(drift).toBeLessThan(1e-5); // eV/atom over 1 ps: velocity Verlet conserves energy
    expect(existsSync(join(dir, 'output/traj.dcd'))).toBe(true);
  });
});

describe.skipIf(!pythonOrWarn('run outputs read by ASE and MDAnalysis', 'ase.io', 'MDAnalysis'))('run outputs in reference readers', () => {
  it('ASE reads every extxyz frame (step, energy = thermo PE, pbc); MDAnalysis reads the DCD with the same positions', async () => {
    const dir = runDir();
    expect((await e3md('run', join(dir, 'input.json'), '--quiet')).code).toBe(0);
    const script = `
import sys, json, warnings
warnings.filterwarnings('ignore')
import ase.io, ase.units
from MDAnalysis.coordinates.DCD import DCDReader
frames = ase.io.read(sys.argv[1] + '/traj.xyz', ':')
dcd = [ts.positions[:2].ravel().tolist() for ts in DCDReader(sys.argv[1] + '/traj.dcd')]
print(json.dumps(dict(steps=[int(a.info['step']) for a in frames], energy=[a.get_potential_energy() for a in frames],
  n=len(frames[0]), pbc=[bool(p) for p in frames[0].pbc], pos=[a.positions[:2].ravel().tolist() for a in frames], dcd=dcd)))`;
    const r = runPythonJson(script, [dir]) as { steps: number[]; energy: number[]; n: number; pbc: boolean[]; pos: number[][]; dcd: number[][] };
    expect(r.steps).toEqual([0, 50, 100, 150, 200]);
    expect(r.n).toBe(108);
    expect(r.pbc).toEqual([true, true, true]);
    const csv = readFileSync(join(dir, 'thermo.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    r.steps.forEach((step, k) => expect(r.energy[k]).toBe(csv.find((row) => row[0] === step)![2]));
    expect(r.dcd).toHaveLength(11);
    r.steps.forEach((step, k) => {
      if (step % 20 === 0) r.pos[k].forEach((x, d) => expect(r.dcd[step / 20][d]).toBeCloseTo(x, 4)); // frames both files hold
    });
  });
});
