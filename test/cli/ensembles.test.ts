/**
 * `e3md run` with Nosé–Hoover and NPT, and `e3md relax`, end to end: thermo columns, bit-exact
 * restarts of every output file, relaxation reports and files, and bad inputs (one message naming
 * the key, exit 2, nothing written).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../io/checkpoint.js';
import { readDcd } from '../../io/dcd-read.js';
import { readExtxyz } from '../../io/extxyz.js';
import { thermoColumns } from '../../io/thermo-log.js';
import { baseInput, e3md, runDir } from './fixtures.js';

const nptInput = (barostat: 'mtk' | 'c-rescale', couple = 'iso'): Record<string, any> => ({
  ...baseInput(),
  integrator: { kind: 'npt', timestep_fs: 4, temperature_K: 100, pressure_bar: 500, tdamp_fs: 200, pdamp_fs: 800, couple, barostat, ...(barostat === 'c-rescale' ? { seed: 3, compressibility_per_bar: 2e-4 } : {}) },
});
const noseHooverInput = (): Record<string, any> => ({ ...baseInput(), integrator: { kind: 'nose-hoover', timestep_fs: 4, temperature_K: 100, tdamp_fs: 200 } });

/** A 13-atom LJ cluster (ε = 1 eV, σ = 1 Å) near the icosahedron, as extxyz. */
function cluster(): string {
  const phi = (1 + Math.sqrt(5)) / 2, s = 1.12 / Math.hypot(1, phi);
  const rows = ['Ar 0 0 0'];
  const jitter = [0.03, -0.02, 0.04, -0.03, 0.01, 0.02, -0.04, 0.03, -0.01, 0.02, -0.02, 0.01];
  let k = 0;
  for (const a of [-1, 1]) for (const b of [-1, 1]) {
    for (const v of [[0, a, b * phi], [a, b * phi, 0], [b * phi, 0, a]]) rows.push(`Ar ${v.map((c, i) => c * s + (i === 0 ? jitter[k] : 0)).join(' ')}`), k++;
  }
  return `13\nProperties=species:S:1:pos:R:3 pbc="F F F"\n${rows.join('\n')}\n`;
}

const relaxInput = (relax: Record<string, unknown> = {}): Record<string, any> => ({
  structure: 'argon.extxyz',
  potential: { kind: 'lennard-jones', epsilon_eV: 1, sigma_A: 1, cutoff_A: 6, shift: false },
  relax: { method: 'lbfgs', fmax_eV_A: 1e-5, max_steps: 500, ...relax },
  thermo: { every: 5, path: 'relax.csv' },
  trajectory: [{ path: 'relax.xyz', every: 10 }],
});

describe('e3md run with Nosé–Hoover and NPT', () => {
  it('NPT writes the cell columns and a moving cell to every output', async () => {
    const dir = runDir(nptInput('mtk', 'tri'));
    const r = await e3md('run', join(dir, 'input.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/npt-mtk 4 fs/);
    expect(r.stdout).toMatch(/^\s+step\s+time\/fs\s+PE\/eV\s+KE\/eV\s+E\/eV\s+T\/K\s+P\/bar\s+V\/A\^3\s+rho\/g\/cm3\s+Econs\/eV$/m);
    const csv = readFileSync(join(dir, 'thermo.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(thermoColumns({ periodic: true, cell: true, conserved: true }).join(','));
    expect(csv[0]).toMatch(/,volume_A3,density_g_cm3,pxx_bar,pyy_bar,pzz_bar,pxy_bar,pxz_bar,pyz_bar,a_A,b_A,c_A,alpha_deg,beta_deg,gamma_deg,conserved_energy_eV$/);
    const rows = csv.slice(1).map((l) => l.split(',').map(Number));
    const col = (name: string) => csv[0].split(',').indexOf(name);
    expect(rows[rows.length - 1][col('volume_A3')]).not.toBe(rows[0][col('volume_A3')]);
    const frames = readExtxyz(join(dir, 'traj.xyz'));
    expect(frames[frames.length - 1].box.volume).toBeCloseTo(rows[rows.length - 1][col('volume_A3')], 6);
    expect(frames[0].box.volume).not.toBe(frames[frames.length - 1].box.volume);
    // e3md plot draws the moving cell: volume, density, cell lengths and angles, conserved energy.
    const plot = await e3md('plot', join(dir, 'thermo.csv'));
    expect(plot.code).toBe(0);
    const titles = [...readFileSync(join(dir, 'thermo.svg'), 'utf8').matchAll(/font-weight="bold">([^<]*)</g)].map((m) => m[1]);
    expect(titles).toEqual(expect.arrayContaining(['pressure', 'volume', 'cell lengths', 'cell angles']));
    expect(titles.some((t) => /conserved/.test(t!))).toBe(true);
    expect(titles.some((t) => /pxx/.test(t!))).toBe(false);
    const dcd = readDcd(join(dir, 'traj.dcd'));
    expect(dcd.frames[0].unitCell).toBeDefined();
    expect(Array.from(dcd.frames[dcd.frames.length - 1].unitCell!)).not.toEqual(Array.from(dcd.frames[0].unitCell!));
  });

  it.each([
    ['nose-hoover', noseHooverInput],
    ['npt mtk', () => nptInput('mtk')],
    ['npt c-rescale', () => nptInput('c-rescale', 'aniso')],
  ] as [string, () => Record<string, any>][])('%s: 200 steps == 100 steps + restart + 100 steps, bit for bit (every output file)', async (_name, make) => {
    const once = runDir(make());
    expect((await e3md('run', join(once, 'input.json'), '--quiet')).code).toBe(0);
    const twice = runDir(make(), readFileSync(join(once, 'argon.extxyz'), 'utf8'));
    expect((await e3md('run', join(twice, 'input.json'), '--steps', '100', '--quiet')).code).toBe(0);
    const second = await e3md('run', join(twice, 'input.json'), '--restart', join(twice, 'run.ckpt'), '--quiet');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    for (const f of ['thermo.csv', 'traj.xyz', 'traj.dcd', 'run.ckpt']) expect(readFileSync(join(twice, f)).equals(readFileSync(join(once, f))), f).toBe(true);
    expect(readCheckpoint(join(once, 'run.ckpt')).state.integrator!.variables).toHaveProperty('thermostat_xi');
  });

  it('continues a velocity-Verlet checkpoint with Nosé–Hoover, saying that its thermostat starts at rest', async () => {
    const dir = runDir({ ...baseInput(), steps: 100 });
    expect((await e3md('run', join(dir, 'input.json'), '--quiet')).code).toBe(0);
    writeFileSync(join(dir, 'input.json'), JSON.stringify({ ...noseHooverInput(), thermo: { every: 10, path: 'nh.csv' }, trajectory: [], checkpoint: { path: 'nh.ckpt', every: 100 } }));
    const r = await e3md('run', join(dir, 'input.json'), '--restart', join(dir, 'run.ckpt'), '--quiet');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the checkpoint was written by velocity-verlet .* continuing with nose-hoover/);
    expect(readCheckpoint(join(dir, 'nh.ckpt')).state.step).toBe(200);
  });
});

describe('e3md relax', () => {
  it('relaxes an LJ13 cluster to the icosahedron, reports it, and leaves the path and log on disk', async () => {
    const dir = runDir(relaxInput(), cluster());
    const r = await e3md('relax', join(dir, 'input.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/13 atoms, lennard-jones, lbfgs, positions, until max\|F\| < 0.00001 eV\/Å/);
    expect(r.stdout).toMatch(/^converged: E -44\.326801\d* eV .* max\|F\| \d\.\d\de-6 eV\/Å; \d+ steps, \d+ force evaluations/m);
    expect(r.stdout).toMatch(/the relaxed structure is the last frame of .*relax\.xyz/);
    const frames = readExtxyz(join(dir, 'relax.xyz'));
    expect(frames[frames.length - 1].energy_eV).toBeCloseTo(-44.326801, 6);
    const csv = readFileSync(join(dir, 'relax.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('step,energy_eV,fmax_eV_A');
    expect(Number(csv[csv.length - 1].split(',')[1])).toBeCloseTo(-44.326801, 6);
    // The relaxed structure starts the next run.
    writeFileSync(join(dir, 'next.json'), JSON.stringify({ ...relaxInput(), structure: 'relax.xyz', thermo: undefined, trajectory: [] }));
    const again = await e3md('relax', join(dir, 'next.json'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/converged: E -44\.326801\d* eV .*; 0 steps/);
  });

  it('relaxes a crystal cell (the log has the cell columns) and exits 1 when max_steps is too few', async () => {
    const dir = runDir({ ...relaxInput({ cell: true, max_steps: 400 }), potential: { kind: 'lennard-jones', epsilon_eV: 0.010341, sigma_A: 3.4, cutoff_A: 8.0, shift: true } });
    const r = await e3md('relax', join(dir, 'input.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/converged: .*cell force .* eV\/atom \(stress deviation .* bar\), P -?\d+\.\d+ bar, V .* Å³, a b c /);
    const header = readFileSync(join(dir, 'relax.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('step,energy_eV,fmax_eV_A,pressure_bar,enthalpy_eV,cell_force_eV,volume_A3,density_g_cm3,a_A,b_A,c_A,alpha_deg,beta_deg,gamma_deg');
    const short = await e3md('relax', join(dir, 'input.json'), '--max-steps', '3');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^e3md: not converged after 3 steps \(relax\.max_steps\): E /);
  });
});

type Case = [name: string, input: () => Record<string, any>, structure: string | undefined, command: 'run' | 'relax', message: RegExp];
const bad: Case[] = [
  ['negative pdamp', () => ({ ...nptInput('mtk'), integrator: { ...nptInput('mtk').integrator, pdamp_fs: -100 } }), undefined, 'run', /input\.json:\d+:\d+: integrator\.pdamp_fs: must be > 0, got -100/],
  ['zero tdamp', () => ({ ...noseHooverInput(), integrator: { ...noseHooverInput().integrator, tdamp_fs: 0 } }), undefined, 'run', /integrator\.tdamp_fs: must be > 0, got 0/],
  ['NPT of a cluster', () => nptInput('mtk'), cluster(), 'run', /input\.json:\d+:\d+: integrator\.kind: npt \(mtk\): a barostat needs a cell periodic along a, b and c, but the structure has pbc="F F F" and no cell; use nose-hoover or langevin for a cluster/],
  ['c-rescale with a flexible cell', () => nptInput('c-rescale', 'tri'), undefined, 'run', /integrator\.couple: "tri" \(a fully flexible cell\) is available with "barostat": "mtk" only/],
  ['a seed for mtk', () => ({ ...nptInput('mtk'), integrator: { ...nptInput('mtk').integrator, seed: 4 } }), undefined, 'run', /integrator\.seed: is used by "barostat": "c-rescale" only/],
  ['unknown barostat', () => ({ ...nptInput('mtk'), integrator: { ...nptInput('mtk').integrator, barostat: 'berendsen' } }), undefined, 'run', /integrator\.barostat: must be "mtk" or "c-rescale", got the string "berendsen"/],
  ['nose-hoover at 0 K', () => ({ ...noseHooverInput(), integrator: { ...noseHooverInput().integrator, temperature_K: 0 } }), undefined, 'run', /integrator\.temperature_K: must be > 0, got 0/],
  ['relax and integrator together', () => ({ ...baseInput(), relax: { method: 'fire' } }), undefined, 'run', /relax: cannot be given with "integrator"/],
  ['run given a relaxation', () => relaxInput(), undefined, 'run', /relax: this input describes a relaxation \("relax"\); run it with e3md relax/],
  ['relax given an MD input', () => baseInput(), undefined, 'relax', /integrator: this input describes MD \("integrator"\); run it with e3md run/],
  ['relax with steps', () => ({ ...relaxInput(), steps: 10 }), undefined, 'relax', /steps: is not used by a relaxation \(its length is relax\.max_steps\); remove it/],
  ['a pressure without the cell', () => relaxInput({ pressure_bar: 100 }), undefined, 'relax', /relax\.pressure_bar: is the target of a cell relaxation; set "cell": true/],
  ['a cell relaxation of a cluster', () => relaxInput({ cell: true }), cluster(), 'relax', /relax\.cell: a cell relaxation needs a cell periodic along a, b and c, but .*argon\.extxyz has pbc="F F F"/],
  ['unknown method', () => relaxInput({ method: 'bfgs' }), undefined, 'relax', /relax\.method: must be "fire" or "lbfgs", got the string "bfgs"/],
];

describe('bad ensemble and relaxation input: one message naming the key, exit 2, nothing written', () => {
  it.each(bad)('%s', async (_name, input, structure, command, message) => {
    const dir = runDir(input(), structure);
    const r = await e3md(command, join(dir, 'input.json'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    for (const f of ['thermo.csv', 'traj.xyz', 'traj.dcd', 'run.ckpt', 'relax.csv', 'relax.xyz']) expect(existsSync(join(dir, f)), f).toBe(false);
  });
});
