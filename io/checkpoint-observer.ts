/** The checkpoint observer: writes a protobuf checkpoint every `every` steps (io/checkpoint.ts). */
import type { Frame, Observer, SimulationState, System } from '../engine/index.js';
import { checkWritable } from './atomic-write.js';
import { writeCheckpoint } from './checkpoint.js';

/** Where and how often to checkpoint, and what identifies the run. */
export interface CheckpointObserverOptions {
  path: string;
  every: number;
  /** Integrator name and timestep, stored so a restart can check it continues the same scheme. */
  integrator: { name: string; timestep_fs: number };
  /** Step the run starts from: its checkpoint already exists, so it is not rewritten. */
  startStep?: number;
  /** How messages name the file (default `path`). */
  displayPath?: string;
}

/** A checkpoint observer that can also be told to write the current state (end of run, Ctrl-C). */
export interface CheckpointObserver extends Observer {
  /** Writes `state` of `system` now (skipped when that step was just written). */
  write(system: System, state: SimulationState): void;
  /** Step of the last checkpoint written, or -1. */
  readonly lastStep: number;
}

/**
 * Makes a checkpoint observer. Writing is atomic (temporary file + rename). A fresh run is
 * checkpointed at step 0 too, so a run that fails before its first `every` can still be restarted;
 * the folder is checked writable when the observer is made (before step 0).
 *
 * @throws OutputError when the checkpoint cannot be created.
 * @example
 * const ckpt = createCheckpointObserver({ path: 'run.ckpt', every: 1000, integrator: { name: 'langevin', timestep_fs: 1 } });
 * // ... after sim.run(): ckpt.write(sim.system, sim.state());
 */
export function createCheckpointObserver(options: CheckpointObserverOptions): CheckpointObserver {
  let lastStep = options.startStep ?? -1;
  checkWritable(options.path, options.displayPath);
  const write = (system: System, state: SimulationState): void => {
    if (state.step === lastStep) return;
    writeCheckpoint(options.path, {
      state,
      typeNames: system.typeNames,
      typeIds: system.typeIds,
      masses: system.masses,
      integrator: options.integrator.name,
      timestep_fs: options.integrator.timestep_fs,
    }, options.displayPath);
    lastStep = state.step;
  };
  return {
    every: options.every,
    get lastStep() { return lastStep; },
    observe(f: Frame) {
      write(f.system, f.state());
    },
    write,
  };
}
