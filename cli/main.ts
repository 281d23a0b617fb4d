/**
 * The e3md command line (commander). `bin/e3md.js` calls `main(process.argv)` and exits with the
 * code it returns.
 *
 * Commands register in `createProgram`, one function per command (`registerX(program, io, setExit)`):
 * run and relax here; eval/train/model/serve/info/plot/bench/lammps in cli/commands/ (`bench` runs the programs of bench/).
 * Each command's module is loaded only when the command line names it (or asks for help).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { nonNegativeInteger, positiveInteger } from './arguments.js';
import { EXIT, type CliStreams } from './exit-codes.js';

/** Adds one command to the program. */
type Register = (program: Command, io: CliStreams, setExit: (code: number) => void) => void;

/**
 * Every command, in help order, with the module that registers it. A command line that names one
 * loads only that one (with what it needs): `e3md run` of a Lennard-Jones system never loads the
 * trainer, onnxruntime-node or protobufjs. Help and unknown commands load them all.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  run: async () => registerRun,
  relax: async () => registerRelax,
  eval: async () => (await import('./commands/eval.js')).registerEvalCommand,
  train: async () => (await import('./commands/train.js')).registerTrainCommand,
  model: async () => (await import('./commands/model.js')).registerModelCommand,
  serve: async () => (await import('./commands/serve.js')).registerServeCommand,
  info: async () => (await import('./commands/info.js')).registerInfoCommand,
  plot: async () => (await import('./commands/plot.js')).registerPlotCommand,
  bench: async () => (await import('./commands/bench.js')).registerBenchCommand,
  lammps: async () => (await import('./commands/lammps.js')).registerLammpsCommand,
};

/** e3md's version from package.json (found upward from this file, so it works from dist/ and from sources). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 4; k++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'e3md') return pkg.version ?? '0.0.0';
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

function registerRun(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('run')
    .summary('run molecular dynamics from an input.json')
    .description(
      'Run molecular dynamics as described by input.json (structure, potential, integrator, outputs; every key in ' +
      'docs/input-json.md, JSON Schema io/input.schema.json). Starts from extxyz/xyz, POSCAR/CONTCAR or LAMMPS data; ' +
      'prints a thermo table (columns: docs/thermo.md), writes the thermo CSV, trajectories (.xyz/.extxyz, .dcd; ' +
      'docs/formats.md) and checkpoints. Every path in input.json is relative to the input file. The input is fully ' +
      'checked before any output file is opened, and no output may be an input or another output.',
    )
    .argument('<input.json>', 'run description')
    .option('--steps <n>', 'total number of steps, overriding "steps" in input.json', nonNegativeInteger)
    .option('--restart <checkpoint>', 'continue from a checkpoint to the total number of steps; thermo and trajectory files are cut back to the checkpoint\'s step before appending')
    .option('--threads <n>', 'onnxruntime threads of an ONNX potential, overriding potential.threads (default: 1 below 100 atoms, else every core; repeatable at any count; README, "Threads")', positiveInteger)
    .option('--workers <n>', 'domains, overriding parallel.workers: the system is cut into this many, one per thread (worker threads; Lennard-Jones keeps domain 0 in the main thread); the same count gives the same bits', positiveInteger)
    .option('-q, --quiet', 'print nothing but errors (no table, progress bar or summary)')
    .addHelpText('after', '\nExamples:\n  e3md run examples/argon/input.json\n  e3md run input.json --steps 20000 --restart run.ckpt\n  e3md run input.json --workers 2\n')
    .action(async (input: string, opts: { steps?: number; restart?: string; quiet?: boolean; threads?: number; workers?: number }) => {
      const { runCommand } = await import('./run.js');
      setExit(await runCommand(input, opts, io));
    });
}

function registerRelax(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('relax')
    .summary('relax a structure (and optionally its cell) to an energy minimum')
    .description(
      'Minimise the energy of the structure in input.json with FIRE or L-BFGS: input.json has "relax": ' +
      '{ "method": "fire" | "lbfgs", "fmax_eV_A": 0.01, "max_steps": 1000, "cell": false, "pressure_bar": 0 } in place of ' +
      '"integrator" (and no "steps"). With "cell": true the cell relaxes too, to the target pressure (enthalpy E + PV ' +
      'minimised; converged when the cell force V|σ − σ_target|/N is below fmax too). The path is written to the ' +
      'trajectory files — their last frame is the relaxed structure — and the log to the table and thermo.path (CSV). ' +
      'Exit code 1 when max_steps is reached before convergence.',
    )
    .argument('<input.json>', 'relaxation description')
    .option('--max-steps <n>', 'overrides relax.max_steps', nonNegativeInteger)
    .option('--threads <n>', 'onnxruntime threads of an ONNX potential, overriding potential.threads', positiveInteger)
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', '\nExample:\n  e3md relax examples/water-box/relax.json\n')
    .action(async (input: string, opts: { maxSteps?: number; quiet?: boolean; threads?: number }) => {
      const { relaxCommand } = await import('./relax.js');
      setExit(await relaxCommand(input, opts, io));
    });
}

/**
 * The e3md program with its commands: all of them, or only those named in `only` (the others'
 * modules are then never loaded).
 */
export async function createProgram(io: CliStreams, setExit: (code: number) => void, only?: readonly string[]): Promise<Command> {
  const program = new Command('e3md')
    .description('Molecular dynamics with E(3)-equivariant learned potentials (NequIP/Allegro, run by ONNX Runtime) and classical Lennard-Jones. Units: Å, eV, fs, amu, K, bar.')
    .version(packageVersion(), '-V, --version', 'print the e3md version')
    .helpOption('-h, --help', 'show help (also: e3md help <command>)')
    .showHelpAfterError('(run "e3md --help" for usage)')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .exitOverride()
    .addHelpText('after', `
Exit codes: ${EXIT.ok} done, ${EXIT.failed} run failed (energy NaN/infinite, relaxation not converged, internal error), ${EXIT.badInput} bad input or usage,
${EXIT.interrupted} interrupted (Ctrl-C; a checkpoint is written first when configured).

Quick start:
  npx e3md run examples/water/input.json    water with the shipped NequIP potential
  npx e3md run examples/argon/input.json    liquid argon, Lennard-Jones

Documentation: docs/README.md in the e3md folder (units, input.json, train configs, thermo columns,
file formats, the ONNX potential contract, and a guide from DFT data to MD with your own model).
`);
  const names = Object.keys(COMMANDS).filter((name) => only === undefined || only.includes(name));
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]!()))) register(program, io, setExit);
  // Subcommands need no exitOverride/configureOutput of their own: `program.command()` copies both
  // from the program when it creates them (commander's copyInheritedSettings).
  return program;
}

/**
 * Runs the command line `argv` (as in `process.argv`: node, script, then arguments) and resolves
 * with the process exit code. Usage errors print commander's message and give 2.
 *
 * @example
 * process.exitCode = await main(['node', 'e3md', 'run', 'examples/argon/input.json']);
 */
export async function main(argv: string[], io: CliStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let code: number = EXIT.ok;
  // LAMMPS's arguments are LAMMPS's: commander would read its -h and -var as e3md's options.
  if (argv[2] === 'lammps') return (await import('./commands/lammps.js')).lammpsCommand(argv.slice(3), io);
  const first = argv[2];
  const only = first === '-V' || first === '--version' ? [] : first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : undefined;
  const program = await createProgram(io, (c) => { code = c; }, only);
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT.ok;
  }
  // commander answers `help <unknown>` with the general help; say what is wrong instead.
  const names = program.commands.map((c) => c.name());
  if (argv[2] === 'help' && argv[3] !== undefined && !names.includes(argv[3])) {
    io.stderr.write(`e3md: unknown command '${argv[3]}' (commands: ${names.filter((n) => n !== 'help').join(', ')})\n`);
    return EXIT.badInput;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    throw e;
  }
  return code;
}
