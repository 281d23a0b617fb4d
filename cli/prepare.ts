/**
 * Turns an input file (and `--steps`, `--restart`) into everything a run needs — system,
 * potential, integrator, restart state — checking all of it before any output file is touched
 * (DESIGN.md §4): a bad input costs the user one message and leaves their files alone.
 */
import { existsSync } from 'node:fs';
import { extname, relative } from 'node:path';
import { BLOW_UP_DISTANCE_A, createCellList, createForceOutput, edgesWithin, Rng, type System } from '../engine/index.js';
import { langevin, maxwellBoltzmann, noseHoover, nptCRescale, nptMtk, velocityVerlet } from '../integrators/index.js';
import { type Integrator } from '../engine/index.js';
import { createOnnxPotentialFor, createParallelPotential, lennardJones } from '../potentials/index.js';
import { deviceProblem, onnxFileProblem } from './model-file.js';
import { type Potential } from '../engine/index.js';
import {
  readCheckpoint, type Checkpoint, loadRunSpec, type RunSpec, InputError, readStructure, atomLine, systemOfFrame, type XyzFrame, dcdKeepFrames, thermoCsvKeepBytes,
  extxyzKeepBytes, sameFile, type ThermoColumnSet,
} from '../io/index.js';

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
  /** Worker threads (overrides `parallel.workers`). */
  workers?: number;
  /**
   * Replica `index` of `count` (input.json `replicas`): every output path gets a "-r<index>"
   * suffix, so does the restart checkpoint, and seeds are offset by `index`; `potential`, when
   * given, is used instead of building the input's (a view of a replica batch).
   */
  replica?: { index: number; count: number; potential?: Potential };
}

/** A validated run, ready to open its outputs and start. */
export interface PreparedRun {
  spec: RunSpec;
  system: System;
  potential: Potential;
  integrator: Integrator;
  /** Total steps to reach. */
  untilStep: number;
  /** The thermo log's optional column groups for this run (fixed, so a restart finds the same CSV header). */
  thermoColumns: ThermoColumnSet;
  /** The checkpoint to continue from, when restarting, and its path. */
  restart?: Checkpoint;
  restartPath?: string;
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
  const replica = overrides.replica;
  const spec = replica ? replicaSpec(loadRunSpec(inputPath), replica.index, replica.count) : loadRunSpec(inputPath);
  if (!spec.integrator) throw spec.keyError(['relax'], 'this input describes a relaxation ("relax"); run it with e3md relax, or give an "integrator" for MD');
  const workers = overrides.workers ?? spec.parallel?.workers ?? 1;
  if (replica && workers > 1) {
    throw spec.keyError(['replicas'], `cannot be combined with ${overrides.workers ? '--workers' : 'parallel.workers'} > 1: replicas are small systems that share one model call per step, not domains`);
  }
  const restartPath = replica && overrides.restartPath !== undefined ? replicaPath(overrides.restartPath, replica.index, replica.count) : overrides.restartPath;
  const notes: string[] = [];
  // Worker threads read positions and write forces in place when the arrays are shared memory.
  const { system, frame } = loadSystem(spec, notes, workers > 1);
  if (spec.neighbor.skin_A === 0) notes.push('neighbor.skin_A is 0: the neighbor list is rebuilt at every step');
  const integrator = buildIntegrator(spec, system);
  const thermoColumns: ThermoColumnSet = {
    periodic: system.box.isPeriodic && system.box.volume > 0,
    cell: integrator.changesCell,
    conserved: integrator.extendedEnergy !== undefined,
  };

  const untilStep = overrides.steps ?? spec.steps!;
  let restart: Checkpoint | undefined;
  if (restartPath !== undefined) {
    checkRestartIsNoOutput(spec, restartPath);
    restart = readCheckpoint(restartPath);
    checkRestart(restart, system, spec, integrator, restartPath, untilStep, notes);
    checkOutputsContinuable(spec, system.n, integrator.timestep_fs, restart.state.step, thermoColumns);
  } else if (spec.initial_velocities) {
    if (frame.velocities?.some((v) => v !== 0)) notes.push(`initial_velocities replaces the velocities in ${displayPath(spec.structure)} (remove it to start from those)`);
    maxwellBoltzmann(system, spec.initial_velocities.temperature_K, new Rng(spec.initial_velocities.seed), { conservesMomentum: integrator.conservesMomentum });
  } else if (integrator.extendedEnergy !== undefined) {
    noteNetMomentum(system, integrator.name, notes);
  }
  // Last: an ONNX potential opens a runtime session, which nothing after this could leak.
  const potential = replica?.potential ?? (await buildPotential(spec, system, notes, overrides.threads, overrides.workers));
  return { spec, system, potential, integrator, untilStep, thermoColumns, restart, restartPath, notes };
}

/**
 * The system of an input file and the frame it came from: its structure (the last frame of a
 * multi-frame file), checked for wild coordinates, overlapping atoms and, for Lennard-Jones,
 * species without parameters. Shared by run and relax; `shared` puts positions and forces in
 * shared memory (for worker threads).
 *
 * @throws InputError naming the structure file and line, or the potential key.
 */
export function loadSystem(spec: RunSpec, notes: string[], shared = false): { system: System; frame: XyzFrame } {
  if (!existsSync(spec.structure)) throw spec.keyError(['structure'], `structure file ${displayPath(spec.structure)} not found`);
  const frames = readStructure(displayPath(spec.structure), spec.structure_format);
  // Like ase.io.read: a multi-frame file starts from its last frame (continue a trajectory).
  const frame = frames[frames.length - 1];
  if (frames.length > 1) notes.push(`${displayPath(spec.structure)} has ${frames.length} frames; starting from the last one (line ${frame.line})`);
  notes.push(...(frame.remarks ?? []));
  checkCoordinates(frame, displayPath(spec.structure));
  const system = systemOfFrame(frame, displayPath(spec.structure), { shared });
  checkOverlaps(system, frame, displayPath(spec.structure));
  if (spec.potential.kind === 'lennard-jones') checkLennardJonesSpecies(spec, system);
  return { system, frame };
}

/**
 * The output path of replica `index` of `count`: "-r<index>" before the extension, the index
 * zero-padded to the width of count − 1 (`thermo.csv` → `thermo-r07.csv` of 32).
 * @example replicaPath('out/traj.xyz', 3, 8) // 'out/traj-r3.xyz'
 */
export function replicaPath(path: string, index: number, count: number): string {
  const tag = `-r${String(index).padStart(String(count - 1).length, '0')}`;
  const ext = extname(path);
  return ext ? `${path.slice(0, -ext.length)}${tag}${ext}` : `${path}${tag}`;
}

/** The run description of one replica: suffixed outputs, seeds (velocities, stochastic thermostats and barostats) offset by the index. */
function replicaSpec(spec: RunSpec, index: number, count: number): RunSpec {
  const path = (p: string): string => replicaPath(p, index, count);
  const it = spec.integrator;
  return {
    ...spec,
    thermo: spec.thermo && { ...spec.thermo, path: spec.thermo.path === undefined ? undefined : path(spec.thermo.path) },
    trajectory: spec.trajectory.map((t) => ({ ...t, path: path(t.path) })),
    checkpoint: spec.checkpoint && { ...spec.checkpoint, path: path(spec.checkpoint.path) },
    initial_velocities: spec.initial_velocities && { ...spec.initial_velocities, seed: spec.initial_velocities.seed + index },
    integrator:
      it?.kind === 'langevin' ? { ...it, seed: it.seed + index }
      : it?.kind === 'npt' && it.barostat === 'c-rescale' ? { ...it, seed: (it.seed ?? 1) + index }
      : it,
  };
}

/**
 * A Nosé–Hoover thermostat (NVT, NPT) conserves the total momentum and counts 3N − 3 degrees of
 * freedom: velocities from the structure that carry a net momentum keep a centre-of-mass motion the
 * thermostat heats as if it were thermal. Worth a note when it is more than 1 % of the kinetic energy.
 */
function noteNetMomentum(system: System, name: string, notes: string[]): void {
  const v = system.velocities, m = system.masses;
  let px = 0, py = 0, pz = 0, mass = 0, twoK = 0;
  for (let i = 0; i < system.n; i++) {
    px += m[i] * v[3 * i]; py += m[i] * v[3 * i + 1]; pz += m[i] * v[3 * i + 2]; mass += m[i];
    twoK += m[i] * (v[3 * i] ** 2 + v[3 * i + 1] ** 2 + v[3 * i + 2] ** 2);
  }
  const twoKcom = (px * px + py * py + pz * pz) / mass;
  if (twoK > 0 && twoKcom > 0.01 * twoK) {
    notes.push(`the structure's velocities carry a net momentum (${((100 * twoKcom) / twoK).toFixed(1)} % of the kinetic energy is centre-of-mass motion), which ${name} keeps; draw fresh ones with "initial_velocities" or remove it`);
  }
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

/**
 * The input's potential for `system`'s species (an ONNX potential opens its session: call last).
 * `threads` (onnxruntime intra-op threads) overrides `potential.threads`, `workersOverride`
 * (`--workers`) overrides `parallel.workers`.
 */
export async function buildPotential(spec: RunSpec, system: System, notes: string[], threads: number | undefined, workersOverride?: number): Promise<Potential> {
  const p = spec.potential;
  const workers = workersOverride ?? spec.parallel?.workers ?? 1;
  const log = (message: string): void => void notes.push(message);
  if (p.kind === 'onnx') {
    if (!existsSync(p.model)) throw spec.keyError(['potential', 'model'], `model file ${displayPath(p.model)} not found`);
    const notOnnx = onnxFileProblem(p.model);
    if (notOnnx) throw spec.keyError(['potential', 'model'], `${displayPath(p.model)} ${notOnnx}`);
    let potential: Potential & { provider?: string };
    const fallback: string[] = [];
    try {
      potential = await createOnnxPotentialFor({
        model: p.model, typeNames: system.typeNames, largest: system, device: p.device, threads: threads ?? p.threads,
        workers, devices: spec.parallel?.devices, memory_GB: spec.parallel?.memory_GB,
        log: (message) => (/unavailable/.test(message) ? fallback : notes).push(message),
      });
    } catch (e) {
      throw spec.keyError(['potential', 'model'], (e as Error).message);
    }
    const problem = deviceProblem(p.device, potential.provider, fallback);
    if (problem) {
      await potential.dispose?.();
      throw spec.keyError(['potential', 'device'], problem);
    }
    // A device named in parallel.devices is asked for explicitly, as potential.device is: it must start.
    const devices = spec.parallel?.devices;
    if (devices) {
      const providers = (potential as { providers?: readonly (string | undefined)[] }).providers ?? [potential.provider];
      for (let k = 0; k < providers.length; k++) {
        const workerProblem = deviceProblem(devices[k % devices.length]!, providers[k], fallback);
        if (workerProblem) {
          await potential.dispose?.();
          throw spec.keyError(['parallel', 'devices'], `worker ${k}: ${workerProblem}`);
        }
      }
    }
    return potential;
  }
  const all = p.epsilon_eV !== undefined && p.sigma_A !== undefined ? { epsilon_eV: p.epsilon_eV, sigma_A: p.sigma_A } : undefined;
  const options = { cutoff_A: p.cutoff_A, shift: p.shift, all, species: p.species };
  let serial: Potential;
  try {
    serial = lennardJones(options, system.typeNames);
  } catch (e) {
    throw spec.keyError(['potential'], (e as Error).message);
  }
  return workers > 1 ? createParallelPotential({ kind: 'lennard-jones', options }, system.typeNames, { workers, log }) : serial;
}

/**
 * The integrator of `spec`, with the documented defaults filled in (tdamp_fs 100 × timestep_fs,
 * pdamp_fs 1000 × timestep_fs, LAMMPS's rules of thumb), initialised once on `system` so that a
 * system it cannot integrate (massless atoms, NPT without a periodic cell) fails here with the key.
 */
function buildIntegrator(spec: RunSpec, system: System): Integrator {
  const it = spec.integrator!;
  let integrator: Integrator;
  try {
    switch (it.kind) {
      case 'velocity-verlet':
        integrator = velocityVerlet({ timestep_fs: it.timestep_fs });
        break;
      case 'langevin':
        integrator = langevin({ timestep_fs: it.timestep_fs, temperature_K: it.temperature_K, friction_per_ps: it.friction_per_ps, seed: it.seed });
        break;
      case 'nose-hoover':
        integrator = noseHoover({ timestep_fs: it.timestep_fs, temperature_K: it.temperature_K, tdamp_fs: it.tdamp_fs ?? 100 * it.timestep_fs, chain: it.chain });
        break;
      case 'npt': {
        const common = {
          timestep_fs: it.timestep_fs, temperature_K: it.temperature_K, pressure_bar: it.pressure_bar, couple: it.couple,
          tdamp_fs: it.tdamp_fs ?? 100 * it.timestep_fs, pdamp_fs: it.pdamp_fs ?? 1000 * it.timestep_fs,
        };
        integrator = it.barostat === 'mtk'
          ? nptMtk(common)
          : nptCRescale({ ...common, seed: it.seed ?? 1, compressibility_per_bar: it.compressibility_per_bar });
        break;
      }
    }
  } catch (e) {
    throw spec.keyError(['integrator'], (e as Error).message);
  }
  try {
    integrator.init(system, createForceOutput(system.n));
  } catch (e) {
    throw spec.keyError(['integrator', 'kind'], `${(e as Error).message} (structure ${displayPath(spec.structure)})`);
  }
  return integrator;
}

function checkRestart(c: Checkpoint, system: System, spec: RunSpec, integrator: Integrator, file: string, untilStep: number, notes: string[]): void {
  const n = system.n;
  if (c.typeIds.length !== n) throw new InputError(`holds ${c.typeIds.length} atoms, but ${displayPath(spec.structure)} has ${n}`, { file });
  for (let a = 0; a < n; a++) {
    const mine = system.typeNames[system.typeIds[a]], theirs = c.typeNames[c.typeIds[a]];
    if (mine !== theirs) throw new InputError(`atom ${a + 1} is ${theirs} in the checkpoint but ${mine} in ${displayPath(spec.structure)}`, { file });
  }
  if (c.state.step > untilStep) {
    throw new InputError(`is at step ${c.state.step}, past the run's end (steps = ${untilStep}); raise "steps" or pass --steps`, { file });
  }
  if (c.integrator !== integrator.name || c.timestep_fs !== integrator.timestep_fs) {
    notes.push(`the checkpoint was written by ${c.integrator} with timestep ${c.timestep_fs} fs; continuing with ${integrator.name}, ${integrator.timestep_fs} fs`);
  }
  if (c.integrator !== integrator.name) {
    // Another scheme's variables mean nothing to this one: it starts from rest (thermostats at zero).
    if (c.state.integrator && (c.state.integrator.rng || Object.keys(c.state.integrator.variables).length)) notes.push(`${integrator.name} starts with fresh thermostat/barostat/random state; the checkpoint's is ${c.integrator}'s`);
    c.state.integrator = null;
  } else if (c.state.integrator) {
    try {
      integrator.restoreState(c.state.integrator);
    } catch (e) {
      throw new InputError(`does not fit this run's integrator: ${(e as Error).message}`, { file });
    }
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
function checkOutputsContinuable(spec: RunSpec, natoms: number, timestep_fs: number, step: number, thermoColumns: ThermoColumnSet): void {
  if (spec.thermo?.path && existsSync(spec.thermo.path)) thermoCsvKeepBytes(spec.thermo.path, step, thermoColumns);
  for (const t of spec.trajectory) {
    if (!existsSync(t.path)) continue;
    if (t.format === 'dcd') dcdKeepFrames(t.path, { natoms, timestep_fs, every: t.every, keepThroughStep: step });
    else extxyzKeepBytes(t.path, step);
  }
}
