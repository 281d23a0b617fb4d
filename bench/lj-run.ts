/**
 * The LAMMPS melt as users run it, whole processes: `e3md run input.json --workers W` against
 * `lmp -in bench/lammps/in.lj-melt` (`mpirun -np W lmp` for W > 1), each timed from start to exit,
 * in alternating rounds (e3md W = 1, 2, …, then LAMMPS on as many ranks), so that the paired ratios
 * compare runs made at one moment on a machine whose speed drifts. Both rebuild their lists when an
 * atom has moved half the skin (e3md's only policy; LAMMPS `neigh_modify every 1 check yes`).
 *
 * System as bench/lj-melt.ts: 32,000 fcc argon atoms, ρ* = 0.8442, T* = 3.0 initial (e3md:
 * Maxwell–Boltzmann, seed 87287; LAMMPS: its own `velocity create`), 2.5σ cutoff, 0.3σ skin, 100
 * velocity-Verlet steps of 0.005τ (`--steps`: more; both programs' fixed costs — start-up, and
 * for e3md the workers' start and their code's first, unoptimized runs — then weigh less). e3md starts from an extxyz file written here (with velocities)
 * and reads and checks it like any input; no outputs but the table, which `-q` silences.
 *
 * Usage: npx tsx bench/lj-run.ts [--workers 1,2] [--rounds 5] [--steps 100]
 * Prints one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { symbolsOf } from '../engine/index.js';
import { formatExtxyz } from '../io/index.js';
import { MELT, meltSystem } from './lj-melt-system.js';
import { argValue } from './args.js';
import { repoRoot } from './paths.js';

const workers = argValue('--workers', '1,2').split(',').map(Number);
const rounds = Number(argValue('--rounds', '5'));
const steps = Number(argValue('--steps', '100'));
if (!workers.every((w) => Number.isInteger(w) && w >= 1) || !(Number.isInteger(rounds) && rounds >= 1) || !(Number.isInteger(steps) && steps >= 1)) {
  throw new Error('lj-run: --workers takes positive integers, --rounds and --steps a positive integer');
}

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'e3md-lj-run-'));
const melt = meltSystem(20);
writeFileSync(join(dir, 'melt.extxyz'), formatExtxyz({ symbols: symbolsOf(melt), positions: melt.positions, velocities: melt.velocities, masses: melt.masses, box: melt.box }));
writeFileSync(join(dir, 'input.json'), JSON.stringify({
  structure: 'melt.extxyz',
  potential: { kind: 'lennard-jones', epsilon_eV: MELT.epsilon_eV, sigma_A: MELT.sigma_A, cutoff_A: MELT.cutoff_A },
  integrator: { kind: 'velocity-verlet', timestep_fs: MELT.timestep_fs },
  steps,
  neighbor: { skin_A: MELT.skin_A },
}));

/** Seconds from spawn to exit; throws with the tail of stderr on failure. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  const s = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) throw new Error(`lj-run: ${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.slice(-400)}`);
  return s;
}

const haveLammps = spawnSync('lmp', ['-h'], { encoding: 'utf8' }).status === 0;
const haveMpi = spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status === 0;
const ranks = haveLammps ? workers.filter((w) => w === 1 || haveMpi) : [];
const e3md: number[][] = workers.map(() => []), lammps: number[][] = ranks.map(() => []);
const lammpsArgs = ['-in', join(root, 'bench', 'lammps', 'in.lj-melt'), '-log', 'none', '-nocite', '-screen', 'none', '-var', 'every', '1', '-var', 'check', 'yes', '-var', 'steps', String(steps)];
try {
  for (let k = 0; k < rounds; k++) {
    workers.forEach((w, i) => e3md[i].push(timed(process.execPath, [join(root, 'bin', 'e3md.js'), 'run', join(dir, 'input.json'), '-q', '--workers', String(w)])));
    ranks.forEach((n, i) => {
      const [cmd, args] = n === 1 ? ['lmp', lammpsArgs] : ['mpirun', ['--oversubscribe', '--allow-run-as-root', '-np', String(n), 'lmp', ...lammpsArgs]];
      lammps[i].push(timed(cmd, args as string[], { ...process.env, OMP_NUM_THREADS: '1' }));
    });
    process.stderr.write(`round ${k + 1}: e3md ${e3md.map((r) => r[k].toFixed(2)).join(' / ')} s, LAMMPS ${lammps.map((r) => r[k].toFixed(2)).join(' / ')} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
const paired = (a: number[], b: number[]): number => median(a.map((x, k) => x / b[k]));
const result: Record<string, unknown> = {
  benchmark: 'lj-run', atoms: melt.n, steps, rounds, node: process.version, date: new Date().toISOString(),
  e3md: workers.map((w, i) => ({ workers: w, process_s: { min: Math.min(...e3md[i]), median: median(e3md[i]) }, all_s: e3md[i] })),
  lammps: haveLammps ? ranks.map((n, i) => ({ ranks: n, process_s: { min: Math.min(...lammps[i]), median: median(lammps[i]) }, all_s: lammps[i] })) : 'lmp not found on PATH',
};
const one = workers.indexOf(1), two = workers.indexOf(2);
if (one >= 0 && two >= 0) result.speedup_2_workers_paired = paired(e3md[one], e3md[two]);
ranks.forEach((n, i) => {
  const w = workers.indexOf(n);
  if (w >= 0) result[`e3md${n}_over_lammps${n}_paired`] = paired(e3md[w], lammps[i]);
});
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
