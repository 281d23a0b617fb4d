/**
 * `e3md relax input.json`: minimise the energy of the structure (and, with `"cell": true`, the
 * enthalpy of its cell at `pressure_bar`) with FIRE or L-BFGS. The input is checked in full before
 * any output is opened; the path goes to the `trajectory` files (its last frame is the relaxed
 * structure, so it can be the `structure` of the next run), the log to the table and `thermo.path`.
 * Exit codes: 0 converged, 1 not converged within max_steps or the energy became NaN/∞,
 * 2 bad input, 130 interrupted (Ctrl-C: the step in progress finishes and is written first).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Observer, Potential, System } from '../engine/index.js';
import { cellForceToBar, createDcdTrajectory, createExtxyzTrajectory, createRelaxLog, InputError, loadRunSpec, type RelaxLog, type RunSpec } from '../io/index.js';
import { relax, RelaxFailedError, type RelaxResult } from '../optimize/index.js';
import { buildPotential, displayPath, loadSystem } from './prepare.js';
import { EXIT, stopAfterStepOnCtrlC, type CliStreams } from './exit-codes.js';

/** `e3md relax` options from the command line. */
export interface RelaxCommandOptions {
  /** Override relax.max_steps. */
  maxSteps?: number;
  /** onnxruntime intra-op threads (overrides `potential.threads`). */
  threads?: number;
  /** No table or summary on stdout; errors still go to stderr. */
  quiet?: boolean;
}

/** A validated relaxation, ready to open its outputs. */
interface PreparedRelax {
  spec: RunSpec & { relax: NonNullable<RunSpec['relax']> };
  system: System;
  potential: Potential;
  notes: string[];
}

async function prepareRelax(inputPath: string, options: RelaxCommandOptions): Promise<PreparedRelax> {
  const spec = loadRunSpec(inputPath);
  if (!spec.relax) throw spec.keyError(['integrator'], 'this input describes MD ("integrator"); run it with e3md run, or give "relax" in place of "integrator" to relax the structure');
  const notes: string[] = [];
  const { system } = loadSystem(spec, notes, (spec.parallel?.workers ?? 1) > 1);
  const r = spec.relax;
  if (r.cell && (!system.box.isPeriodic || !(system.box.volume > 0))) {
    throw spec.keyError(['relax', 'cell'], `a cell relaxation needs a cell periodic along a, b and c, but ${displayPath(spec.structure)} has pbc="${system.box.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}"`);
  }
  if (!spec.trajectory.some((t) => t.format === 'extxyz')) notes.push('no .xyz/.extxyz trajectory is configured: the relaxed structure will not be saved');
  if (options.maxSteps !== undefined) r.max_steps = options.maxSteps;
  const potential = await buildPotential(spec, system, notes, options.threads);
  return { spec: spec as PreparedRelax['spec'], system, potential, notes };
}

/**
 * Runs `e3md relax` and returns its exit code (bad input: one message on stderr, 2).
 *
 * @example
 * const code = await relaxCommand('examples/water-box/relax.json', {}, { stdout: process.stdout, stderr: process.stderr });
 */
export async function relaxCommand(inputPath: string, options: RelaxCommandOptions, io: CliStreams): Promise<number> {
  let prepared: PreparedRelax;
  try {
    prepared = await prepareRelax(inputPath, options);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr.write(`e3md: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
  const { spec, system, potential, notes } = prepared;
  for (const note of notes) io.stderr.write(`e3md: note: ${note}\n`);
  const r = spec.relax;
  const quiet = options.quiet === true;
  const print = quiet ? undefined : (line: string): void => void io.stdout.write(`${line}\n`);
  const periodic = !system.box.isOpen && system.box.volume > 0;

  const observers: Observer[] = [];
  let log: RelaxLog | null = null;
  try {
    for (const p of [spec.thermo?.path, ...spec.trajectory.map((t) => t.path)]) if (p) mkdirSync(dirname(p), { recursive: true });
    log = createRelaxLog({ every: spec.thermo?.every ?? Math.max(1, Math.round(r.max_steps / 20)), csvPath: spec.thermo?.path, print, periodic, cell: r.cell });
    for (const t of spec.trajectory) {
      // A DCD has one frame interval; relaxation steps stand in for time steps of 1 fs.
      observers.push(t.format === 'dcd' ? createDcdTrajectory({ path: t.path, every: t.every }, { natoms: system.n, timestep_fs: 1 }) : createExtxyzTrajectory({ path: t.path, every: t.every }));
    }
  } catch (e) {
    log?.close();
    for (const o of observers) await o.close?.();
    await potential.dispose?.();
    const fsError = e as NodeJS.ErrnoException;
    if (fsError.code && fsError.path) {
      io.stderr.write(`e3md: ${displayPath(fsError.path)}: cannot open output file (${fsError.code})\n`);
      return EXIT.badInput;
    }
    throw e;
  }

  if (!quiet) {
    const target = r.cell ? ` and the cell at ${r.pressure_bar} bar` : '';
    io.stdout.write(`e3md relax ${displayPath(spec.inputPath)}: ${system.n} atoms, ${potential.name}, ${r.method}, positions${target}, until max|F| < ${r.fmax_eV_A} eV/Å${r.cell ? ' (and the cell force per atom < the same, in eV)' : ''} or ${r.max_steps} steps\n`);
  }
  let result: RelaxResult;
  const t0 = performance.now();
  const ctrlC = stopAfterStepOnCtrlC(io);
  try {
    result = await relax(system, potential, { ...r, skin_A: spec.neighbor.skin_A }, { observers, onStep: (s, last) => log!.row(s, last), signal: ctrlC.signal });
  } catch (e) {
    if (e instanceof RelaxFailedError) {
      io.stderr.write(`e3md: ${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  } finally {
    ctrlC.release();
    log.close();
    for (const o of observers) await o.close?.();
    await potential.dispose?.();
  }
  const wall_s = (performance.now() - t0) / 1000;
  const saved = spec.trajectory.filter((t) => t.format === 'extxyz').map((t) => displayPath(t.path));
  const where = saved.length ? `; the relaxed structure is the last frame of ${saved.join(', ')}` : '';
  const cell = r.cell
    ? `, cell force ${result.cellForce_eV.toExponential(2)} eV/atom (stress deviation ${cellForceToBar(result.cellForce_eV, system.n, system.box.volume).toFixed(2)} bar), P ${result.pressure_bar.toFixed(2)} bar, V ${system.box.volume.toFixed(3)} Å³, a b c ${cellLengths(system)}`
    : '';
  const summary = `E ${result.energy_eV.toFixed(8)} eV (${(result.energy_eV / system.n).toFixed(8)} eV/atom), max|F| ${result.fmax_eV_A.toExponential(2)} eV/Å${cell}; ${result.steps} steps, ${result.evaluations} force evaluations, ${wall_s.toFixed(2)} s`;
  if (result.aborted) {
    io.stderr.write(`e3md: interrupted at relaxation step ${result.steps}: ${summary}${where}\n`);
    return EXIT.interrupted;
  }
  if (!result.converged) {
    io.stderr.write(`e3md: not converged after ${result.steps} steps (relax.max_steps): ${summary}${where}\n`);
    return EXIT.failed;
  }
  if (!quiet) io.stdout.write(`converged: ${summary}${where}\n`);
  return EXIT.ok;
}

function cellLengths(system: System): string {
  const p = system.box.cellParameters();
  return `${p.a_A.toFixed(5)} ${p.b_A.toFixed(5)} ${p.c_A.toFixed(5)} Å`;
}
