/**
 * `e3md bench <name> [args…]`: runs one of the benchmark programs of bench/ (compiled to
 * dist/bench/) in a child process, so that its timings are not disturbed by the CLI's own state.
 * Each benchmark prints JSON results; arguments after the name pass through unchanged.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT, type CliStreams } from '../exit-codes.js';

/** Benchmark names, the program each runs, and what it measures. */
export const BENCHMARKS: Readonly<Record<string, { file: string; about: string }>> = Object.freeze({
  lj: { file: 'lj-melt.js', about: 'LAMMPS LJ melt (32,000 fcc argon atoms, 100 NVE steps, one thread), side by side with `lmp` when on PATH' },
  'lj-run': { file: 'lj-run.js', about: 'the LJ melt as users run it: `e3md run` (1 and 2 workers) against `lmp` (1 and 2 MPI ranks), whole processes, alternating rounds' },
  'lj-speedup': { file: 'lj-speedup.js', about: 'the LJ melt\'s 2-worker speed-up measured at one moment: serial and parallel runs alternate 20-step blocks in one process' },
  'lj-cold': { file: 'lj-cold.js', about: 'the LJ melt step by step from a fresh process (1 and 2 workers, alternating): set-up, cold first steps, build and other steps' },
  'lj-memory': { file: 'lj-memory.js', about: 'process memory for 1,000,000 Lennard-Jones atoms' },
  models: { file: 'models-water.js', about: 'NequIP/Allegro per-step time on 192- and 1536-atom water boxes (split: neighbor list, input preparation, model)' },
  o3: { file: 'o3-bench.js', about: 'spherical harmonics of 1e6 vectors and a uvu tensor product over 1e5 edges' },
  onnx: { file: 'onnx-bench.js', about: 'onnxruntime per-call overhead; MLP forward and forward+gradient over 1e5 rows' },
  io: { file: 'io.js', about: 'extxyz, DCD and checkpoint throughput at 32,000 atoms' },
  scaling: { file: 'scaling.js', about: 'atoms × workers: LJ (beside LAMMPS on 1 and 2 MPI ranks), Allegro and NequIP water, batched replicas; --suites memory for the big single evaluations (long)' },
  npt: { file: 'npt-argon.js', about: 'NPT liquid argon: density and compressibility (fluctuation vs equation of state), MTK and c-rescale, against LAMMPS fix npt (long)' },
  'learning-curve': { file: 'learning-curve.js', about: 'test force MAE against training-set size for NequIP lmax 0–3 and Allegro, each point trained to convergence, power-law β fitted (hours; resumable)' },
  'train': { file: 'train-throughput.js', about: 'training epochs/s (and per CPU-second) for dtype × thread variants of a training config' },
  'train-compare': { file: 'train-compare.js', about: 'the same training config under JSON merge patches (e.g. float32 vs float64): test errors and times' },
  startup: { file: 'startup.js', about: 'start-up of whole e3md processes (--version, 0-step LJ and NequIP runs, info); --baseline DIR pairs them with another checkout' },
  'lammps-pair': { file: 'lammps-pair.js', about: 'LAMMPS + pair_style e3md on 1 and 2 MPI ranks against e3md eval/run: agreement, time per step, pair-style overhead, weak scaling, per-rank costs' },
});

function benchDir(): string {
  // This file is dist/cli/commands/bench.js once built; the programs are in dist/bench/.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
}

/** Adds `e3md bench <name> [args…]` to `program`; the exit code goes to `setExit`. */
export function registerBenchCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  const list = Object.entries(BENCHMARKS).map(([k, v]) => `  ${k.padEnd(15)} ${v.about}`).join('\n');
  program
    .command('bench')
    .summary('run a throughput benchmark (lj, models, o3, onnx, io, ...) and print JSON results')
    .argument('<name>', 'benchmark name (see below)')
    .argument('[args...]', 'arguments passed to the benchmark program (e.g. --check for lj)')
    .allowUnknownOption()
    .addHelpText('after', `\nBenchmarks:\n${list}\n\nExamples:\n  e3md bench lj\n  e3md bench lj --check\n`)
    .action(async (name: string, args: string[]) => {
      setExit(await benchCommand(name, args, io));
    });
}

/** Runs benchmark `name` with `args`; resolves with its exit code. */
export async function benchCommand(name: string, args: readonly string[], io: CliStreams): Promise<number> {
  const entry = Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!entry) {
    io.stderr.write(`e3md bench: unknown benchmark "${name}"; choose one of ${Object.keys(BENCHMARKS).join(', ')}\n`);
    return EXIT.badInput;
  }
  const script = join(benchDir(), entry.file);
  if (!existsSync(script)) {
    io.stderr.write(`e3md bench: ${script} is missing; build e3md first (npm run build)\n`);
    return EXIT.failed;
  }
  return await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => void io.stdout.write(d.toString()));
    child.stderr.on('data', (d: Buffer) => void io.stderr.write(d.toString()));
    child.on('error', (e) => {
      io.stderr.write(`e3md bench: could not start ${script}: ${e.message}\n`);
      resolve(EXIT.failed);
    });
    child.on('close', (code) => resolve(code ?? EXIT.failed));
  });
}
