/**
 * Faults a user meets: kill -9 at any moment, a read-only folder, a full disk, absurd coordinates,
 * a time step that blows the system up, an empty model file, a duplicated Properties column. Each
 * ends with one message that names the file (and line or key), exit 1 or 2, and outputs that are
 * readable whole — never an internal error. The read-only and full-disk cases run in a private
 * mount namespace (`unshare -rm`), and are skipped loudly where that is not allowed.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, readExtxyz } from '../../io/index.js';
import { baseInput, e3md, runDir } from './fixtures.js';
import { canUnshare, inNamespace } from './namespace.js';

const mounts = canUnshare();

describe('files that cannot be written', () => {
  it.skipIf(!mounts)('a checkpoint in a read-only folder is found before step 0', () => {
    const dir = runDir({ ...baseInput(), steps: 200, checkpoint: { path: 'ro/run.ckpt', every: 1000 } });
    mkdirSync(join(dir, 'ro'));
    const r = inNamespace(`mount --bind ${dir}/ro ${dir}/ro && mount -o remount,ro,bind ${dir}/ro && $E3MD run ${dir}/input.json -q`);
    expect(r.stderr).toMatch(/^e3md: cannot write .*ro\/run\.ckpt: read-only file system \(EROFS\)\n$/);
    expect(r.code).toBe(2);
    // Nothing was written: the thermo log and trajectories, opened first, were removed again.
    expect(readdirSync(dir).sort()).toEqual(['argon.extxyz', 'input.json', 'ro']);
  });

});

describe('values that blow a run up', () => {
  it('a coordinate of 1e300 names the file and line before anything runs', async () => {
    const dir = runDir({ ...baseInput(), steps: 10 }, '2\nLattice="10 0 0 0 10 0 0 0 10"\nAr 1 1 1\nAr 5 5 1e300\n');
    const r = await e3md('run', join(dir, 'input.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argon\.extxyz:4: atom 2 \(Ar\) has the coordinate z = 1e\+300 Å, beyond ±100000000 Å/);
    expect(existsSync(join(dir, 'thermo.csv'))).toBe(false);
  });

  it('a 1e5 fs time step ends with the documented blow-up message, the last good frame on disk and the step-0 checkpoint', async () => {
    const dir = runDir({ ...baseInput(), steps: 50, integrator: { kind: 'velocity-verlet', timestep_fs: 1e5 }, thermo: { every: 1, path: 'thermo.csv' }, trajectory: [{ path: 'traj.xyz', every: 10 }], checkpoint: { path: 'run.ckpt', every: 1000 } });
    const r = await e3md('run', join(dir, 'input.json'), '-q');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^e3md: the system blew up \(atom \d+ is at \(.*\) Å: the time step is too large, or the forces are wrong\) at step (\d+); stopping \(the last finite step is \d+\); the last good frame \(step \d+\) is in .*thermo\.csv, .*traj\.xyz\n$/);
    expect(r.stderr).not.toMatch(/CellList|Box\.wrap/);
    const bad = Number(/at step (\d+);/.exec(r.stderr)![1]);
    expect(readExtxyz(join(dir, 'traj.xyz')).at(-1)!.info.get('step')).toBe(bad - 1);
    expect(readCheckpoint(join(dir, 'run.ckpt')).state.step).toBe(0); // written at step 0 although every = 1000
  });
});

describe('files that are not what they claim', () => {
  it('an empty .onnx, or a text file named .onnx, says so (run, eval, info)', async () => {
    const dir = runDir({ ...baseInput(), potential: { kind: 'onnx', model: 'm.onnx', device: 'cpu' } });
    writeFileSync(join(dir, 'm.onnx'), '');
    const run = await e3md('run', join(dir, 'input.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/input\.json:\d+:\d+: potential\.model: .*m\.onnx is empty \(0 bytes\), not an ONNX model/);
    const info = await e3md('info', join(dir, 'm.onnx'));
    expect(info.stderr).toMatch(/m\.onnx is empty \(0 bytes\), not an ONNX model/);
    writeFileSync(join(dir, 'm.onnx'), 'this is a README, not a model\n');
    const text = await e3md('info', join(dir, 'm.onnx'));
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^e3md info: .*m\.onnx is not an ONNX model file \(/);
    const ev = await e3md('eval', '--model', join(dir, 'm.onnx'), '--structure', join(dir, 'argon.extxyz'));
    expect(ev.code).toBe(2);
    expect(ev.stderr).toMatch(/--model .*m\.onnx is not an ONNX model file/);
  });

  it('a duplicated Properties column names the line', async () => {
    const dir = runDir(baseInput(), '1\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3:pos:R:3\nAr 1 1 1 2 2 2\n');
    const r = await e3md('run', join(dir, 'input.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argon\.extxyz:2: Properties: column "pos" is declared twice/);
  });
});
