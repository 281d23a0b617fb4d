/**
 * `e3md lammps <LAMMPS arguments>`: runs LAMMPS with `pair_style e3md` available. This process
 * starts the LAMMPS executable built by `npm run build:lammps` (lammps/build/e3md-lammps: Debian's
 * liblammps plus the pair style) as its child, hands it one end of a socket as file descriptor 3,
 * and serves the pair style's model requests on the other end (cli/lammps/model-server.ts).
 * Under MPI every rank is one such pair: `mpirun -np 2 npx e3md lammps -in in.lammps` starts two
 * e3md processes, each starting one LAMMPS rank (MPI_Init in the child finds its rank from the
 * environment mpirun gave the parent).
 *
 * The arguments are LAMMPS's, passed through untouched (`-in`, `-var`, `-log`, `-h` …); the exit
 * code is LAMMPS's. Environment: E3MD_LAMMPS_EXE names another LAMMPS executable that has the
 * pair style (a LAMMPS built from source with lammps/ added); E3MD_LAMMPS_STATS=path writes each
 * rank's timings as JSON ({rank} in the path is replaced by the rank).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { serveModel, type ModelServerStats } from '../lammps/model-server.js';
import { EXIT, type CliStreams } from '../exit-codes.js';

/** The repository root (the folder whose package.json is e3md's), from sources or from dist/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'e3md') return dir;
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  throw new Error('e3md lammps: cannot find the e3md package folder');
}

/** The LAMMPS executable with pair_style e3md: E3MD_LAMMPS_EXE, else lammps/build/e3md-lammps. */
export function lammpsExecutable(env: NodeJS.ProcessEnv = process.env): string {
  return env['E3MD_LAMMPS_EXE'] || join(packageRoot(), 'lammps', 'build', 'e3md-lammps');
}

/** This process's MPI rank as the launcher tells it (Open MPI, MPICH/PMI, PMIx), 0 outside MPI. */
function mpiRank(env: NodeJS.ProcessEnv): number {
  const v = env['OMPI_COMM_WORLD_RANK'] ?? env['PMI_RANK'] ?? env['PMIX_RANK'];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

/**
 * Runs LAMMPS with `args` and serves its pair style; resolves with LAMMPS's exit code (2 when the
 * executable is missing, 128 + n when LAMMPS was killed by signal n, 130 for Ctrl-C).
 * @example process.exitCode = await lammpsCommand(['-in', 'in.lammps'], { stdout: process.stdout, stderr: process.stderr });
 */
export async function lammpsCommand(args: readonly string[], io: CliStreams, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const exe = lammpsExecutable(env);
  if (!existsSync(exe)) {
    io.stderr.write(
      env['E3MD_LAMMPS_EXE']
        ? `e3md lammps: E3MD_LAMMPS_EXE=${exe} does not exist\n`
        : `e3md lammps: LAMMPS with pair_style e3md is not built yet (${exe}): run \`npm run build:lammps\` (needs Debian's lammps, liblammps-dev, libfmt-dev and g++)\n`,
    );
    return EXIT.badInput;
  }
  const rank = mpiRank(env);
  const log = (m: string): void => void io.stderr.write(`e3md lammps [rank ${rank}]: ${m}\n`);
  const child = spawn(exe, args, { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env: { ...env, E3MD_LAMMPS_FD: '3' } });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e) => {
      log(`cannot start ${exe}: ${e.message}`);
      resolve(EXIT.failed);
    });
    child.on('exit', (code, signal) => {
      if (signal) resolve(signal === 'SIGINT' ? EXIT.interrupted : 128 + (SIGNAL_NUMBERS[signal] ?? 0));
      else resolve(code ?? EXIT.failed);
    });
  });
  const socket = child.stdio[3] as Duplex | null;
  const served = socket ? serveModel(socket, { log }) : Promise.resolve(null);
  const [code, stats] = await Promise.all([exited, served]);
  for (const s of signals) process.off(s, forward);
  const statsPath = env['E3MD_LAMMPS_STATS'];
  if (statsPath && stats) writeStats(statsPath.replaceAll('{rank}', String(rank)), rank, stats, log);
  return code;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15, SIGABRT: 6 };

function writeStats(path: string, rank: number, stats: ModelServerStats, log: (m: string) => void): void {
  try {
    // maxRSS is in KiB: the server's peak memory (model session, graph buffers), not LAMMPS's.
    writeFileSync(path, `${JSON.stringify({ rank, max_rss_bytes: process.resourceUsage().maxRSS * 1024, ...stats })}\n`);
  } catch (e) {
    log(`cannot write E3MD_LAMMPS_STATS ${path}: ${(e as Error).message}`);
  }
}

/**
 * Registers `e3md lammps` on `program`, for `e3md --help` and `e3md help lammps`. `main` hands
 * `e3md lammps …` to {@link lammpsCommand} before commander parses anything, so that LAMMPS's
 * own flags (`-h`, `-var`, `-in`) are never read as e3md's.
 */
export function registerLammpsCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('lammps')
    .summary('run LAMMPS (MPI) with pair_style e3md: any e3md ONNX potential inside LAMMPS')
    .description(
      'Runs LAMMPS with `pair_style e3md` available; every argument is passed to LAMMPS. In the input: ' +
      '`units metal`, `newton on` (the default), `pair_style e3md [threads N] [device D] [graph auto|periodic|ghosts]` and ' +
      '`pair_coeff * * model.onnx O H` (the element of each LAMMPS type). Build the LAMMPS executable once with ' +
      '`npm run build:lammps`. Under MPI: `mpirun -np N npx e3md lammps -in in.lammps`. The exit code is LAMMPS\'s.',
    )
    .argument('[lammps-arguments...]', 'LAMMPS command-line arguments, e.g. -in in.lammps -var T 300')
    .helpOption(false)
    .allowUnknownOption()
    .addHelpText('after', '\nExamples (LAMMPS reads paths relative to where it runs):\n  npm run build:lammps\n  cd examples/lammps && npx e3md lammps -in in.water\n  cd examples/lammps && mpirun -np 2 npx e3md lammps -in in.water\n')
    .action(async (args: string[]) => {
      setExit(await lammpsCommand(args, io));
    });
}
