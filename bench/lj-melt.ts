/**
 * The LAMMPS Lennard-Jones melt benchmark, side by side with LAMMPS when `lmp` is on PATH.
 *
 * System (as bench/lammps/in.lj-melt): fcc argon, 20×20×20 cells = 32,000 atoms, reduced density
 * 0.8442, T* = 3.0 initial, cutoff 2.5σ, skin 0.3σ, list rebuilt every 20 steps without checking,
 * 100 velocity-Verlet steps of 0.005τ, one thread. e3md runs it in real argon units (σ = 3.405 Å,
 * ε = 0.0104 eV, m = 39.948 u). Runs alternate (e3md, LAMMPS, e3md, …) and the best of each is
 * kept, so that load from other processes on a shared machine hits both alike. Both wall time
 * and CPU time (e3md: process.cpuUsage; LAMMPS: loop time × its "% CPU use") are reported.
 *
 * Usage: npx tsx bench/lj-melt.ts [--repeats 3] [--cells 20] [--steps 100] [--check] [--no-lammps]
 *   --check   both rebuild when an atom moved > skin/2 (e3md's default; LAMMPS `every 1 check yes`)
 *             instead of blindly every 20 steps
 * Prints one JSON object on stdout.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createSimulation, kB_eV_per_K, type RunSummary } from '../engine/index.js';
import { velocityVerlet } from '../integrators/index.js';
import { lennardJones } from '../potentials/index.js';
import { MELT, meltPotentialOptions, meltSystem } from './lj-melt-system.js';
import { repoRoot } from './paths.js';


interface Args { repeats: number; cells: number; steps: number; check: boolean; lammps: boolean }

function parseArgs(argv: string[]): Args {
  const args: Args = { repeats: 3, cells: 20, steps: 100, check: false, lammps: true };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const num = (): number => {
      const v = Number(argv[++k]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`lj-melt: ${a} needs a positive integer, got ${argv[k]}`);
      return v;
    };
    if (a === '--repeats') args.repeats = num();
    else if (a === '--cells') args.cells = num();
    else if (a === '--steps') args.steps = num();
    else if (a === '--check') args.check = true;
    else if (a === '--no-lammps') args.lammps = false;
    else throw new Error(`lj-melt: unknown option ${a}`);
  }
  return args;
}

/** One e3md run: build, thermalize at T* = 3, time `steps` steps (setup excluded, as LAMMPS's "Loop time"). */
async function runE3md(args: Args): Promise<RunSummary & { cpu_s: number; temperature0_K: number; temperature_K: number; totalEnergy_eV: [number, number] }> {
  const system = meltSystem(args.cells);
  const potential = lennardJones(meltPotentialOptions, system.typeNames);
  const temps: number[] = [], energies: number[] = [];
  const sim = createSimulation({
    system,
    potential,
    integrator: velocityVerlet({ timestep_fs: MELT.timestep_fs }),
    neighbor: { skin_A: MELT.skin_A, rebuild: args.check ? undefined : { every: 20, check: false } },
    observers: [{ every: args.steps, observe: (f) => { temps.push(f.temperature_K); energies.push(f.totalEnergy_eV); } }],
  });
  await sim.frame(); // set-up (first list, first forces) outside the timing, as LAMMPS's "Loop time"
  const cpu0 = process.cpuUsage();
  const summary = await sim.run(args.steps);
  const cpu = process.cpuUsage(cpu0);
  return { ...summary, cpu_s: (cpu.user + cpu.system) / 1e6, temperature0_K: temps[0], temperature_K: temps[temps.length - 1], totalEnergy_eV: [energies[0], energies[energies.length - 1]] };
}

interface LammpsRun { loop_s: number; cpu_s: number; pair_s: number; neigh_s: number; builds: number }

function runLammps(args: Args): LammpsRun | { error: string } {
  const input = join(repoRoot(), 'bench', 'lammps', 'in.lj-melt');
  const scale = args.cells / 20;
  const vars = Number.isInteger(scale) ? ['-var', 'x', `${scale}`, '-var', 'y', `${scale}`, '-var', 'z', `${scale}`] : [];
  if (!Number.isInteger(scale)) return { error: `--cells ${args.cells} is not a multiple of 20; LAMMPS input scales by whole 20-cell blocks` };
  const policy = args.check ? ['-var', 'every', '1', '-var', 'check', 'yes'] : [];
  const r = spawnSync('lmp', ['-in', input, '-log', 'none', '-nocite', '-var', 'steps', `${args.steps}`, ...vars, ...policy], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (r.error || r.status !== 0) return { error: `lmp failed: ${r.error?.message ?? r.stderr.slice(-500)}` };
  const loop = /Loop time of ([\d.eE+-]+) on 1 procs/.exec(r.stdout);
  const pair = /^Pair\s+\|\s+([\d.eE+-]+)/m.exec(r.stdout);
  const neigh = /^Neigh\s+\|\s+([\d.eE+-]+)/m.exec(r.stdout);
  const builds = /Neighbor list builds = (\d+)/.exec(r.stdout);
  const cpuUse = /([\d.]+)% CPU use/.exec(r.stdout);
  if (!loop) return { error: 'could not find "Loop time" in the LAMMPS output' };
  return { loop_s: Number(loop[1]), cpu_s: (Number(loop[1]) * Number(cpuUse?.[1] ?? NaN)) / 100, pair_s: Number(pair?.[1] ?? NaN), neigh_s: Number(neigh?.[1] ?? NaN), builds: Number(builds?.[1] ?? NaN) };
}

function hasLammps(): boolean {
  return spawnSync('lmp', ['-h'], { encoding: 'utf8' }).status === 0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const useLammps = args.lammps && hasLammps();
  const ours: Awaited<ReturnType<typeof runE3md>>[] = [];
  const theirs: LammpsRun[] = [];
  let lammpsError: string | undefined;
  for (let k = 0; k < args.repeats; k++) {
    ours.push(await runE3md(args));
    if (useLammps && !lammpsError) {
      const r = runLammps(args);
      if ('error' in r) lammpsError = r.error;
      else theirs.push(r);
    }
  }
  const best = ours.reduce((a, b) => (b.wall_s < a.wall_s ? b : a));
  const bestCpu = Math.min(...ours.map((r) => r.cpu_s));
  const atoms = 4 * args.cells ** 3;
  const result: Record<string, unknown> = {
    benchmark: 'lj-melt',
    atoms,
    steps: args.steps,
    rebuild: args.check ? 'skin/2 test every step' : 'every 20 steps, no check (as LAMMPS bench/in.lj)',
    e3md: {
      best_s: best.wall_s,
      all_s: ours.map((r) => r.wall_s),
      bestCpu_s: bestCpu,
      allCpu_s: ours.map((r) => r.cpu_s),
      atomStepsPerSecond: best.atomStepsPerSecond,
      neighborBuilds: best.neighborBuilds,
      temperature_K: [best.temperature0_K, best.temperature_K],
      temperatureReduced: [best.temperature0_K, best.temperature_K].map((t) => (t * kB_eV_per_K) / MELT.epsilon_eV),
      totalEnergyReducedPerAtom: best.totalEnergy_eV.map((e) => e / MELT.epsilon_eV / atoms),
    },
    node: process.version,
  };
  if (theirs.length > 0) {
    const lb = theirs.reduce((a, b) => (b.loop_s < a.loop_s ? b : a));
    const lammpsCpu = Math.min(...theirs.map((r) => r.cpu_s));
    result.lammps = { best_s: lb.loop_s, all_s: theirs.map((r) => r.loop_s), bestCpu_s: lammpsCpu, allCpu_s: theirs.map((r) => r.cpu_s), pair_s: lb.pair_s, neigh_s: lb.neigh_s, neighborBuilds: lb.builds, atomStepsPerSecond: (atoms * args.steps) / lb.loop_s };
    result.ratio_e3md_over_lammps = best.wall_s / lb.loop_s;
    // CPU time is less disturbed by other processes sharing the cores than wall time.
    result.cpuRatio_e3md_over_lammps = bestCpu / lammpsCpu;
  } else {
    result.lammps = lammpsError ?? (args.lammps ? 'lmp not found on PATH' : 'skipped (--no-lammps)');
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`lj-melt: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
