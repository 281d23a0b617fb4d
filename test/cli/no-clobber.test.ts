/**
 * Never lose a user's file: every output of every command refuses to be an input (structure,
 * model, restart checkpoint, dataset, config) or another output of the same run — compared by real
 * path, so symlinks and hard links count — with one message naming both keys; `train` and
 * `model create` refuse to replace an existing model unless told; whole-file outputs go through a
 * temporary name, and a failed write names the file and leaves no temporary file behind.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainCommand } from '../../cli/commands/train.js';
import { Box, createSystem } from '../../engine/index.js';
import { createExtxyzTrajectory, OutputError, realPath, sameFile, writeFileAtomic } from '../../io/index.js';
import { miniConfig, tempDir, writeConfig, MINI } from '../train/helpers.js';
import { baseInput, e3md, runDir } from './fixtures.js';

const MODEL_BYTES = 'pretend this is a trained model\n';

/** Runs `e3md run` on `input` in a fresh folder holding argon.extxyz and m.onnx; `prepare` adds files. */
async function runWith(input: Record<string, any>, prepare: (dir: string) => void = () => {}) {
  const dir = runDir(input);
  writeFileSync(join(dir, 'm.onnx'), MODEL_BYTES);
  prepare(dir);
  const r = await e3md('run', join(dir, 'input.json'));
  return { dir, ...r };
}

const onnx = { kind: 'onnx', model: 'm.onnx', device: 'cpu' };

describe('real paths', () => {
  it('see through symlinks, hard links and .. , also for files that do not exist yet', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'x');
    symlinkSync(join(dir, 'a'), join(dir, 'sym'));
    linkSync(join(dir, 'a'), join(dir, 'hard'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, 'sub'), join(dir, 'subLink'));
    expect(sameFile(join(dir, 'sym'), join(dir, 'a'))).toBe(true);
    expect(sameFile(join(dir, 'hard'), join(dir, 'a'))).toBe(true);
    expect(sameFile(join(dir, 'sub', '..', 'a'), join(dir, 'a'))).toBe(true);
    expect(realPath(join(dir, 'subLink', 'new.csv'))).toBe(join(realPath(dir), 'sub', 'new.csv'));
    expect(sameFile(join(dir, 'subLink', 'new.csv'), join(dir, 'sub', 'new.csv'))).toBe(true);
    expect(sameFile(join(dir, 'a'), join(dir, 'b'))).toBe(false);
  });
});

describe('e3md run: no output may be an input or another output', () => {
  it.each([
    ['thermo.path is the model', { thermo: { every: 10, path: 'm.onnx' } }, /thermo\.path: is the same file as potential\.model \(m\.onnx\)/],
    ['checkpoint.path is the model', { checkpoint: { path: 'm.onnx', every: 10 } }, /checkpoint\.path: is the same file as potential\.model/],
    ['a trajectory is the structure', { trajectory: [{ path: 'argon.extxyz', every: 10 }] }, /trajectory\[0\]\.path: is the same file as structure \(argon\.extxyz\)/],
    ['a trajectory is input.json', { trajectory: [{ path: 'input.json', every: 10 }] }, /unknown trajectory format|is the same file as the input file/],
    ['two outputs, one file', { thermo: { every: 10, path: 'sub/../out.xyz' }, trajectory: [{ path: 'out.xyz', every: 10 }] }, /thermo\.path: writes the same file as trajectory\[0\]\.path/],
  ])('%s: one message naming both keys, exit 2, nothing touched', async (_name, patch, message) => {
    const r = await runWith({ ...baseInput(), potential: onnx, ...patch }, (dir) => mkdirSync(join(dir, 'sub')));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(join(r.dir, 'm.onnx'), 'utf8')).toBe(MODEL_BYTES);
    expect(existsSync(join(r.dir, 'argon.extxyz'))).toBe(true);
  });

  it('a symlink or a hard link of the model is the model', async () => {
    for (const make of [symlinkSync, linkSync]) {
      const r = await runWith({ ...baseInput(), potential: onnx, checkpoint: { path: 'alias.ckpt', every: 10 } }, (dir) => make(join(dir, 'm.onnx'), join(dir, 'alias.ckpt')));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/input\.json:\d+:\d+: checkpoint\.path: is the same file as potential\.model \(m\.onnx\); writing it would destroy that input/);
      expect(readFileSync(join(r.dir, 'm.onnx'), 'utf8')).toBe(MODEL_BYTES);
    }
  });

  it('a symlink of the structure in another folder is the structure', async () => {
    const r = await runWith({ ...baseInput(), trajectory: [{ path: 'link/argon.extxyz', every: 10 }] }, (dir) => symlinkSync(dir, join(dir, 'link')));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trajectory\[0\]\.path: is the same file as structure/);
  });

  it('--restart from a file another output writes is refused', async () => {
    const dir = runDir({ ...baseInput(), steps: 20 });
    expect((await e3md('run', join(dir, 'input.json'), '-q')).code).toBe(0);
    const ckpt = readFileSync(join(dir, 'run.ckpt'));
    writeFileSync(join(dir, 'input.json'), JSON.stringify({ ...baseInput(), steps: 40, thermo: { every: 10, path: 'old.ckpt' } }));
    writeFileSync(join(dir, 'old.ckpt'), ckpt);
    const r = await e3md('run', join(dir, 'input.json'), '--restart', join(dir, 'old.ckpt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/old\.ckpt: --restart: is the same file as thermo\.path in .*input\.json; the run would overwrite the checkpoint it restarts from/);
    expect(readFileSync(join(dir, 'old.ckpt'))).toEqual(ckpt);
    // Restarting from the run's own checkpoint.path is what it is for.
    writeFileSync(join(dir, 'input.json'), JSON.stringify({ ...baseInput(), steps: 40 }));
    expect((await e3md('run', join(dir, 'input.json'), '--restart', join(dir, 'run.ckpt'), '-q')).code).toBe(0);
  });
});

describe('e3md eval and model create', () => {
  it('eval --out may not be --structure or --model (symlinks included)', async () => {
    const dir = runDir();
    const labels = readFileSync(join(dir, 'argon.extxyz'), 'utf8');
    writeFileSync(join(dir, 'm.onnx'), MODEL_BYTES);
    symlinkSync(join(dir, 'argon.extxyz'), join(dir, 'same.extxyz'));
    for (const [out, key] of [['argon.extxyz', '--structure'], ['same.extxyz', '--structure'], ['m.onnx', '--model']]) {
      const r = await e3md('eval', '--model', join(dir, 'm.onnx'), '--structure', join(dir, 'argon.extxyz'), '--out', join(dir, out!));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`--out .*${out!.replace('.', '\\.')} is the same file as ${key}`));
    }
    expect(readFileSync(join(dir, 'argon.extxyz'), 'utf8')).toBe(labels);
    expect(readFileSync(join(dir, 'm.onnx'), 'utf8')).toBe(MODEL_BYTES);
  });

  it('model create refuses to replace an existing file unless --force, and --out may not be --options', async () => {
    const dir = tempDir();
    const out = join(dir, 'trained.onnx');
    writeFileSync(out, MODEL_BYTES);
    const flags = ['model', 'create', '--arch', 'nequip', '--types', 'H', '--layers', '1', '--features', '2', '--lmax', '1', '--out', out];
    const refused = await e3md(...flags);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/trained\.onnx already exists; choose another name, or pass --force to replace it/);
    expect(readFileSync(out, 'utf8')).toBe(MODEL_BYTES);
    const forced = await e3md(...flags, '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(out).length).toBeGreaterThan(1000);
    expect(existsSync(`${out}.tmp`)).toBe(false);
    writeFileSync(join(dir, 'opts.json'), '{}');
    const same = await e3md('model', 'create', '--arch', 'nequip', '--types', 'H', '--options', join(dir, 'opts.json'), '--out', join(dir, 'opts.json'), '--force');
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--out .*opts\.json is the same file as --options/);
  });
});

function streams() {
  let out = '', err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

describe('e3md train', () => {
  it('refuses to replace a model it did not write unless --force or output.overwrite', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'model.onnx'), MODEL_BYTES);
    const config = writeConfig(dir, miniConfig(dir, { training: { max_epochs: 1, batch_size: 4, learning_rate: 0.01, seed: 2 } }));
    const s = streams();
    expect(await trainCommand(config, { quiet: true }, s.io)).toBe(2);
    expect(s.err()).toMatch(/train\.json:\d+:\d+: output\.model: .*model\.onnx already exists and was not written by this training run; choose another output\.model, or replace it with --force/);
    expect(readFileSync(join(dir, 'model.onnx'), 'utf8')).toBe(MODEL_BYTES);
    expect(existsSync(join(dir, 'out'))).toBe(false); // refused before anything was written
    expect(await trainCommand(config, { quiet: true, force: true }, streams().io)).toBe(0);
    expect(readFileSync(join(dir, 'model.onnx')).length).toBeGreaterThan(1000);
    for (const f of ['model.onnx', 'out/checkpoint.json', 'out/best-model.onnx', 'out/metrics.csv', 'out/report.json']) expect(existsSync(join(dir, `${f}.tmp`)), f).toBe(false);

    // The config flag does the same; and a resumed run may replace the model it wrote itself.
    const other = tempDir();
    writeFileSync(join(other, 'model.onnx'), MODEL_BYTES);
    const flagged = miniConfig(other, { training: { max_epochs: 1, batch_size: 4, learning_rate: 0.01, seed: 2 } });
    (flagged.output as Record<string, unknown>).overwrite = true;
    expect(await trainCommand(writeConfig(other, flagged), { quiet: true }, streams().io)).toBe(0);
    const longer = miniConfig(other, { training: { max_epochs: 2, batch_size: 4, learning_rate: 0.01, seed: 2 } });
    (longer.output as Record<string, unknown>).overwrite = true;
    const resumed = streams();
    expect(await trainCommand(writeConfig(other, longer), { quiet: true, resume: true }, resumed.io)).toBe(0);
    const again = miniConfig(dir, { training: { max_epochs: 2, batch_size: 4, learning_rate: 0.01, seed: 2 } });
    expect(await trainCommand(writeConfig(dir, again), { quiet: true, resume: true }, streams().io)).toBe(0);
  });

  it.each([
    ['output.model is a dataset file', (dir: string) => ({ model: MINI.train, directory: join(dir, 'out') }), /output\.model: is the same file as data\.train\[0\]/],
    ['output.model is the best model of output.directory', (dir: string) => ({ model: join(dir, 'out', 'best-model.onnx'), directory: join(dir, 'out') }), /output\.directory: .*best-model\.onnx: writes the same file as output\.model/],
    ['output.directory holds the config', (dir: string) => ({ model: join(dir, 'm.onnx'), directory: dir }), null],
  ])('%s', async (_name, output, message) => {
    const dir = tempDir();
    const config = writeConfig(dir, { ...miniConfig(dir), output: output(dir) }, 'report.json');
    const s = streams();
    const code = await trainCommand(config, { quiet: true }, s.io);
    expect(code).toBe(2);
    expect(s.err()).toMatch(message ?? /output\.directory: .*report\.json: is the same file as the config file/);
  });
});

describe('writes that fail', () => {
  it('a full disk names the file, keeps the old content and leaves no temporary file', () => {
    const dir = tempDir();
    const path = join(dir, 'run.ckpt');
    writeFileSync(path, 'previous checkpoint');
    symlinkSync('/dev/full', `${path}.tmp`); // writes to /dev/full fail with ENOSPC
    let error: unknown;
    try {
      writeFileAtomic(path, Buffer.alloc(100_000, 1), 'run.ckpt');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toBe('cannot write run.ckpt: no space left on device (ENOSPC)');
    expect(readFileSync(path, 'utf8')).toBe('previous checkpoint');
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('a trajectory on a full disk names the file, keeps the old one of that name, and leaves no temporary file', () => {
    const dir = tempDir();
    const path = join(dir, 'traj.xyz');
    writeFileSync(path, 'trajectory of an earlier run\n');
    symlinkSync('/dev/full', `${path}.tmp`);
    const traj = createExtxyzTrajectory({ path, every: 1, displayPath: 'traj.xyz' });
    const system = createSystem({ symbols: ['Ar'], positions: [1, 2, 3], masses: [39.948], box: Box.orthorhombic(10, 10, 10) });
    const frame = { step: 0, time_fs: 0, system, images: new Int32Array(3), potentialEnergy_eV: 0, kineticEnergy_eV: 0, totalEnergy_eV: 0, temperature_K: 0, virial: new Float64Array(9), pressure_bar: 0, state: () => { throw new Error('unused'); } };
    expect(() => traj.observe(frame)).toThrow(/^cannot write traj\.xyz: no space left on device \(ENOSPC\)$/);
    void traj.close?.();
    expect(readFileSync(path, 'utf8')).toBe('trajectory of an earlier run\n');
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });
});
