/** Small run folders for CLI tests: a 108-atom liquid-like argon box and input.json variants. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fccLattice, maxwellBoltzmann, Rng, symbolsOf } from '../../index.js';
import { formatExtxyz } from '../../io/extxyz-write.js';
import { main } from '../../cli/main.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** 108 Ar atoms (3×3×3 fcc at liquid density) with 120 K Maxwell–Boltzmann velocities, as extxyz text. */
export function argonStructure(): string {
  const s = fccLattice({ cells: [3, 3, 3], latticeConstant_A: 5.78, symbol: 'Ar' });
  // Displace atoms a little so the run is not a perfect crystal (deterministic).
  const r = new Rng(5);
  for (let i = 0; i < s.positions.length; i++) s.positions[i] += 0.1 * r.normal();
  maxwellBoltzmann(s, 120, new Rng(6));
  return formatExtxyz({ symbols: symbolsOf(s), positions: s.positions, velocities: s.velocities, box: s.box });
}

/** A baseline input.json object (velocity Verlet, every output), to edit per test. */
export function baseInput(): Record<string, any> {
  return {
    structure: 'argon.extxyz',
    potential: { kind: 'lennard-jones', epsilon_eV: 0.010341, sigma_A: 3.4, cutoff_A: 8.0, shift: true },
    integrator: { kind: 'velocity-verlet', timestep_fs: 4.0 },
    steps: 200,
    neighbor: { skin_A: 1.0 },
    thermo: { every: 10, path: 'thermo.csv' },
    trajectory: [{ path: 'traj.xyz', every: 50 }, { path: 'traj.dcd', every: 20 }],
    checkpoint: { path: 'run.ckpt', every: 100 },
  };
}

/** A fresh temp folder holding argon.extxyz and input.json (from `input`, pretty-printed). */
export function runDir(input: Record<string, any> = baseInput(), structure = argonStructure()): string {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-cli-'));
  writeFileSync(join(dir, 'argon.extxyz'), structure);
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input, null, 2));
  return dir;
}

/** Result of a CLI invocation. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `e3md ...args` in-process through `main` (fast: no node start-up), capturing output. */
export async function e3md(...args: string[]): Promise<CliResult> {
  let stdout = '', stderr = '';
  const code = await main(['node', 'e3md', ...args], {
    stdout: { write: (s: string) => { stdout += s; return true; }, isTTY: false },
    stderr: { write: (s: string) => { stderr += s; return true; } },
  });
  return { code, stdout, stderr };
}

/** Runs `node bin/e3md.js ...args` as a real process (the compiled dist/, as users run it). */
export function e3mdProcess(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'e3md.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
