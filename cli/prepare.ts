/**
 * Turns an input file (and `--steps`, `--restart`) into everything a run needs — system,
 * potential, integrator, restart state — checking all of it before any output file is touched
 * (DESIGN.md §4): a bad input costs the user one message and leaves their files alone.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { BLOW_UP_DISTANCE_A, createCellList, edgesWithin, Rng, type System } from '../engine/index.js';
import { langevin, maxwellBoltzmann, velocityVerlet } from '../integrators/index.js';
import { type Integrator } from '../engine/index.js';
import { createOnnxPotential, defaultModelThreads, lennardJones } from '../potentials/index.js';
import { deviceProblem, onnxFileProblem } from './model-file.js';
import { type Potential } from '../engine/index.js';
import { readCheckpoint, type Checkpoint, loadRunSpec, type RunSpec, InputError, readStructure, atomLine, systemOfFrame, type XyzFrame, dcdKeepFrames, thermoCsvKeepBytes, extxyzKeepBytes, sameFile } from '../io/index.js';

/** Atoms closer than this (Å) are an input error: almost surely a duplicated atom, and LJ forces there overflow. */
export const MIN_DISTANCE_A = 0.5;

/** Command-line overrides of `e3md run`. */
export interface RunOverrides {
  /** Total steps (overrides input.json `steps`). */
  steps?: number;
  /** Checkpoint to continue from. */
  restartPath?: string;
  /** onnxruntime intra-op threads (overrides `potential.threads`). */
  threads?: number;
}

/** A validated run, ready to open its outputs and start. */
export interface PreparedRun {
  spec: RunSpec;
  system: System;
  potential: Potential;
  integrator: Integrator;
  /** Total steps to reach. */
  untilStep: number;
  /** The checkpoint to continue from, when restarting. */
  restart?: Checkpoint;
  /** Remarks for the user (stderr), e.g. settings accepted but not used yet. */
  notes: string[];
}

/**
 * Reads and checks everything; opens no output file.
 *
 * @throws InputError naming the key, file and line of the first problem found.
 * @example
 * const run = await prepareRun('examples/argon/input.json', { steps: 100 });
 */
export async function prepareRun(inputPath: string, overrides: RunOverrides = {}): Promise<PreparedRun> {
  const spec = loadRunSpec(inputPath);
  const notes: string[] = [];
  if (!existsSync(spec.structure)) throw spec.keyError(['structure'], `structure file ${displayPath(spec.structure)} not found`);
  const frames = readStructure(displayPath(spec.structure), spec.structure_format);
  // Like ase.io.read: a multi-frame file starts from its last frame (continue a trajectory).
  const frame = frames[frames.length - 1];
  if (frames.length > 1) notes.push(`${displayPath(spec.structure)} has ${frames.length} frames; starting from the last one (line ${frame.line})`);
  notes.push(...(frame.remarks ?? []));
  checkCoordinates(frame, displayPath(spec.structure));
  const system = systemOfFrame(frame, displayPath(spec.structure));
  checkOverlaps(system, frame, displayPath(spec.structure));

  if (spec.neighbor.skin_A === 0) notes.push('neighbor.skin_A is 0: the neighbor list is rebuilt at every step');
  if (spec.potential.kind === 'lennard-jones') checkLennardJonesSpecies(spec, system);
  const integrator = buildIntegrator(spec);
  if (spec.parallel && spec.parallel.workers > 1) {
    notes.push(`parallel.workers = ${spec.parallel.workers} is accepted, but domain decomposition is not available yet: running on one thread`);
  }

  const untilStep = overrides.steps ?? spec.steps;
  let restart: Checkpoint | undefined;
  if (overrides.restartPath !== undefined) {
    checkRestartIsNoOutput(spec, overrides.restartPath);
    restart = readCheckpoint(overrides.restartPath);
    checkRestart(restart, system, spec, overrides.restartPath, untilStep, notes);
    checkOutputsContinuable(spec, system.n, integrator.timestep_fs, restart.state.step);
  } else if (spec.initial_velocities) {
    if (frame.velocities?.some((v) => v !== 0)) notes.push(`initial_velocities replaces the velocities in ${displayPath(spec.structure)} (remove it to start from those)`);
    maxwellBoltzmann(system, spec.initial_velocities.temperature_K, new Rng(spec.initial_velocities.seed), { conservesMomentum: integrator.conservesMomentum });
  }
  // Last: an ONNX potential opens a runtime session, which nothing after this could leak.
  const potential = await buildPotential(spec, system, notes, overrides.threads);
  return { spec, system, potential, integrator, untilStep, restart, notes };
}

/** Paths in messages: relative to the working directory when that is shorter. */
export function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && r.length < p.length ? r : p;
}

/**
 * Coordinates far beyond any simulation (a typo such as 1e300, or a blown-up frame) would make the
 * neighbor search meaningless: refuse them, naming the atom's line. The bound is the run loop's
 * own blow-up distance.
 */
function checkCoordinates(frame: XyzFrame, file: string): void {
  const p = frame.positions;
  for (let k = 0; k < p.length; k++) {
    if (Math.abs(p[k]!) > BLOW_UP_DISTANCE_A) {
      const a = Math.floor(k / 3);
      throw new InputError(`atom ${a + 1} (${frame.symbols[a]}) has the coordinate ${'xyz'[k % 3]} = ${p[k]} Å, beyond ±${BLOW_UP_DISTANCE_A} Å (a typo, or a frame of a run that blew up?)`, { file, line: atomLine(frame, a) });
    }
  }
}

/** Fails on the first pair of atoms closer than MIN_DISTANCE_A (periodic images included), via a cell list: O(N). */
function checkOverlaps(system: System, frame: XyzFrame, file: string): void {
  const positions = Float64Array.from(system.positions);
  system.box.wrap(positions);
  const list = createCellList({ radius_A: MIN_DISTANCE_A, kind: 'half' }).build(positions, system.box);
  const close = edgesWithin(list, positions, MIN_DISTANCE_A);
  if (close.nEdges === 0) return;
  // The first close pair in list order, as the message names one.
  const i = close.edgeIndex[0]!, j = close.edgeIndex[close.nEdges]!;
  const d = Math.hypot(...[0, 1, 2].map((k) => positions[3 * j + k]! - positions[3 * i + k]! + close.edgeShift[k]!));
  const [a, b] = i < j ? [i, j] : [j, i];
  const who = a === b ? `atom ${a + 1} is ${d.toFixed(3)} Å from its own periodic image` : `atoms ${a + 1} and ${b + 1} (line ${atomLine(frame, b)}) are ${d.toFixed(3)} Å apart`;
  throw new InputError(`${who}; atoms closer than ${MIN_DISTANCE_A} Å overlap (duplicated atom, or the cell is too small?)`, { file, line: atomLine(frame, a) });
}

function checkLennardJonesSpecies(spec: RunSpec, system: System): void {
  const p = spec.potential;
  if (p.kind !== 'lennard-jones' || !p.species) return;
  const missing = system.typeNames.filter((t) => !Object.prototype.hasOwnProperty.call(p.species, t));
  if (missing.length) {
    const pairs = missing.flatMap((m) => system.typeNames.map((t) => `${t}–${m}`));
    throw spec.keyError(['potential', 'species'], `no parameters for species ${missing.map((m) => `"${m}"`).join(', ')} of ${displayPath(spec.structure)}, so the pairs ${[...new Set(pairs)].join(', ')} have none; add ${missing.map((m) => `"${m}": { "epsilon_eV": …, "sigma_A": … }`).join(', ')}`);
  }
}

async function buildPotential(spec: RunSpec, system: System, notes: string[], threads: number | undefined): Promise<Potential> {
  const p = spec.potential;
  if (p.kind === 'onnx') {
    if (!existsSync(p.model)) throw spec.keyError(['potential', 'model'], `model file ${displayPath(p.model)} not found`);
    const notOnnx = onnxFileProblem(p.model);
    if (notOnnx) throw spec.keyError(['potential', 'model'], `${displayPath(p.model)} ${notOnnx}`);
    let potential: Awaited<ReturnType<typeof createOnnxPotential>>;
    const fallback: string[] = [];
    try {
      potential = await createOnnxPotential({ model: p.model, typeNames: system.typeNames, device: p.device, intraOpThreads: threads ?? p.threads ?? defaultModelThreads(system.n), log: (message) => (/unavailable/.test(message) ? fallback : notes).push(message) });
    } catch (e) {
      throw spec.keyError(['potential', 'model'], (e as Error).message);
    }
    const problem = deviceProblem(p.device, potential.provider, fallback);
    if (problem) {
      await potential.dispose?.();
      throw spec.keyError(['potential', 'device'], problem);
    }
    return potential;
  }
  const all = p.epsilon_eV !== undefined && p.sigma_A !== undefined ? { epsilon_eV: p.epsilon_eV, sigma_A: p.sigma_A } : undefined;
  try {
    return lennardJones({ cutoff_A: p.cutoff_A, shift: p.shift, all, species: p.species }, system.typeNames);
  } catch (e) {
    throw spec.keyError(['potential'], (e as Error).message);
  }
}

function buildIntegrator(spec: RunSpec): Integrator {
  const it = spec.integrator;
  try {
    return it.kind === 'velocity-verlet'
      ? velocityVerlet({ timestep_fs: it.timestep_fs })
      : langevin({ timestep_fs: it.timestep_fs, temperature_K: it.temperature_K, friction_per_ps: it.friction_per_ps, seed: it.seed });
  } catch (e) {
    throw spec.keyError(['integrator'], (e as Error).message);
  }
}

function checkRestart(c: Checkpoint, system: System, spec: RunSpec, file: string, untilStep: number, notes: string[]): void {
  const n = system.n;
  if (c.typeIds.length !== n) throw new InputError(`holds ${c.typeIds.length} atoms, but ${displayPath(spec.structure)} has ${n}`, { file });
  for (let a = 0; a < n; a++) {
    const mine = system.typeNames[system.typeIds[a]], theirs = c.typeNames[c.typeIds[a]];
    if (mine !== theirs) throw new InputError(`atom ${a + 1} is ${theirs} in the checkpoint but ${mine} in ${displayPath(spec.structure)}`, { file });
  }
  if (c.state.step > untilStep) {
    throw new InputError(`is at step ${c.state.step}, past the run's end (steps = ${untilStep}); raise "steps" or pass --steps`, { file });
  }
  if (c.integrator !== spec.integrator.kind || c.timestep_fs !== spec.integrator.timestep_fs) {
    notes.push(`the checkpoint was written by ${c.integrator} with timestep ${c.timestep_fs} fs; continuing with ${spec.integrator.kind}, ${spec.integrator.timestep_fs} fs`);
  }
  // Masses come from the structure; positions, velocities, box and RNG state from the checkpoint
  // (createSimulation applies them).
  if (spec.initial_velocities) notes.push('initial_velocities is ignored on a restart: velocities come from the checkpoint');
}

/**
 * The checkpoint a run restarts from may be its own `checkpoint.path` (it is read whole first, and
 * rewriting it is the point), but no other output: the thermo log or a trajectory would overwrite it.
 */
function checkRestartIsNoOutput(spec: RunSpec, restartPath: string): void {
  const outputs: [string, string | undefined][] = [['thermo.path', spec.thermo?.path], ...spec.trajectory.map((t, k): [string, string] => [`trajectory[${k}].path`, t.path])];
  for (const [key, path] of outputs) {
    if (path && sameFile(path, restartPath)) {
      throw new InputError(`is the same file as ${key} in ${displayPath(spec.inputPath)}; the run would overwrite the checkpoint it restarts from`, { file: restartPath, key: '--restart' });
    }
  }
}

/**
 * A restart cuts every output back to the checkpoint's step; check (reading only) that each
 * existing one can be cut and continued, so that one bad file does not leave the others half-cut.
 */
function checkOutputsContinuable(spec: RunSpec, natoms: number, timestep_fs: number, step: number): void {
  if (spec.thermo?.path && existsSync(spec.thermo.path)) thermoCsvKeepBytes(spec.thermo.path, step);
  for (const t of spec.trajectory) {
    if (!existsSync(t.path)) continue;
    if (t.format === 'dcd') dcdKeepFrames(t.path, { natoms, timestep_fs, every: t.every, keepThroughStep: step });
    else extxyzKeepBytes(t.path, step);
  }
}
