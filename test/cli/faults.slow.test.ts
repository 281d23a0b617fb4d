/**
 * The slow fault trials: kill -9 of a real run 25 times at random moments (start-up included),
 * and full disks during a run and during training, in a private mount namespace.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, readExtxyz } from '../../io/index.js';
import { pythonHas } from '../harness/python.js';
import { miniConfig, writeConfig } from '../train/helpers.js';
import { baseInput, runDir } from './fixtures.js';
import { killAndCheck, killDelays, type KillTrial } from './kill-harness.js';
import { canUnshare, inNamespace } from './namespace.js';

const mounts = canUnshare();

describe('kill -9', () => {
  it('at any moment leaves every output readable whole (ASE, MDAnalysis, e3md) and a checkpoint that restarts', async () => {
    const trials: KillTrial[] = [];
    for (const delay of killDelays(25, 11)) trials.push(await killAndCheck(delay));
    console.log(JSON.stringify(trials));
    // The kills landed at different points of the run, at least one after outputs existed.
    expect(trials.some((t) => t.extxyz > 0 && t.checkpointStep >= 0)).toBe(true);
  });
});

describe('full disks', () => {
  it.skipIf(!mounts)('a full disk during a run names the file, keeps whole records, leaves no .tmp, and the checkpoint restarts', () => {
    const dir = runDir({ ...baseInput(), steps: 100_000, thermo: { every: 10, path: 'out/thermo.csv' }, trajectory: [{ path: 'out/traj.xyz', every: 5 }], checkpoint: { path: 'out/run.ckpt', every: 100 } });
    const out = join(dir, 'out');
    mkdirSync(out);
    // About 1 MB free: some 35 frames of 27 kB, three checkpoints; then the disk is full.
    const r = inNamespace(`mount -t tmpfs -o size=4m tmpfs ${out} && avail=$(df --output=avail -B1 ${out} | tail -1) && head -c $((avail - 1000000)) /dev/zero > ${out}/filler;
      $E3MD run ${dir}/input.json -q; echo "exit=$?"; ls -a ${out}; cp ${out}/traj.xyz ${out}/run.ckpt ${dir}/`);
    const full = r.stdout;
    expect(full).toMatch(/exit=1/);
    expect(r.stderr).toMatch(/e3md: cannot write .*out\/(traj\.xyz|thermo\.csv|run\.ckpt): no space left on device \(ENOSPC\) at step \d+; the checkpoint of step \d+ is in .*out\/run\.ckpt \(continue with --restart\)/);
    expect(full).not.toMatch(/\.tmp/);
    const frames = readExtxyz(join(dir, 'traj.xyz')); // copied out of the namespace's tmpfs
    expect(frames.length).toBeGreaterThan(10);
    const step = readCheckpoint(join(dir, 'run.ckpt')).state.step;
    expect(step).toBeGreaterThan(0);
    if (pythonHas('ase')) {
      const ase = spawnSync('/usr/bin/python3', ['-W', 'ignore', '-c', 'import sys, ase.io; print(len(ase.io.read(sys.argv[1], ":")))', join(dir, 'traj.xyz')], { encoding: 'utf8', cwd: '/tmp' });
      expect(Number(ase.stdout)).toBe(frames.length);
    }
    // With room again, the run continues from that checkpoint (outputs cut back to it) and finishes.
    const again = inNamespace(`mount -t tmpfs -o size=4m tmpfs ${out} && cp ${dir}/traj.xyz ${dir}/run.ckpt ${out}/ && $E3MD run ${dir}/input.json -q --restart ${out}/run.ckpt --steps ${step + 20}; echo "exit=$?"; cp ${out}/traj.xyz ${dir}/continued.xyz`);
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/exit=0/);
    expect(readExtxyz(join(dir, 'continued.xyz')).at(-1)!.info.get('step')).toBe(step + 20);
  });

  it.skipIf(!mounts)('train on a full disk keeps a resumable checkpoint; --resume continues once there is room', () => {
    const base = runDir();
    const t = join(base, 'disk');
    mkdirSync(t);
    const config = writeConfig(base, miniConfig(t, { training: { max_epochs: 3, batch_size: 4, learning_rate: 0.01, seed: 2 } }));
    // About 60 kB free: the epoch-0 and epoch-1 checkpoints (16 kB each, written beside the old one)
    // and the best model (33 kB) fit, the next checkpoint does not.
    const r = inNamespace(`mount -t tmpfs -o size=1m tmpfs ${t} && avail=$(df --output=avail -B1 ${t} | tail -1) && head -c $((avail - 61440)) /dev/zero > ${t}/filler;
      $E3MD train ${config} -q; echo "exit=$?"; ls -a ${t}/out; echo ---;
      rm ${t}/filler; $E3MD train ${config} -q --resume; echo "exit=$?"; ls -a ${t} ${t}/out`);
    const [full, freed] = r.stdout.split('---');
    expect(full).toMatch(/exit=1/);
    expect(r.stderr).toMatch(/^e3md: cannot write .*disk\/out\/(checkpoint\.json|best-model\.onnx|metrics\.csv): no space left on device \(ENOSPC\); the last checkpoint \(.*checkpoint\.json\) is intact: fix that and continue with --resume\n$/);
    expect(full).toMatch(/checkpoint\.json/);
    expect(full).not.toMatch(/\.tmp/);
    expect(freed).toMatch(/exit=0/);
    expect(freed).toMatch(/model\.onnx/);
    expect(freed).not.toMatch(/\.tmp/);
  });
});
