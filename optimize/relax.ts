/**
 * The relaxation driver (`e3md relax`): minimises the energy (or, with the cell, the enthalpy at
 * `pressure_bar`) of a system with FIRE or L-BFGS until every atomic force — and the cell's
 * residual force — is below `fmax_eV_A`, or `max_steps` is reached. Observers see the path as
 * frames (step = optimiser step, time_fs 0), the last one always (through `flush` when it is off
 * their grid); `onStep` sees the measures of every step.
 */
import { createForceOutput, createVerletList, type Frame, type Observer, type Potential, type SimulationState, type System, pressureTensor } from '../engine/index.js';
import { createFire } from './fire.js';
import { createLbfgs } from './lbfgs.js';
import type { OptimizerState } from './objective.js';
import { relaxObjective, type RelaxMeasures } from './relax-objective.js';

/** Options of a relaxation (input.json `"relax"`). */
export interface RelaxOptions {
  /** `fire` or `lbfgs`. */
  method: 'fire' | 'lbfgs';
  /** Converged when max |F_i| < this (eV/Å) and, with the cell, the cell force per atom < this (eV). */
  fmax_eV_A: number;
  /** Optimiser steps at most (≥ 0). */
  max_steps: number;
  /** Relax the cell too (needs a cell periodic along a, b and c). */
  cell: boolean;
  /** Target hydrostatic pressure of the cell relaxation, bar. */
  pressure_bar: number;
  /** Verlet skin of the neighbor list, Å (default 1). */
  skin_A?: number;
}

/** One step of the path. */
export interface RelaxStep extends RelaxMeasures {
  step: number;
  system: System;
}

/** How a relaxation ended. */
export interface RelaxResult extends RelaxMeasures {
  converged: boolean;
  /** Stopped by the signal (Ctrl-C) before converging or reaching max_steps. */
  aborted: boolean;
  /** Optimiser steps taken. */
  steps: number;
  /** Energy/force evaluations (a line search may take several per step). */
  evaluations: number;
}

/** The energy became NaN or infinite during a relaxation. */
export class RelaxFailedError extends Error {
  constructor(readonly step: number, readonly energy_eV: number) {
    super(`the potential energy became ${energy_eV} at relaxation step ${step}; stopping`);
    this.name = 'RelaxFailedError';
  }
}

/**
 * Relaxes `system` in place (positions, and the cell with `cell`; velocities are set to zero).
 *
 * @example
 * const result = await relax(system, potential, { method: 'fire', fmax_eV_A: 0.01, max_steps: 1000, cell: false, pressure_bar: 0 });
 * result.converged; result.energy_eV;
 */
export async function relax(
  system: System, potential: Potential, options: RelaxOptions,
  hooks: { observers?: readonly Observer[]; onStep?: (s: RelaxStep, last: boolean) => void; signal?: AbortSignal } = {},
): Promise<RelaxResult> {
  const { fmax_eV_A, max_steps } = options;
  if (!(fmax_eV_A > 0)) throw new Error(`relax: fmax_eV_A must be > 0, got ${fmax_eV_A}`);
  if (!Number.isInteger(max_steps) || max_steps < 0) throw new Error(`relax: max_steps must be a non-negative integer, got ${max_steps}`);
  if (options.cell && (!system.box.isPeriodic || !(system.box.volume > 0))) {
    throw new Error(`relax: a cell relaxation needs a cell periodic along a, b and c; the structure has pbc="${system.box.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}"`);
  }
  const observers = hooks.observers ?? [];
  system.velocities.fill(0);
  const out = createForceOutput(system.n, system.forces);
  const verlet = createVerletList({ cutoff_A: potential.cutoff_A, skin_A: options.skin_A ?? 1, kind: potential.neighborKind });
  // Positions are never wrapped here: the optimiser's coordinates must move continuously.
  const evaluate = async (): Promise<void> => {
    if (verlet.needsRebuild(system.positions, system.box)) verlet.build(system.positions, system.box);
    else if (system.box !== verlet.box) verlet.followBox(system.box);
    await potential.compute(system, verlet.list!, out);
  };
  const objective = relaxObjective(system, out, evaluate, options);
  const optimizer = options.method === 'lbfgs' ? createLbfgs() : createFire();
  const state: OptimizerState = { x: objective.initial(), energy: 0, gradient: new Float64Array(objective.dim), evaluations: 0 };
  state.energy = await objective.evaluate(state.x, state.gradient);
  state.evaluations = 1;

  const m = objective.measures;
  // No wrapping during a relaxation, so the positions are their own unwrapped positions.
  const images = new Int32Array(3 * system.n);
  const frame: Frame = {
    step: 0, time_fs: 0, system, images, potentialEnergy_eV: 0, kineticEnergy_eV: 0, totalEnergy_eV: 0, temperature_K: 0,
    virial: out.virial, pressure_bar: 0, pressureTensor_bar: new Float64Array(9), conservedEnergy_eV: NaN,
    state: (): SimulationState => ({
      step: frame.step, positions: Float64Array.from(system.positions), velocities: Float64Array.from(system.velocities), box: system.box,
      images: Int32Array.from(images), integrator: null, neighborReference: Float64Array.from(verlet.reference), neighborReferenceBox: verlet.referenceBox ?? system.box,
    }),
  };
  const fill = (step: number): Frame => {
    frame.step = step;
    frame.potentialEnergy_eV = m.energy_eV;
    frame.totalEnergy_eV = m.energy_eV;
    frame.pressure_bar = m.pressure_bar;
    pressureTensor(system, out.virial, frame.pressureTensor_bar);
    return frame;
  };
  const converged = (): boolean => m.fmax_eV_A < fmax_eV_A && (!options.cell || m.cellForce_eV < fmax_eV_A);
  const report = async (step: number, last: boolean): Promise<void> => {
    if (!Number.isFinite(m.energy_eV)) throw new RelaxFailedError(step, m.energy_eV);
    hooks.onStep?.({ step, system, ...m }, last);
    fill(step);
    for (const o of observers) {
      if (step % o.every === 0) await o.observe(frame);
      else if (last) await o.flush?.(frame);
    }
  };

  let step = 0;
  let done = converged();
  await report(0, done || max_steps === 0);
  let aborted = false;
  while (!done && step < max_steps) {
    await optimizer.step(objective, state);
    step++;
    done = converged();
    // Let a signal handler run between steps (a synchronous potential never yields otherwise).
    if (hooks.signal) await new Promise((resolve) => setImmediate(resolve));
    aborted = !done && hooks.signal?.aborted === true;
    await report(step, done || step === max_steps || aborted);
    if (aborted) break;
  }
  return { converged: done, aborted, steps: step, evaluations: state.evaluations, ...m };
}
