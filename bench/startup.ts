/**
 * Start-up of whole `e3md` processes, as users and scripts meet it: `--version`, a 0-step
 * Lennard-Jones run of the 32,000-atom melt (1 and 2 workers; start-up, reading the file, the
 * first list and forces), a 0-step run of the water hexamer with the shipped float32 NequIP, and
 * `e3md info` of the shipped model. With `--baseline DIR` (another checkout, built) each command is
 * timed with both checkouts in alternating rounds, and the paired ratios baseline / this say how
 * much faster this checkout starts on one machine at one moment.
 *
 * Usage: npx tsx bench/startup.ts [--rounds 7] [--baseline /path/to/other/checkout]
 * Prints one JSON object (medians and minima in ms, and the paired ratios).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { symbolsOf } from '../engine/index.js';
import { formatExtxyz } from '../io/index.js';
import { argValue } from './args.js';
import { MELT, meltSystem } from './lj-melt-system.js';
import { repoRoot } from './paths.js';

const rounds = Number(argValue('--rounds', '7'));
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error('startup: --rounds takes a positive integer');
const root = repoRoot();
const baselineArg = argValue('--baseline', '');
const baseline = baselineArg === '' ? null : resolve(baselineArg);
if (baseline !== null && !existsSync(join(baseline, 'dist', 'cli', 'main.js'))) {
  throw new Error(`startup: --baseline ${baseline} has no dist/cli/main.js (run \`npm run build\` there first)`);
}

const dir = mkdtempSync(join(tmpdir(), 'e3md-startup-'));
const melt = meltSystem(20);
writeFileSync(join(dir, 'melt.extxyz'), formatExtxyz({ symbols: symbolsOf(melt), positions: melt.positions, velocities: melt.velocities, masses: melt.masses, box: melt.box }));
writeFileSync(join(dir, 'lj.json'), JSON.stringify({
  structure: 'melt.extxyz',
  potential: { kind: 'lennard-jones', epsilon_eV: MELT.epsilon_eV, sigma_A: MELT.sigma_A, cutoff_A: MELT.cutoff_A },
  integrator: { kind: 'velocity-verlet', timestep_fs: MELT.timestep_fs }, steps: 0, neighbor: { skin_A: MELT.skin_A },
}));
for (const f of ['hexamer.extxyz', 'water-nequip-float32.onnx']) copyFileSync(join(root, 'examples', 'water', f), join(dir, f));
writeFileSync(join(dir, 'water.json'), JSON.stringify({
  structure: 'hexamer.extxyz', potential: { kind: 'onnx', model: 'water-nequip-float32.onnx', device: 'cpu' },
  integrator: { kind: 'velocity-verlet', timestep_fs: 0.5 }, steps: 0, neighbor: { skin_A: 1.0 },
}));

const commands: { name: string; args: string[] }[] = [
  { name: 'e3md --version', args: ['--version'] },
  { name: 'e3md run (Lennard-Jones, 32,000 atoms, 0 steps)', args: ['run', join(dir, 'lj.json'), '-q'] },
  { name: 'e3md run (Lennard-Jones, 32,000 atoms, 0 steps, 2 workers)', args: ['run', join(dir, 'lj.json'), '-q', '--workers', '2'] },
  { name: 'e3md run (water hexamer, NequIP float32, 0 steps)', args: ['run', join(dir, 'water.json'), '-q'] },
  { name: 'e3md info (shipped water model)', args: ['info', join(dir, 'water-nequip-float32.onnx')] },
];
const checkouts = baseline === null ? [root] : [baseline, root];

/** Milliseconds from spawn to exit; throws with the tail of stderr on failure. */
function timed(checkout: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(checkout, 'bin', 'e3md.js'), ...args], { encoding: 'utf8', cwd: dir });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) throw new Error(`startup: ${checkout}: e3md ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.slice(-400)}`);
  return ms;
}

const times = commands.map(() => checkouts.map(() => [] as number[]));
try {
  for (let k = 0; k < rounds; k++) {
    commands.forEach((c, i) => checkouts.forEach((checkout, j) => times[i][j].push(timed(checkout, c.args))));
    process.stderr.write(`round ${k + 1} of ${rounds}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
const summary = (a: number[]) => ({ median_ms: +median(a).toFixed(1), min_ms: +Math.min(...a).toFixed(1) });
process.stdout.write(JSON.stringify({
  benchmark: 'startup', rounds, node: process.version, date: new Date().toISOString(), checkout: root, baseline,
  commands: commands.map((c, i) => ({
    command: c.name,
    this: summary(times[i][checkouts.length - 1]),
    ...(baseline === null ? {} : {
      baseline: summary(times[i][0]),
      baseline_over_this_paired: +median(times[i][0].map((b, k) => b / times[i][1][k])).toFixed(3),
    }),
  })),
}, null, 1) + '\n');
