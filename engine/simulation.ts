/**
 * The run loop (DESIGN.md §1): neighbor list → potential → integrator, with observers at step 0
 * and every `every` steps. The loop allocates nothing per step: the force callback, the force
 * output and the frame are made once; promises appear only for asynchronous potentials and
 * observers (the ONNX potential's call allocates a few KB of small objects, no buffers:
 * bench/onnx-allocation.ts; an NPT integrator makes one small Box per step: boxes are immutable).
 * When the integrator changes the cell, the neighbor list follows it, and is rebuilt only once
 * the deformation and the atoms' own motion could have brought an unlisted pair within the cutoff.
 */
import type { Integrator } from './integrator.js';
import type { ForceOutput, Potential } from './potential.js';
import type { Frame, Observer, SimulationState } from './observer.js';
import type { System } from './system.js';
import { degreesOfFreedom, kineticEnergy, pressureOf, pressureTensor, temperatureOf } from './thermo.js';
import { createVerletList, type VerletList, type VerletListOptions } from './verlet-list.js';

/** Everything a simulation is made of. */
export interface SimulationOptions {
  /** The system to integrate; its arrays are updated in place. */
  system: System;
  potential: Potential;
  integrator: Integrator;
  /** Verlet skin (default 1.0 Å) and rebuild policy (default: skin/2 test every step). */
  neighbor?: { skin_A?: number; rebuild?: VerletListOptions['rebuild'] };
  observers?: readonly Observer[];
  /** Continue from a checkpoint instead of from `system`'s current state. */
  restart?: SimulationState;
}

/** Per-run options. */
export interface RunOptions {
  /** Called after every step; cheap callers only (a progress bar that redraws a few times a second). */
  onProgress?: (step: number, untilStep: number) => void;
  /**
   * Stops the run cleanly after the current step (Ctrl-C); the summary then has `aborted: true`.
   * While a signal is given the loop yields to the event loop about every 100 ms, so that signal
   * handlers and timers run even with a synchronous potential.
   */
  signal?: AbortSignal;
}

/** What a finished (or aborted) run reports. */
export interface RunSummary {
  /** Step the run started from and the step it reached. */
  fromStep: number;
  toStep: number;
  /** Wall time of the stepping loop, s (excludes the initial force evaluation). */
  wall_s: number;
  stepsPerSecond: number;
  /** Atoms × steps / s, the usual MD throughput figure. */
  atomStepsPerSecond: number;
  /** Neighbor-list builds during this run (including an initial one). */
  neighborBuilds: number;
  aborted: boolean;
}

/** A running simulation. */
export interface Simulation {
  readonly system: System;
  /** Steps done so far. */
  readonly step: number;
  readonly neighbors: VerletList;
  /**
   * Runs until `untilStep` steps are done in total (a restart from step 100 with untilStep 200 runs
   * 100 steps). The first call evaluates forces and, for a fresh run, observes step 0.
   * Rejects with a NonFiniteEnergyError when the energy becomes NaN or infinite, after giving
   * observers the last good frame (`Observer.flush`).
   *
   * @example
   * const sim = createSimulation({ system, potential, integrator: velocityVerlet({ timestep_fs: 2 }), observers: [thermo] });
   * await sim.run(1000);
   * await sim.close();
   */
  run(untilStep: number, options?: RunOptions): Promise<RunSummary>;
  /** The current frame (forces are evaluated first if no run has started). */
  frame(): Promise<Frame>;
  /** A checkpoint of the current state (copies). */
  state(): SimulationState;
  /** Closes every observer and disposes of nothing else (the potential belongs to the caller). */
  close(): Promise<void>;
}

/**
 * Positions beyond this (Å) mean the system blew up (a time step far too large, wrong forces): no
 * neighbor search or periodic wrap is meaningful out there, float64 loses the cell's scale.
 */
export const BLOW_UP_DISTANCE_A = 1e8;

/** Index of the first atom with a non-finite coordinate or one beyond BLOW_UP_DISTANCE_A, or −1. */
function firstWildAtom(a: Float64Array): number {
  for (let k = 0; k < a.length; k++) if (!(Math.abs(a[k]!) <= BLOW_UP_DISTANCE_A)) return Math.floor(k / 3);
  return -1;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The energy became NaN or infinite, or the atoms flew apart: the run stopped at `step`. */
export class NonFiniteEnergyError extends Error {
  /** @param why what happened instead of the default "the potential energy became NaN". */
  constructor(readonly step: number, readonly energy_eV: number, why?: string) {
    super(`${why ?? `the potential energy became ${energy_eV}`} at step ${step}; stopping (the last finite step is ${step - 1})`);
    this.name = 'NonFiniteEnergyError';
  }
}

/**
 * A step failed with an error (a worker of a decomposed potential died, onnxruntime failed): the
 * run stopped at `step`, after observers were given the last good frame (`Observer.flush`).
 */
export class StepFailedError extends Error {
  constructor(readonly step: number, override readonly cause: unknown) {
    super(`step ${step} failed: ${cause instanceof Error ? cause.message : String(cause)}; stopping (the last good step is ${step - 1})`);
    this.name = 'StepFailedError';
  }
}

/** Builds a simulation from a system, a potential, an integrator and observers. */
export function createSimulation(options: SimulationOptions): Simulation {
  const { system, potential, integrator } = options;
  const observers = options.observers ?? [];
  for (const o of observers) {
    if (!Number.isInteger(o.every) || o.every < 1) throw new Error(`createSimulation: an observer has every = ${o.every}; it must be a positive integer`);
  }
  const skin_A = options.neighbor?.skin_A ?? 1.0;
  const listOptions: VerletListOptions = { cutoff_A: potential.cutoff_A, skin_A, kind: potential.neighborKind, rebuild: options.neighbor?.rebuild };
  const neighbors = potential.createNeighbors?.(listOptions) ?? createVerletList(listOptions);
  const n = system.n;
  const dt = integrator.timestep_fs;
  const dof = degreesOfFreedom(n, integrator.conservesMomentum);
  const out: ForceOutput = { energy_eV: 0, forces: system.forces, virial: new Float64Array(9) };
  integrator.init(system, out);

  let step = 0;
  let started = false;
  let blowUp: string | undefined;
  const images = new Int32Array(3 * n);
  let stepsSinceBuild = 0;
  const restart = options.restart;
  if (restart) applyState(restart);

  // Snapshot of the previous step, kept only when some observer wants the last good frame.
  const keepLastGood = observers.some((o) => o.flush);
  const last = keepLastGood
    ? {
      positions: new Float64Array(3 * n), velocities: new Float64Array(3 * n), forces: new Float64Array(3 * n), images: new Int32Array(3 * n),
      virial: new Float64Array(9), energy_eV: 0, box: system.box, extended_eV: 0,
    }
    : null;

  // Positions are wrapped only here, at a build: between builds the list's shifts assume they move continuously.
  const rebuildNeighbors = (): void => {
    system.box.wrap(system.positions, images);
    neighbors.build(system.positions, system.box);
    stepsSinceBuild = 0;
  };

  const computeForces = (): void | Promise<void> => {
    stepsSinceBuild++;
    if (neighbors.needsRebuild(system.positions, system.box, stepsSinceBuild)) {
      // Atoms at infinity or flung far away (a blow-up) make the list impossible: report it as a
      // non-finite energy, so the loop stops with the step named and the last good frame written.
      const wild = firstWildAtom(system.positions);
      if (wild >= 0 || firstWildAtom(system.box.cell) >= 0) {
        blowUp = wild >= 0
          ? `the system blew up (atom ${wild + 1} is at (${Array.from(system.positions.subarray(3 * wild, 3 * wild + 3), (x) => x.toPrecision(3)).join(', ')}) Å: the time step is too large, or the forces are wrong)`
          : 'the cell blew up (a lattice vector became huge or non-finite: the barostat is too fast, or the forces are wrong)';
        out.energy_eV = NaN;
        return;
      }
      rebuildNeighbors();
    } else if (system.box !== neighbors.box) {
      // The cell moved (NPT) but not enough to invalidate the pairs: only the image shifts change.
      neighbors.followBox(system.box);
    }
    return potential.compute(system, neighbors.list!, out);
  };

  const frame: Frame = {
    step: 0, time_fs: 0, system, images, potentialEnergy_eV: 0, kineticEnergy_eV: 0, totalEnergy_eV: 0,
    temperature_K: 0, virial: out.virial, pressure_bar: 0, pressureTensor_bar: new Float64Array(9), conservedEnergy_eV: NaN,
    state: () => snapshot(),
  };

  function applyState(s: SimulationState): void {
    if (s.positions.length !== 3 * n || s.velocities.length !== 3 * n) {
      throw new Error(`restart: the checkpoint holds ${s.positions.length / 3} atoms, the system ${n}`);
    }
    if (s.neighborReference.length !== 3 * n) throw new Error(`restart: neighborReference has ${s.neighborReference.length} entries, expected 3 × ${n}`);
    system.positions.set(s.positions);
    system.velocities.set(s.velocities);
    system.box = s.box;
    if (s.images && s.images.length === 3 * n) images.set(s.images);
    if (s.integrator) integrator.restoreState(s.integrator);
    step = s.step;
  }

  function snapshot(): SimulationState {
    return {
      step,
      positions: Float64Array.from(system.positions),
      velocities: Float64Array.from(system.velocities),
      box: system.box,
      integrator: integrator.saveState(),
      images: Int32Array.from(images),
      neighborReference: Float64Array.from(neighbors.reference),
      neighborReferenceBox: neighbors.referenceBox ?? system.box,
    };
  }

  /** `extended_eV`: the integrator's extended-system energy at this frame (NaN when it has none). */
  function fillFrame(f: Frame, s: System, energy_eV: number, virial: Float64Array, atStep: number, extended_eV: number): Frame {
    const ke = kineticEnergy(s);
    f.step = atStep;
    f.time_fs = atStep * dt;
    f.system = s;
    f.potentialEnergy_eV = energy_eV;
    f.kineticEnergy_eV = ke;
    f.totalEnergy_eV = energy_eV + ke;
    f.temperature_K = temperatureOf(ke, dof);
    f.virial = virial;
    f.pressure_bar = pressureOf(ke, virial, s.box);
    pressureTensor(s, virial, f.pressureTensor_bar);
    f.conservedEnergy_eV = energy_eV + ke + extended_eV;
    return f;
  }

  const extendedEnergy = (): number => (integrator.extendedEnergy ? integrator.extendedEnergy(system) : NaN);

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    // A restart rebuilds the list from the checkpoint's reference positions in the reference box:
    // same pairs, same order; then the shifts follow the cell to where it has moved since.
    if (restart) {
      neighbors.build(restart.neighborReference, restart.neighborReferenceBox);
      if (system.box !== restart.neighborReferenceBox) neighbors.followBox(system.box);
      stepsSinceBuild = 0;
    } else rebuildNeighbors();
    const pending = potential.compute(system, neighbors.list!, out);
    if (pending) await pending;
    if (!Number.isFinite(out.energy_eV)) throw new NonFiniteEnergyError(step, out.energy_eV);
    if (!restart) await observe(0, true);
  }

  function isObserved(atStep: number): boolean {
    for (let k = 0; k < observers.length; k++) if (atStep % observers[k].every === 0) return true;
    return false;
  }

  async function observe(atStep: number, all: boolean): Promise<void> {
    let filled = false;
    for (const o of observers) {
      if (!all && atStep % o.every !== 0) continue;
      if (!filled) fillFrame(frame, system, out.energy_eV, out.virial, atStep, extendedEnergy()), (filled = true);
      const r = o.observe(frame);
      if (r) await r;
    }
  }

  async function stopOnNonFinite(): Promise<never> {
    await flushLastGood(step);
    throw new NonFiniteEnergyError(step, out.energy_eV, blowUp);
  }

  /** Gives observers that want it the frame before `badStep` (kept in `last`). */
  async function flushLastGood(badStep: number): Promise<void> {
    if (last) {
      const lastSystem: System = { ...system, positions: last.positions, velocities: last.velocities, forces: last.forces, box: last.box };
      const lastFrame: Frame = {
        ...frame, images: last.images, pressureTensor_bar: new Float64Array(9),
        state: () => ({ ...snapshot(), step: badStep - 1, positions: last.positions.slice(), velocities: last.velocities.slice(), images: last.images.slice(), box: last.box }),
      };
      fillFrame(lastFrame, lastSystem, last.energy_eV, last.virial, badStep - 1, last.extended_eV);
      for (const o of observers) {
        if (!o.flush || (badStep - 1) % o.every === 0) continue;
        const r = o.flush(lastFrame);
        if (r) await r;
      }
    }
  }

  async function run(untilStep: number, runOptions: RunOptions = {}): Promise<RunSummary> {
    if (!Number.isInteger(untilStep) || untilStep < 0) throw new Error(`Simulation.run: untilStep must be a non-negative integer, got ${untilStep}`);
    const buildsBefore = neighbors.builds;
    await start();
    const fromStep = step;
    if (untilStep < step) throw new Error(`Simulation.run: already at step ${step}, cannot run until step ${untilStep}`);
    const { onProgress, signal } = runOptions;
    let aborted = false;
    const t0 = performance.now();
    let lastYield = t0;
    while (step < untilStep) {
      // With a signal, let the event loop run ~10 times a second so a SIGINT handler can abort;
      // without one, a synchronous run never leaves this loop (no cost, no allocation).
      if (signal && (step & 15) === 0 && performance.now() - lastYield > 100) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      if (last) {
        last.positions.set(system.positions);
        last.velocities.set(system.velocities);
        last.forces.set(system.forces);
        last.images.set(images);
        last.virial.set(out.virial);
        last.energy_eV = out.energy_eV;
        last.box = system.box;
        last.extended_eV = extendedEnergy();
      }
      try {
        const pending = integrator.step(system, computeForces);
        if (pending) await pending;
      } catch (e) {
        // Positions have moved but forces are half-made: the state before this step is the last good one.
        await flushLastGood(step + 1);
        throw new StepFailedError(step + 1, e);
      }
      step++;
      if (!Number.isFinite(out.energy_eV)) await stopOnNonFinite();
      if (isObserved(step)) await observe(step, false);
      if (onProgress) onProgress(step, untilStep);
    }
    const wall_s = (performance.now() - t0) / 1000;
    const steps = step - fromStep;
    return {
      fromStep,
      toStep: step,
      wall_s,
      stepsPerSecond: steps / wall_s,
      atomStepsPerSecond: (steps * n) / wall_s,
      neighborBuilds: neighbors.builds - buildsBefore,
      aborted,
    };
  }

  return {
    system,
    get step() { return step; },
    neighbors,
    run,
    async frame() {
      await start();
      return fillFrame(frame, system, out.energy_eV, out.virial, step, extendedEnergy());
    },
    state: snapshot,
    async close() {
      for (const o of observers) {
        const r = o.close?.();
        if (r) await r;
      }
    },
  };
}
