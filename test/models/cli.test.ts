/**
 * `e3md model create`, `e3md info` and `e3md eval`, registered on a bare commander program (the
 * lead wires them into cli/main.ts): files written, messages naming the culprit, exit codes.
 */
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerEvalCommand } from '../../cli/commands/eval.js';
import { registerInfoCommand } from '../../cli/commands/info.js';
import { registerModelCommand } from '../../cli/commands/model.js';
import { readExtxyz, formatExtxyz } from '../../io/index.js';
import { createGraph, readModelInfo, writeModel } from '../../onnx/index.js';
import { evaluate, periodicWater, waterDimer } from './helpers.js';
import { e3mdProcess } from '../cli/fixtures.js';
import { createOnnxPotential } from '../../potentials/onnx-potential.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '', code = -1;
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const program = new Command('e3md').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerModelCommand(program, io, (c) => (code = c));
  registerEvalCommand(program, io, (c) => (code = c));
  registerInfoCommand(program, io, (c) => (code = c));
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(['node', 'e3md', ...args]);
  } catch {
    code = code === -1 ? 2 : code;
  }
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'e3md-models-'));

describe('e3md model create / info / eval', () => {
  it('creates a NequIP model that info describes and eval evaluates, matching the potential', async () => {
    const path = join(dir, 'n.onnx');
    const r = await cli('model', 'create', '--arch', 'nequip', '--types', 'H,O', '--r-max', '3.5', '--lmax', '1', '--layers', '2', '--features', '4', '--dtype', 'float64', '--seed', '5', '--out', path);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*n\.onnx: nequip, 2 layers, lmax 1, 4 features, r_max 3\.5 Å, types H,O, [\d,]+ parameters, float64/);
    const meta = readModelInfo(readFileSync(path)).metadata;
    expect(meta['e3md.interaction_depth']).toBe('2');
    expect(JSON.parse(meta['e3md.settings']!).seed).toBe(5);

    const info = await cli('info', path);
    expect(info.code).toBe(0);
    expect(info.out).toMatch(/e3md potential\s+yes/);
    expect(info.out).toMatch(/layer1_convnet\s+node_features: 4x0e\+4x1o/);
    expect(info.out).toMatch(/r_max\s+3\.5 Å/);
    // The interface is described by the contract (engine/potential-contract.ts): unit and meaning.
    expect(info.out).toMatch(/edge_shift\s+float64 \[E, 3\]\s+Cartesian periodic shift: r_ij = pos\[j\] − pos\[i\] \+ edge_shift, Å/);
    expect(info.out).toMatch(/settings\s+\{"typeNames":\["H","O"\],"rMax_A":3\.5,/);

    const sys = periodicWater();
    const dimer = waterDimer();
    const xyz = join(dir, 'frames.extxyz');
    const symbols = (s: typeof sys) => Array.from(s.typeIds, (t) => s.typeNames[t]!);
    writeFileSync(xyz, formatExtxyz({ symbols: symbols(sys), positions: sys.positions, box: sys.box }) + formatExtxyz({ symbols: symbols(dimer), positions: dimer.positions, box: dimer.box }));
    const outPath = join(dir, 'out.extxyz');
    const ev = await cli('eval', '--model', path, '--structure', xyz, '--out', outPath, '--device', 'cpu');
    expect(ev.err).toBe('');
    expect(ev.code).toBe(0);
    expect(ev.out.trim().split('\n')).toHaveLength(3); // no labels: no error lines
    const frames = readExtxyz(outPath);
    const pot = await createOnnxPotential({ model: path, typeNames: ['O', 'H'], device: 'cpu' });
    const want = await evaluate(pot, sys);
    // Predictions under the e3md_ prefix; the (absent) reference labels stay absent.
    expect(frames[0]!.energy_eV).toBeUndefined();
    expect(frames[0]!.info.get('e3md_energy')).toBe(want.energy);
    expect(Array.from(frames[0]!.arrays.get('e3md_forces') as Float64Array)).toEqual(Array.from(want.forces));
    expect(frames[0]!.info.get('e3md_virial')).toEqual(Array.from(want.virial));
    await pot.dispose!();
  });

  it('creates an Allegro model', async () => {
    const path = join(dir, 'a.onnx');
    const r = await cli('model', 'create', '--arch', 'allegro', '--types', 'H,O', '--tensor-features', '4', '--latent', '8', '--layers', '1', '--out', path);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/allegro, 1 layer, lmax 2, 4 tensor channels, 8 latents, r_max 5 Å/);
    const pot = await createOnnxPotential({ model: path, typeNames: ['H', 'O'], device: 'cpu' });
    expect(pot.metadata.interactionDepth).toBe(1);
    expect(pot.metadata.dtype).toBe('float32');
    await pot.dispose!();
  });

  it('names the culprit: a bad symbol, a flag of the other architecture, an unknown element at eval', async () => {
    const bad = await cli('model', 'create', '--arch', 'nequip', '--types', 'H,Xyz', '--out', join(dir, 'x.onnx'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^e3md model create: --types: the string "Xyz" must be a chemical symbol/);
    const mixed = await cli('model', 'create', '--arch', 'allegro', '--types', 'H', '--features', '8', '--out', join(dir, 'x.onnx'));
    expect(mixed.err).toMatch(/--features is a NequIP option/);
    const path = join(dir, 'h.onnx');
    expect((await cli('model', 'create', '--arch', 'nequip', '--types', 'H', '--layers', '1', '--features', '2', '--lmax', '1', '--out', path)).code).toBe(0);
    const xyz = join(dir, 'ho.extxyz');
    const d = waterDimer();
    writeFileSync(xyz, formatExtxyz({ symbols: Array.from(d.typeIds, (t) => d.typeNames[t]!), positions: d.positions, box: d.box }));
    const ev = await cli('eval', '--model', path, '--structure', xyz);
    expect(ev.code).toBe(2);
    expect(ev.err).toMatch(/does not know element 'O' \(it was made for H\)/);
    // An element with no known mass is an error naming it and its line (eval used to give it mass 1).
    const xx = join(dir, 'xx.extxyz');
    writeFileSync(xx, '2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nXx 1 0 0\n');
    const unknown = await cli('eval', '--model', path, '--structure', xx);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/xx\.extxyz:4: element "Xx" has no known mass/);
    const missing = await cli('info', join(dir, 'none.onnx'));
    expect(missing.code).toBe(2);
    // A model that is valid ONNX but not an e3md potential is described, with the reason.
    const g = createGraph({ dtype: 'float32' });
    g.output('y', g.mul(g.input('x', ['N']), 2));
    const foreign = join(dir, 'foreign.onnx');
    writeFileSync(foreign, writeModel(g));
    const fi = await cli('info', foreign);
    expect(fi.code).toBe(0);
    expect(fi.out).toMatch(/e3md potential\s+NO — .*input 'pos' is missing/);
  });

  it('`e3md bench models` (compiled, from dist/) finds the water boxes of the repository', () => {
    const r = e3mdProcess(['bench', 'models', '--sizes', '192', '--archs', 'allegro', '--steps', '1', '--no-peer']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: { atoms: number; edges: number }[] };
    expect(out.rows.map((row) => row.atoms)).toEqual([192]);
    expect(out.rows[0]!.edges).toBeGreaterThan(0);
  });
});
