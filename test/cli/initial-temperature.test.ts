import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseInput, e3md, runDir } from './fixtures.js';

describe('e3md run: initial_velocities', () => {
  it.each([
    ['velocity-verlet', { kind: 'velocity-verlet', timestep_fs: 2 }],
    ['langevin', { kind: 'langevin', timestep_fs: 2, temperature_K: 300, friction_per_ps: 1, seed: 1 }],
  ])('%s: the step-0 thermo row shows exactly the requested temperature (each integrator counts its own dof)', async (_name, integrator) => {
    const dir = runDir({ ...baseInput(), integrator, steps: 0, initial_velocities: { temperature_K: 300, seed: 42 }, trajectory: [], checkpoint: undefined });
    const r = await e3md('run', join(dir, 'input.json'), '--quiet');
    // The structure carries velocities of its own: the user hears they are replaced (not silently).
    expect(r.stderr).toMatch(/^e3md: note: initial_velocities replaces the velocities in .*argon\.extxyz \(remove it to start from those\)\n$/);
    expect(r.code).toBe(0);
    const row = readFileSync(join(dir, 'thermo.csv'), 'utf8').trim().split('\n')[1].split(',').map(Number);
    expect(row[0]).toBe(0);
    expect(row[5]).toBeCloseTo(300, 6);
  });
});
