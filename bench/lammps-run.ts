/**
 * Running LAMMPS with pair_style e3md from benchmarks and tests: building the executable, finding
 * mpirun, launching `e3md lammps` on 1 or more ranks and reading what the input scripts print.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** The repository root, from sources (bench/) or compiled (dist/bench/). */
export const ROOT = repoRoot();
const BIN = join(ROOT, 'bin', 'e3md.js');

/** Builds lammps/build/e3md-lammps; null when built, else why it cannot be (missing Debian packages). A broken build throws. */
export function buildLammps(): string | null {
  const r = spawnSync('bash', [join(ROOT, 'lammps', 'build.sh')], { encoding: 'utf8' });
  if (r.status === 0) return null;
  if (r.status === 2) return r.stderr.trim();
  throw new Error(`lammps/build.sh failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}

/** Whether `mpirun` (Open MPI or MPICH) is on PATH. */
export function hasMpirun(): boolean {
  return spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Environment for mpirun: Open MPI refuses to run as root (CI runs as root) unless told twice. */
const MPI_ENV = { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1', OMPI_MCA_rmaps_base_oversubscribe: '1' };

export interface LammpsResult { code: number | null; stdout: string; stderr: string }

/**
 * Runs `e3md lammps <args>` in `cwd`, on `ranks` MPI ranks (1: no mpirun). Resolves when it ends.
 * @example const r = await runLammps(['-in', 'in.test'], dir, 2);
 */
export function runLammps(args: readonly string[], cwd: string, ranks = 1, env: Record<string, string> = {}): Promise<LammpsResult> {
  const argv = ranks === 1 ? [process.execPath, BIN, 'lammps', ...args] : ['mpirun', '-np', String(ranks), process.execPath, BIN, 'lammps', ...args];
  // Open MPI 4.1's launchers race for one session folder (/tmp/ompi.HOST.UID) when started together: one each.
  const session = mkdtempSync(join(tmpdir(), 'e3md-ompi-'));
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { ...process.env, ...MPI_ENV, OMPI_MCA_orte_tmpdir_base: session, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => {
      rmSync(session, { recursive: true, force: true });
      done({ code, stdout, stderr });
    });
  });
}

/** The lines `print "E3MD <tag> v1 v2 …"` wrote, by tag. */
export function printedValues(stdout: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of stdout.split('\n')) {
    const m = /^E3MD (\S+) (.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!.trim().split(/\s+/).map(Number));
  }
  return out;
}

/** A LAMMPS custom dump's atom rows (after `ITEM: ATOMS`), sorted by the first column (id). */
export function readDumpRows(text: string): number[][] {
  const lines = text.trim().split('\n');
  const at = lines.findIndex((l) => l.startsWith('ITEM: ATOMS'));
  return lines.slice(at + 1).map((l) => l.trim().split(/\s+/).map(Number)).sort((a, b) => a[0]! - b[0]!);
}

/** LAMMPS's metal-units factor from virial/volume (eV/Å³) to pressure (bar): force->nktv2p. */
export const NKTV2P_METAL = 1.6021765e6;


/** Every "Loop time of T on P procs for N steps" line: wall seconds of each `run`, without its setup. */
export function loopTimes(stdout: string): { seconds: number; procs: number; steps: number }[] {
  return [...stdout.matchAll(/Loop time of (\S+) on (\d+) procs for (\d+) steps/g)].map((m) => ({ seconds: Number(m[1]), procs: Number(m[2]), steps: Number(m[3]) }));
}
