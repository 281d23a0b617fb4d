import { describe, expect, it } from 'vitest';
import { e3mdProcess } from './fixtures.js';

describe('e3md bench', () => {
  it('lists the benchmarks in its help', () => {
    const r = e3mdProcess(['bench', '--help']);
    expect(r.code).toBe(0);
    for (const name of ['lj', 'lj-memory', 'models', 'o3', 'onnx', 'io']) expect(r.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });

  it('names an unknown benchmark and the valid ones, exit 2', () => {
    const r = e3mdProcess(['bench', 'lammps']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown benchmark "lammps"; choose one of lj, lj-run, lj-speedup, lj-cold, lj-memory/);
  });

  it('runs a benchmark program from dist/ and passes its arguments through', () => {
    // A 4×4×4-cell melt without LAMMPS: seconds, and proves the compiled program finds its files.
    const r = e3mdProcess(['bench', 'lj', '--cells', '4', '--steps', '10', '--repeats', '1', '--no-lammps']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { atoms?: number; e3md?: unknown };
    expect(out.atoms).toBe(256);
  });
});
