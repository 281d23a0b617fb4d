import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argonStructure, baseInput, e3md, e3mdProcess, runDir } from './fixtures.js';

/** Replaces line `line` (1-based) of the argon structure text. */
function structureWithLine(line: number, text: string): string {
  const lines = argonStructure().split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

type Case = [name: string, make: () => { input?: Record<string, any> | string; structure?: string; args?: string[]; files?: Record<string, string> }, message: RegExp];

const cases: Case[] = [
  ['malformed JSON', () => ({ input: '{\n  "structure": "argon.extxyz",\n  "steps": 10\n  "potential": {}\n}' }), /input\.json:4:3: JSON syntax error: expected ',' or '}' after the value of "steps"/],
  ['unknown key', () => ({ input: { ...baseInput(), temperature: 300 } }), /input\.json:\d+:3: temperature: unknown key "temperature" at the top level/],
  ['missing key', () => { const i = baseInput(); delete i.integrator; return { input: i }; }, /input\.json:1:1: integrator: missing required key "integrator"/],
  ['wrong type', () => ({ input: { ...baseInput(), steps: '200' } }), /input\.json:\d+:\d+: steps: expected a number, got the string "200"/],
  ['wrong unit in a key', () => ({ input: { ...baseInput(), integrator: { kind: 'velocity-verlet', timestep_ps: 0.002 } } }), /integrator\.timestep_ps: unknown key "timestep_ps" in integrator .*did you mean "timestep_fs"\?/],
  ['timestep = 0', () => ({ input: { ...baseInput(), integrator: { kind: 'velocity-verlet', timestep_fs: 0 } } }), /input\.json:\d+:\d+: integrator\.timestep_fs: must be > 0, got 0/],
  ['timestep < 0', () => ({ input: { ...baseInput(), integrator: { kind: 'langevin', timestep_fs: -1, temperature_K: 300, friction_per_ps: 1, seed: 1 } } }), /integrator\.timestep_fs: must be > 0, got -1/],
  ['missing structure file', () => ({ input: { ...baseInput(), structure: 'nowhere.extxyz' } }), /input\.json:2:16: structure: structure file .*nowhere\.extxyz not found/],
  ['malformed extxyz line', () => ({ structure: structureWithLine(7, 'Ar 1.0 two 3.0 0 0 0') }), /argon\.extxyz:7: field 3 \(pos\) must be a finite real number, found "two"/],
  ['element with no mass', () => ({ structure: structureWithLine(3, 'Qx 0 0 0 0 0 0') }), /argon\.extxyz:3: element "Qx" has no known mass/],
  ['no LJ parameters for a species pair', () => ({
    structure: structureWithLine(3, `Kr ${argonStructure().split('\n')[2].split(/\s+/).slice(1).join(' ')}`),
    input: { ...baseInput(), potential: { kind: 'lennard-jones', cutoff_A: 8, species: { Ar: { epsilon_eV: 0.0104, sigma_A: 3.4 } } } },
  }), /input\.json:\d+:\d+: potential\.species: no parameters for species "Kr" of .*argon\.extxyz, so the pairs Kr–Kr, Ar–Kr have none/],
  ['overlapping atoms', () => ({ structure: '2\nLattice="10 0 0 0 10 0 0 0 10" pbc="T T T"\nAr 1 1 1\nAr 1.3 1 1\n' }), /argon\.extxyz:3: atoms 1 and 2 \(line 4\) are 0\.300 Å apart; atoms closer than 0\.5 Å overlap/],
  ['overlap deep inside a large structure', () => {
    const lines = argonStructure().split('\n');
    const f = lines[11].trim().split(/\s+/); // atom 10 on line 12
    lines[61] = ['Ar', Number(f[1]) + 0.2, f[2], f[3], '0 0 0'].join(' '); // atom 60 on line 62, 0.2 Å from atom 10
    return { structure: lines.join('\n') };
  }, /argon\.extxyz:12: atoms 10 and 60 \(line 62\) are 0\.200 Å apart/],
  ['overlap across the periodic boundary', () => ({ structure: '2\nLattice="10 0 0 0 10 0 0 0 10" pbc="T T T"\nAr 0.1 5 5\nAr 9.8 5 5\n' }), /atoms 1 and 2 \(line 4\) are 0\.300 Å apart/],
  // Before the ONNX potential is in the build: "not available"; after: the missing model file is named.
  ['onnx potential, model file missing', () => ({ input: { ...baseInput(), potential: { kind: 'onnx', model: 'model.onnx' } } }), /potential\.kind: "onnx" potentials are not available in this build|potential\.model: model file .*model\.onnx not found/],
  ['output folder blocked by a file', () => ({
    input: { ...baseInput(), trajectory: [{ path: 'traj.xyz', every: 50 }, { path: 'blocker/traj.dcd', every: 20 }] },
    files: { blocker: 'a file, not a folder\n' },
  }), /cannot create the folder .*blocker: (a file of that name is in the way \(EEXIST\)|a part of the path is not a folder \(ENOTDIR\))/],
  ['missing checkpoint', () => ({ args: ['--restart', 'nothing.ckpt'] }), /nothing\.ckpt: checkpoint file not found/],
];

describe('bad input: one message naming key/file/line, exit 2, no output touched', () => {
  it.each(cases)('%s', async (_name, make, message) => {
    const c = make();
    const dir = runDir(typeof c.input === 'object' ? c.input : baseInput(), c.structure);
    if (typeof c.input === 'string') writeFileSync(join(dir, 'input.json'), c.input);
    for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), text);
    // Outputs of an earlier run that a bad input must leave alone:
    writeFileSync(join(dir, 'thermo.csv'), 'earlier run\n');
    writeFileSync(join(dir, 'traj.xyz'), 'earlier run\n');
    const args = (c.args ?? []).map((a) => (a.endsWith('.ckpt') ? join(dir, a) : a));
    const r = await e3md('run', join(dir, 'input.json'), ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^e3md: /);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(join(dir, 'thermo.csv'), 'utf8')).toBe('earlier run\n');
    expect(readFileSync(join(dir, 'traj.xyz'), 'utf8')).toBe('earlier run\n');
    expect(existsSync(join(dir, 'traj.dcd'))).toBe(false);
    expect(existsSync(join(dir, 'run.ckpt'))).toBe(false);
  });

  it('a checkpoint of another system is refused before outputs are touched', async () => {
    const small = runDir({ ...baseInput(), steps: 10, checkpoint: { path: 'run.ckpt', every: 10 } }, '2\nLattice="10 0 0 0 10 0 0 0 10"\nAr 1 1 1\nAr 5 5 5\n');
    expect((await e3md('run', join(small, 'input.json'), '--quiet')).code).toBe(0);
    const dir = runDir();
    writeFileSync(join(dir, 'thermo.csv'), 'earlier run\n');
    const r = await e3md('run', join(dir, 'input.json'), '--restart', join(small, 'run.ckpt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run\.ckpt: holds 2 atoms, but .*argon\.extxyz has 108/);
    expect(readFileSync(join(dir, 'thermo.csv'), 'utf8')).toBe('earlier run\n');
  });

  it('a restart whose trajectory cannot be continued touches no output', async () => {
    const dir = runDir();
    expect((await e3md('run', join(dir, 'input.json'), '--steps', '100', '--quiet')).code).toBe(0);
    writeFileSync(join(dir, 'mid.ckpt'), readFileSync(join(dir, 'run.ckpt')));
    expect((await e3md('run', join(dir, 'input.json'), '--restart', join(dir, 'mid.ckpt'), '--quiet')).code).toBe(0); // to 200
    const thermoBefore = readFileSync(join(dir, 'thermo.csv'));
    const dcdBefore = readFileSync(join(dir, 'traj.dcd'));
    writeFileSync(join(dir, 'traj.xyz'), '1\nnot e3md\nAr 0 0 0\n'); // no step= on the comment line
    const r = await e3md('run', join(dir, 'input.json'), '--restart', join(dir, 'mid.ckpt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/traj\.xyz: has a frame without step= .*move it away to restart/);
    // Without the read-only pre-check, thermo.csv and traj.dcd would already be cut back to step 100.
    expect(readFileSync(join(dir, 'thermo.csv')).equals(thermoBefore)).toBe(true);
    expect(readFileSync(join(dir, 'traj.dcd')).equals(dcdBefore)).toBe(true);
  });

  it('usage errors of subcommands, nested ones included, go to the given stderr with exit 2', async () => {
    for (const args of [['run'], ['run', 'in.json', '--bogus'], ['model', 'create', '--bogus']]) {
      const r = await e3md(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: .*\n\(run "e3md --help" for usage\)\n$/);
    }
  });

  it('the process exits non-zero with the message on stderr', () => {
    const dir = runDir({ ...baseInput(), integrator: { kind: 'velocity-verlet', timestep_fs: -2 } });
    const r = e3mdProcess(['run', join(dir, 'input.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^e3md: .*input\.json:\d+:\d+: integrator\.timestep_fs: must be > 0, got -2\n$/);
    expect(existsSync(join(dir, 'thermo.csv'))).toBe(false);
  });
});
