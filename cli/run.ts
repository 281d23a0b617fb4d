/**
 * `e3md run input.json`: validate everything, open the outputs, integrate, report; exits with
 * cli/exit-codes.ts's codes (130 when interrupted: a checkpoint is written first when one is
 * configured).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Observer, createSimulation, NonFiniteEnergyError, StepFailedError, type Simulation } from '../engine/index.js';
import { createCheckpointObserver, type CheckpointObserver, InputError, OutputError, createThermoLog, createDcdTrajectory, createExtxyzTrajectory, loadRunSpec } from '../io/index.js';
import { EXIT, stopAfterStepOnCtrlC, type CliStreams } from './exit-codes.js';
import { displayPath, prepareRun, type PreparedRun } from './prepare.js';
import { createProgressBar, type ProgressBar } from './progress.js';
import { runReplicas } from './replicas.js';
import { noteLine, type RunCommandOptions } from './run-types.js';

export { noteLine, type RunCommandOptions } from './run-types.js';

/**
 * Runs the `run` command and returns its exit code (never throws for bad input: it prints one
 * message on stderr and returns 2).
 *
 * @example
 * const code = await runCommand('examples/argon/input.json', { steps: 100 }, { stdout: process.stdout, stderr: process.stderr });
 */
export async function runCommand(inputPath: string, options: RunCommandOptions, io: CliStreams): Promise<number> {
  let prepared: PreparedRun;
  try {
    const replicas = loadRunSpec(inputPath).replicas ?? 1;
    if (replicas > 1) return await runReplicas(inputPath, replicas, options, io, runPrepared);
    prepared = await prepareRun(inputPath, { steps: options.steps, restartPath: options.restart, threads: options.threads, workers: options.workers });
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr.write(`e3md: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }
  for (const note of prepared.notes) io.stderr.write(`${noteLine(note)}\n`);
  return runPrepared(prepared, options, io);
}

/**
 * Opens the outputs of a prepared run, integrates and reports; returns the exit code. The
 * potential is disposed of at the end.
 */
export async function runPrepared(prepared: PreparedRun, options: RunCommandOptions, io: CliStreams): Promise<number> {
  const { spec, system, potential, integrator, untilStep, restart, thermoColumns } = prepared;
  const fromStep = restart?.state.step ?? 0;
  const quiet = options.quiet === true;
  const bar: ProgressBar | null = !quiet && io.stdout.isTTY === true ? createProgressBar(io.stdout as Parameters<typeof createProgressBar>[0], fromStep, untilStep) : null;
  const print = quiet ? undefined : (line: string): void => void (bar ? bar.print(line) : io.stdout.write(`${line}\n`));

  // Everything is validated: from here on files are opened (restarts cut them back first).
  const keepThroughStep = restart ? fromStep : undefined;
  const observers: Observer[] = [];
  let checkpoint: CheckpointObserver | null = null;
  // Every output is created (under its temporary name) or opened here, before step 0, so an
  // unwritable folder or a full disk is reported now rather than at the first checkpoint.
  try {
    const outputs = [spec.thermo?.path, spec.checkpoint?.path, ...spec.trajectory.map((t) => t.path)];
    for (const p of outputs) {
      if (!p) continue;
      try {
        mkdirSync(dirname(p), { recursive: true });
      } catch (e) {
        throw new OutputError(displayPath(dirname(p)), e, 'create the folder');
      }
    }
    observers.push(createThermoLog({
      every: spec.thermo?.every ?? defaultThermoEvery(untilStep), csvPath: spec.thermo?.path, print, keepThroughStep,
      displayPath: spec.thermo?.path && displayPath(spec.thermo.path), columns: thermoColumns,
    }));
    // Per-atom energies, from potentials that have them (the ONNX contract's atomic_energy).
    const atomicEnergies = (): Float64Array | undefined => (potential as { lastAtomicEnergy?: Float64Array }).lastAtomicEnergy;
    for (const t of spec.trajectory) {
      const common = { path: t.path, every: t.every, keepThroughStep, displayPath: displayPath(t.path), atomicEnergies };
      observers.push(t.format === 'dcd'
        ? createDcdTrajectory(common, { natoms: system.n, timestep_fs: integrator.timestep_fs })
        : createExtxyzTrajectory(common));
    }
    if (spec.checkpoint) {
      checkpoint = createCheckpointObserver({
        path: spec.checkpoint.path, every: spec.checkpoint.every, displayPath: displayPath(spec.checkpoint.path),
        integrator: { name: integrator.name, timestep_fs: integrator.timestep_fs }, startStep: restart ? fromStep : undefined,
      });
      observers.push(checkpoint);
    }
  } catch (e) {
    for (const o of observers) await o.close?.();
    await potential.dispose?.();
    if (e instanceof InputError || e instanceof OutputError) {
      io.stderr.write(`e3md: ${e.message}\n`);
      return EXIT.badInput;
    }
    throw e;
  }

  if (!quiet) {
    const what = restart ? `continuing from step ${fromStep} (${displayPath(prepared.restartPath ?? options.restart!)})` : 'starting at step 0';
    const provider = (potential as { provider?: string }).provider;
    const workers = (potential as { workers?: number }).workers;
    io.stdout.write(`e3md run ${displayPath(spec.inputPath)}: ${system.n} atoms, ${potential.name}${provider ? ` (${provider})` : ''}${workers ? ` on ${workers} worker${workers > 1 ? 's' : ''}` : ''}, ${integrator.name} ${integrator.timestep_fs} fs, ${what} to step ${untilStep}\n`);
  }

  let sim: Simulation;
  try {
    sim = createSimulation({ system, potential, integrator, neighbor: { skin_A: spec.neighbor.skin_A }, observers, restart: restart?.state });
  } catch (e) {
    for (const o of observers) await o.close?.();
    await potential.dispose?.();
    throw e;
  }
  // First Ctrl-C: finish the step, checkpoint, exit 130; a second ends the process at once (files
  // stay valid: DCD counts only whole frames, checkpoints are renamed into place).
  const ctrlC = stopAfterStepOnCtrlC(io);
  try {
    const summary = await sim.run(untilStep, { signal: ctrlC.signal, onProgress: bar ? (s) => bar.update(s) : undefined });
    bar?.clear();
    // A checkpoint at the last step too, so `--restart` (with larger --steps) can extend the run.
    checkpoint?.write(system, sim.state());
    if (summary.aborted) {
      io.stderr.write(`e3md: interrupted at step ${summary.toStep}${checkpoint ? `; checkpoint written to ${displayPath(spec.checkpoint!.path)}` : ''}\n`);
      return EXIT.interrupted;
    }
    if (!quiet) {
      const steps = summary.toStep - summary.fromStep;
      io.stdout.write(
        `done: ${steps} steps in ${summary.wall_s.toFixed(2)} s (${summary.stepsPerSecond.toFixed(0)} steps/s, ` +
        `${summary.atomStepsPerSecond.toExponential(2)} atom-steps/s, ${summary.neighborBuilds} neighbor-list builds)\n`,
      );
    }
    return EXIT.ok;
  } catch (e) {
    bar?.clear();
    if (e instanceof NonFiniteEnergyError || e instanceof StepFailedError) {
      const kept = [spec.thermo?.path, ...spec.trajectory.filter((t) => t.format === 'extxyz').map((t) => t.path)].filter((p): p is string => !!p);
      io.stderr.write(`e3md: ${e.message}${kept.length ? `; the last good frame (step ${e.step - 1}) is in ${kept.map(displayPath).join(', ')}` : ''}\n`);
      return EXIT.failed;
    }
    if (e instanceof OutputError) {
      // The file that failed was cut back to its last whole record; the others are whole too.
      const last = checkpoint && checkpoint.lastStep >= 0 ? `; the checkpoint of step ${checkpoint.lastStep} is in ${displayPath(spec.checkpoint!.path)} (continue with --restart)` : '';
      io.stderr.write(`e3md: ${e.message} at step ${sim.step}${last}\n`);
      return EXIT.failed;
    }
    throw e;
  } finally {
    ctrlC.release();
    await sim.close();
    await potential.dispose?.();
  }
}

/** Thermo interval when input.json has no `thermo`: about 20 rows per run. */
function defaultThermoEvery(steps: number): number {
  return Math.max(1, Math.round(steps / 20));
}
