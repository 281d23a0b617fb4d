import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../io/checkpoint.js';
import { baseInput, ROOT, runDir } from './fixtures.js';

describe('Ctrl-C', () => {
  it('stops after the current step, writes a checkpoint there and exits 130', async () => {
    const dir = runDir({ ...baseInput(), steps: 10_000_000, thermo: { every: 10, path: 'thermo.csv' } });
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'e3md.js'), 'run', join(dir, 'input.json'), '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the run is under way (a few thermo rows written).
    const thermo = join(dir, 'thermo.csv');
    for (let k = 0; k < 1200; k++) { // up to 30 s on a loaded machine
      if (existsSync(thermo) && readFileSync(thermo, 'utf8').split('\n').length > 4) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGINT');
    // Never leave the child behind: kill it outright if it has not stopped within 15 s.
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(guard);
    expect(stderr).toMatch(/e3md: interrupted at step (\d+); checkpoint written to .*run\.ckpt/);
    expect(code).toBe(130);
    const step = Number(/interrupted at step (\d+)/.exec(stderr)![1]);
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(10_000_000);
    expect(readCheckpoint(join(dir, 'run.ckpt')).state.step).toBe(step);
  });
});

describe('a closed stdout (e3md run … | head)', () => {
  it('does not crash the run: it finishes its files and exits 0', async () => {
    const dir = runDir({ ...baseInput(), steps: 2000, thermo: { every: 10, path: 'thermo.csv' } });
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'e3md.js'), 'run', join(dir, 'input.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Read the first lines, then close the pipe as `head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(guard);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = readFileSync(join(dir, 'thermo.csv'), 'utf8').trim().split('\n');
    expect(rows[rows.length - 1]!.split(',')[0]).toBe('2000');
  });
});
