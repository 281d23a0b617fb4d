/**
 * input.json `replicas`: K copies of the water hexamer (shipped NequIP model) run side by side
 * with one merged model call per step equal K separate runs with the same seeds (to 1e-10), write
 * suffixed outputs, and restart bit-exactly from their suffixed checkpoints.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExtxyz } from '../../io/index.js';
import { e3md, ROOT } from './fixtures.js';

const EXAMPLE = join(ROOT, 'examples', 'water');

function folder(input: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-replicas-'));
  for (const f of ['hexamer.extxyz', 'water-nequip.onnx']) copyFileSync(join(EXAMPLE, f), join(dir, f));
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  return dir;
}

const base = {
  structure: 'hexamer.extxyz',
  potential: { kind: 'onnx', model: 'water-nequip.onnx', device: 'cpu' },
  integrator: { kind: 'langevin', timestep_fs: 0.5, temperature_K: 300, friction_per_ps: 5, seed: 1 },
  initial_velocities: { temperature_K: 300, seed: 42 },
  steps: 20,
  thermo: { every: 5, path: 'thermo.csv' },
  trajectory: [{ path: 'traj.xyz', every: 10 }],
  checkpoint: { path: 'run.ckpt', every: 10 },
};

function table(path: string): number[][] {
  return readFileSync(path, 'utf8').trim().split('\n').slice(1).map((r) => r.split(',').map(Number));
}

describe('replicas', () => {
  it('3 batched replicas = 3 separate runs with seeds + k; suffixed outputs; restarts from suffixed checkpoints', async () => {
    const batched = folder({ ...base, replicas: 3 });
    const r = await e3md('run', join(batched, 'input.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 replicas of 18 atoms, one merged model call per step/);
    expect(r.stdout).toMatch(/replicas: 3 × 18 atoms × 20 steps .* 21 model calls/);
    expect(existsSync(join(batched, 'thermo.csv'))).toBe(false);
    const finals: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const single = folder({ ...base, integrator: { ...base.integrator, seed: 1 + k }, initial_velocities: { temperature_K: 300, seed: 42 + k } });
      expect((await e3md('run', join(single, 'input.json'), '-q')).code).toBe(0);
      const a = table(join(batched, `thermo-r${k}.csv`)), b = table(join(single, 'thermo.csv'));
      expect(a).toHaveLength(5);
      a.forEach((row, i) => row.forEach((v, c) => {
        if (Number.isNaN(b[i][c])) expect(v).toBeNaN(); // the pressure of a cluster (no volume)
        else expect(Math.abs(v - b[i][c]), `replica ${k} row ${i} column ${c}`).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(b[i][c])));
      }));
      const xa = readExtxyz(join(batched, `traj-r${k}.xyz`)).at(-1)!.positions, xb = readExtxyz(join(single, 'traj.xyz')).at(-1)!.positions;
      xa.forEach((v, i) => expect(Math.abs(v - xb[i])).toBeLessThan(1e-10));
      finals.push(Array.from(xa));
    }
    // Different seeds: the replicas are different trajectories.
    expect(finals[0]).not.toEqual(finals[1]);

    // Stop at step 10, continue from the suffixed checkpoints: the same files as the uninterrupted run.
    const resumed = folder({ ...base, replicas: 3 });
    expect((await e3md('run', join(resumed, 'input.json'), '-q', '--steps', '10')).code).toBe(0);
    const rr = await e3md('run', join(resumed, 'input.json'), '-q', '--restart', join(resumed, 'run.ckpt'));
    expect(rr.code, rr.stderr).toBe(0);
    for (let k = 0; k < 3; k++) {
      for (const f of [`thermo-r${k}.csv`, `traj-r${k}.xyz`]) expect(readFileSync(join(resumed, f), 'utf8'), f).toBe(readFileSync(join(batched, f), 'utf8'));
    }
  });

  it('refuses replicas together with workers', async () => {
    const dir = folder({ ...base, replicas: 2, parallel: { workers: 2 } });
    const r = await e3md('run', join(dir, 'input.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replicas: cannot be combined with parallel\.workers > 1/);
    expect(existsSync(join(dir, 'thermo-r0.csv'))).toBe(false);
  });
});
