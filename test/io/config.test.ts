import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunSpec, parseRunSpec } from '../../io/config.js';
import { inputJsonSchema } from '../../io/input-schema.js';
import { parseJsonLocated } from '../../io/json-locate.js';

const base = {
  structure: 'argon.extxyz',
  potential: { kind: 'lennard-jones', epsilon_eV: 0.0104, sigma_A: 3.405, cutoff_A: 8.5, shift: true },
  integrator: { kind: 'velocity-verlet', timestep_fs: 2.0 },
  steps: 100,
  thermo: { every: 10, path: 'thermo.csv' },
  trajectory: [{ path: 'traj.xyz', every: 10 }, { path: 'traj.dcd', every: 10 }],
  checkpoint: { path: 'run.ckpt', every: 50 },
};

/** Deep copy of `base` with `edit` applied, as pretty JSON (so values sit on known lines). */
function input(edit: (o: Record<string, any>) => void = () => {}): string {
  const o = JSON.parse(JSON.stringify(base));
  edit(o);
  return JSON.stringify(o, null, 2);
}

describe('input.json validation', () => {
  it('accepts the DESIGN.md example, fills defaults and resolves paths against the input folder', () => {
    const spec = parseRunSpec(input(), '/data/runs/input.json');
    expect(spec.structure).toBe('/data/runs/argon.extxyz');
    expect(spec.trajectory).toEqual([
      { path: '/data/runs/traj.xyz', every: 10, format: 'extxyz' },
      { path: '/data/runs/traj.dcd', every: 10, format: 'dcd' },
    ]);
    expect(spec.thermo?.path).toBe('/data/runs/thermo.csv');
    expect(spec.checkpoint?.path).toBe('/data/runs/run.ckpt');
    expect(spec.neighbor.skin_A).toBe(1.0);
    expect(spec.inputPath).toBe('/data/runs/input.json');
  });

  it('accepts per-species LJ, Langevin, onnx, initial velocities and parallel', () => {
    const spec = parseRunSpec(input((o) => {
      o.potential = { kind: 'lennard-jones', cutoff_A: 8, species: { Ar: { epsilon_eV: 0.0104, sigma_A: 3.4 }, Kr: { epsilon_eV: 0.014, sigma_A: 3.6 } } };
      o.integrator = { kind: 'langevin', timestep_fs: 1, temperature_K: 300, friction_per_ps: 1, seed: 1 };
      o.initial_velocities = { temperature_K: 300, seed: 42 };
      o.parallel = { workers: 2, devices: ['cuda:0', 'cuda:1'] };
    }), '/x/in.json');
    expect(spec.potential.kind).toBe('lennard-jones');
    expect(spec.integrator?.kind).toBe('langevin');
    const onnx = parseRunSpec(input((o) => { o.potential = { kind: 'onnx', model: 'm.onnx' }; }), '/x/in.json');
    expect(onnx.potential).toEqual({ kind: 'onnx', model: '/x/m.onnx', device: 'auto' });
  });

  const bad: [string, string, RegExp][] = [
    ['malformed JSON (trailing comma)', '{\n  "steps": 10,\n}', /^in\.json:3:1: JSON syntax error: trailing comma before }/],
    ['malformed JSON (missing comma)', '{\n  "steps": 10\n  "structure": "a.xyz"\n}', /^in\.json:3:3: JSON syntax error: expected ',' or '}' after the value of "steps"/],
    ['unknown top-level key', input((o) => { o.stepz = 3; }), /^in\.json:\d+:3: stepz: unknown key "stepz" at the top level \(allowed: .*\); did you mean "steps"\?/],
    ['unknown nested key, unit hint', input((o) => { o.integrator = { kind: 'velocity-verlet', timestep: 2 }; }), /integrator\.timestep: unknown key "timestep" in integrator \(allowed: kind, timestep_fs\); did you mean "timestep_fs"\? \(units are part of key names\)/],
    ['missing key', input((o) => { delete o.steps; }), /^in\.json:1:1: steps: missing required key "steps" \(an integer\)|^in\.json:1:1: steps: missing required key "steps" \(a number\)/],
    ['missing nested key', input((o) => { delete o.integrator.timestep_fs; }), /^in\.json:\d+:\d+: integrator\.timestep_fs: missing required key "timestep_fs"/],
    ['wrong type', input((o) => { o.integrator.timestep_fs = '2 fs'; }), /integrator\.timestep_fs: expected a number, got the string "2 fs"/],
    ['timestep zero', input((o) => { o.integrator.timestep_fs = 0; }), /^in\.json:\d+:\d+: integrator\.timestep_fs: must be > 0, got 0/],
    ['timestep negative', input((o) => { o.integrator.timestep_fs = -1; }), /integrator\.timestep_fs: must be > 0, got -1/],
    ['non-integer steps', input((o) => { o.steps = 10.5; }), /steps: expected an integer/],
    ['unknown potential kind', input((o) => { o.potential.kind = 'lj'; }), /potential\.kind: must be one of "lennard-jones", "onnx", got the string "lj"/],
    ['LJ without parameters', input((o) => { delete o.potential.epsilon_eV; delete o.potential.sigma_A; }), /potential: needs epsilon_eV and sigma_A .* or species/],
    ['LJ with both forms', input((o) => { o.potential.species = { Ar: { epsilon_eV: 1, sigma_A: 1 } }; }), /potential\.species: give either epsilon_eV and sigma_A, or species, not both/],
    ['bad species symbol', input((o) => { o.potential = { kind: 'lennard-jones', cutoff_A: 8, species: { argon: { epsilon_eV: 1, sigma_A: 1 } } }; }), /potential\.species\.argon: .*chemical symbol/],
    ['bad device', input((o) => { o.potential = { kind: 'onnx', model: 'm.onnx', device: 'gpu' }; }), /potential\.device: the string "gpu" must be auto, cpu, cuda, cuda:N or webgpu/],
    ['every zero', input((o) => { o.trajectory[1].every = 0; }), /trajectory\[1\]\.every: must be ≥ 1, got 0/],
    ['unknown trajectory format', input((o) => { o.trajectory[0].path = 'traj.pdb'; }), /trajectory\[0\]\.path: "traj\.pdb": unknown trajectory format/],
    ['two outputs, one file', input((o) => { o.checkpoint.path = 'traj.dcd'; }), /checkpoint\.path: writes the same file as trajectory\[1\]\.path/],
    ['parallel workers zero', input((o) => { o.parallel = { workers: 0 }; }), /parallel\.workers: must be ≥ 1, got 0/],
    ['parallel memory negative', input((o) => { o.parallel = { workers: 2, memory_GB: -1 }; }), /parallel\.memory_GB: must be > 0, got -1/],
    ['replicas zero', input((o) => { o.replicas = 0; }), /replicas: must be ≥ 1, got 0/],
    ['array instead of object', input((o) => { o.neighbor = [1]; }), /neighbor: expected an object, got an array/],
  ];
  it.each(bad)('%s', (_name, text, message) => {
    expect(() => parseRunSpec(text, 'in.json')).toThrow(message);
  });

  it('points at the line of the offending value', () => {
    const text = input((o) => { o.integrator.timestep_fs = -2; });
    const line = text.split('\n').findIndex((l) => l.includes('"timestep_fs"')) + 1;
    expect(() => parseRunSpec(text, 'in.json')).toThrow(new RegExp(`^in\\.json:${line}:\\d+: integrator\\.timestep_fs`));
  });

  it('names a missing input file', () => {
    expect(() => loadRunSpec('/nonexistent/input.json')).toThrow(/^\/nonexistent\/input\.json: input file not found/);
  });
});

describe('JSON parser with positions', () => {
  it('parses what JSON.parse parses and locates values', () => {
    const text = '{"a": [1, -2.5e3, {"b": "x\\ny\\u0041"}], "c": null, "d": true}';
    const doc = parseJsonLocated(text);
    expect(doc.value).toEqual(JSON.parse(text));
    expect(doc.locate(['a', 2, 'b'])).toEqual({ line: 1, column: 25 });
    expect(doc.locate(['a', 2, 'missing'])).toEqual({ line: 1, column: 19 });
  });
  it.each([
    ['{"a": 1, "a": 2}', /1:10: JSON syntax error: key "a" appears twice/],
    ["{'a': 1}", /1:2: JSON syntax error: expected a quoted key/],
    ['{"a": 01}', /1:8: JSON syntax error: expected ',' or '}'/],
    ['{"a": 1} x', /1:10: JSON syntax error: unexpected 'x' after the end/],
    ['{"a": // note\n 1}', /1:7: JSON syntax error: comments are not allowed/],
    ['{"a": "open', /1:7: JSON syntax error: unterminated string/],
  ])('rejects %s', (text, message) => {
    expect(() => parseJsonLocated(text, 'f.json')).toThrow(message);
  });
});

describe('JSON Schema file', () => {
  it('io/input.schema.json is up to date (regenerate: npx tsx tools/write-input-schema.ts)', () => {
    const onDisk = readFileSync(join(__dirname, '../../io/input.schema.json'), 'utf8');
    expect(onDisk).toBe(`${JSON.stringify(inputJsonSchema(), null, 2)}\n`);
  });

  it('the shipped argon example validates', () => {
    expect(() => loadRunSpec(join(__dirname, '../../examples/argon/input.json'))).not.toThrow();
  });

  it('loadRunSpec reads from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-cfg-'));
    writeFileSync(join(dir, 'input.json'), input());
    expect(loadRunSpec(join(dir, 'input.json')).structure).toBe(join(dir, 'argon.extxyz'));
  });
});
