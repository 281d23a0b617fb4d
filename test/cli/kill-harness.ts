/**
 * kill -9 of a real `e3md run` at random moments, then a check that every output reads in full:
 * the extxyz trajectory by ASE, MDAnalysis and e3md, the DCD by MDAnalysis and e3md, the thermo
 * CSV row by row, the checkpoint by e3md — and that a restart from the checkpoint finishes.
 * Shared by the fast suite (a few kills) and the slow one (many).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readCheckpoint, readDcd, readExtxyz } from '../../io/index.js';
import { Rng } from '../../engine/index.js';
import { PYTHON, pythonHas } from '../harness/python.js';
import { tmpdir } from 'node:os';
import { baseInput, ROOT, runDir } from './fixtures.js';

/** What one kill left behind. */
export interface KillTrial {
  delay_ms: number;
  /** Frames each reader saw (−1: file absent). */
  extxyz: number;
  dcd: number;
  thermoRows: number;
  checkpointStep: number;
  /** Some output had a partial record at its end (the case the commit protocol exists for). */
  partialTail: boolean;
}

const CHECK = `
import sys, json, os, warnings
warnings.filterwarnings('ignore')
import ase.io, MDAnalysis as mda
d = sys.argv[1]
out = {}
xyz = os.path.join(d, 'traj.xyz')
if os.path.exists(xyz):
    a = ase.io.read(xyz, ':')
    u = mda.Universe(xyz, format='XYZ')
    out['ase'] = len(a); out['mda_xyz'] = len(u.trajectory)
    for ts in u.trajectory: pass
    dcd = os.path.join(d, 'traj.dcd')
    if os.path.exists(dcd):
        v = mda.Universe(xyz, dcd, format='DCD')
        for ts in v.trajectory: pass
        out['mda_dcd'] = len(v.trajectory)
print(json.dumps(out))`;

/** Input for the kill trials: 108 Ar atoms, every output written often so kills land mid-write. */
export function killInput(): Record<string, unknown> {
  return { ...baseInput(), steps: 1_000_000, thermo: { every: 1, path: 'thermo.csv' }, trajectory: [{ path: 'traj.xyz', every: 2 }, { path: 'traj.dcd', every: 2 }], checkpoint: { path: 'run.ckpt', every: 50 } };
}

/**
 * Kills one run and checks its outputs; returns what was found.
 * @param delay_ms when to kill: this long after the run's first output appeared (its thermo CSV
 *   under a temporary or real name), or, negative, −delay_ms after the process started (start-up,
 *   before any frame).
 */
export async function killAndCheck(delay_ms: number): Promise<KillTrial> {
  const dir = runDir(killInput());
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'e3md.js'), 'run', join(dir, 'input.json'), '-q'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  if (delay_ms >= 0) {
    for (let k = 0; k < 1200 && !existsSync(join(dir, 'thermo.csv')) && !existsSync(join(dir, 'thermo.csv.tmp')); k++) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, Math.abs(delay_ms)));
  child.kill('SIGKILL');
  await exited;

  const xyz = join(dir, 'traj.xyz'), dcd = join(dir, 'traj.dcd'), csv = join(dir, 'thermo.csv'), ckpt = join(dir, 'run.ckpt');
  let partialTail = false;
  const trial: KillTrial = { delay_ms, extxyz: -1, dcd: -1, thermoRows: -1, checkpointStep: -1, partialTail };
  // A real name always holds whole records (temporary names are the only files that may not).
  for (const f of readdirSync(dir)) expect(f, 'no unexpected file').toMatch(/^(argon\.extxyz|input\.json|thermo\.csv|traj\.xyz|traj\.dcd|run\.ckpt)(\.tmp)?$/);
  if (existsSync(xyz)) {
    const text = readFileSync(xyz, 'utf8');
    partialTail ||= !/\n$/.test(text) || /\n {2,}\n[^\n]*$/.test(text) || / {6,}\n/.test(text.slice(-200));
    trial.extxyz = readExtxyz(xyz).length;
    expect(trial.extxyz).toBeGreaterThan(0);
  }
  if (existsSync(dcd)) trial.dcd = readDcd(dcd).frames.length;
  if (existsSync(csv)) {
    const lines = readFileSync(csv, 'utf8').split('\n');
    const rows = lines.slice(1, -1);
    for (const r of rows) expect(r.split(',').length).toBe(7);
    if (lines.at(-1) !== '') partialTail = true;
    trial.thermoRows = rows.length;
  }
  if (existsSync(ckpt)) trial.checkpointStep = readCheckpoint(ckpt).state.step;
  trial.partialTail = partialTail;

  if (existsSync(xyz) && pythonHas('ase', 'MDAnalysis')) {
    const r = spawnSync(PYTHON, ['-W', 'ignore', '-c', CHECK, dir], { encoding: 'utf8', cwd: tmpdir() });
    expect(r.status, `ASE/MDAnalysis on ${dir}: ${r.stderr}`).toBe(0);
    const seen = JSON.parse(r.stdout) as { ase: number; mda_xyz: number; mda_dcd?: number };
    expect([trial.extxyz, trial.extxyz + 1]).toContain(seen.ase);
    expect(seen.mda_xyz).toBeGreaterThanOrEqual(seen.ase);
    if (seen.mda_dcd !== undefined) expect(seen.mda_dcd).toBe(trial.dcd);
  }
  // The checkpoint restarts the run (outputs cut back to it), which then finishes its few steps.
  if (trial.checkpointStep >= 0) {
    const restart = spawnSync(process.execPath, [join(ROOT, 'bin', 'e3md.js'), 'run', join(dir, 'input.json'), '-q', '--steps', String(trial.checkpointStep + 4), '--restart', ckpt], { encoding: 'utf8', timeout: 60_000 });
    expect(restart.stderr).toBe('');
    expect(restart.status).toBe(0);
    expect(readExtxyz(xyz).at(-1)!.info.get('step')).toBe(trial.checkpointStep + 4);
  }
  return trial;
}

/**
 * `count` kill delays (see killAndCheck), seeded: one during start-up, the others spread over the
 * first 1.5 s of writing.
 */
export function killDelays(count: number, seed = 7): number[] {
  const r = new Rng(seed);
  return Array.from({ length: count }, (_, k) => (k === 0 ? -Math.round(100 + 300 * r.uniform()) : Math.round(1500 * ((k - 1 + r.uniform()) / (count - 1)))));
}
