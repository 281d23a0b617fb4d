/**
 * Trajectory observers: extxyz (text, ASE dialect: momenta, masses, forces, per-atom energies,
 * energy, stress, step and time) and DCD (binary positions + cell, for VMD/MDAnalysis). Positions
 * are unwrapped — continuous across periodic boundaries (position + images · cell), so a mean
 * square displacement computed from either file is right; `atoms.wrap()` in ASE or MDAnalysis's
 * `transformations.wrap` put them back in the cell for display. On a restart, frames past the
 * checkpoint's step are dropped before new ones are appended.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Frame, type Observer, symbolsOf } from '../engine/index.js';
import { createDcdWriter, openDcdForAppend, type DcdWriter } from './dcd.js';
import { InputError } from './errors.js';
import { extxyzFrameWrites } from './extxyz-append.js';
import { parseCommentPairs } from './extxyz-comment.js';
import { formatExtxyz } from './extxyz-write.js';
import { openOutputFile } from './output-file.js';

/** Settings shared by trajectory observers. */
export interface TrajectoryOptions {
  path: string;
  /** Write at step 0 and every this many steps. */
  every: number;
  /** Continue a restarted run: keep frames up to and including this step, drop later ones, append. */
  keepThroughStep?: number;
  /** How messages name the file (default `path`). */
  displayPath?: string;
  /**
   * (N,) per-atom energies (eV) of the frame being written, when the potential gives them (the
   * ONNX contract's `atomic_energy`), for the extxyz `energies` column.
   */
  atomicEnergies?: () => Float64Array | undefined;
}

/**
 * Unwrapped positions (Å, [N,3]) of a frame: positions + images · cell, the continuous path of
 * each atom across periodic boundaries.
 */
export function unwrappedPositions(f: Frame, out: Float64Array = new Float64Array(f.system.positions.length)): Float64Array {
  const p = f.system.positions, im = f.images, c = f.system.box.cell;
  for (let i = 0; i < p.length; i += 3) {
    const a = im[i]!, b = im[i + 1]!, d = im[i + 2]!;
    out[i] = p[i]! + a * c[0]! + b * c[3]! + d * c[6]!;
    out[i + 1] = p[i + 1]! + a * c[1]! + b * c[4]! + d * c[7]!;
    out[i + 2] = p[i + 2]! + a * c[2]! + b * c[5]! + d * c[8]!;
  }
  return out;
}

/** Stress (eV/Å³, 3×3, ASE's sign: −virial / volume, configurational part) of a fully periodic frame; undefined otherwise. */
export function stressOf(f: Frame, out: Float64Array = new Float64Array(9)): Float64Array | undefined {
  const box = f.system.box;
  if (!box.pbc.every(Boolean) || !(box.volume > 0)) return undefined;
  for (let k = 0; k < 9; k++) out[k] = -f.virial[k]! / box.volume;
  return out;
}

/**
 * An extxyz trajectory observer: each frame has species, unwrapped positions (Å), masses (amu),
 * momenta (ASE units), forces (eV/Å) and, when the potential gives them, per-atom `energies` (eV);
 * `energy` (potential, eV), `stress` (periodic systems, eV/Å³), `step` and `time_fs` on its comment
 * line — the names ASE gives its calculator results. A fresh file
 * is created under a temporary name and gets its real name with the first frame; every frame is
 * appended so that a kill at any moment leaves the file readable whole (io/extxyz-append.ts).
 *
 * @throws OutputError when the file cannot be created (before any frame).
 * @example
 * const traj = createExtxyzTrajectory({ path: 'traj.xyz', every: 10 });
 */
export function createExtxyzTrajectory(options: TrajectoryOptions): Observer {
  const keepBytes = options.keepThroughStep !== undefined && existsSync(options.path) ? extxyzKeepBytes(options.path, options.keepThroughStep) : undefined;
  const file = openOutputFile(options.path, { keepBytes, displayPath: options.displayPath });
  let symbols: string[] | null = null;
  let positions = new Float64Array(0);
  const stress = new Float64Array(9);
  const write = (f: Frame, current: boolean): void => {
    symbols ??= symbolsOf(f.system);
    const s = f.system;
    if (positions.length !== s.positions.length) positions = new Float64Array(s.positions.length);
    // The potential's per-atom energies are those of its last call: the current frame's, not a flushed earlier one's.
    const energies = current ? options.atomicEnergies?.() : undefined;
    // Momenta and masses, as ASE reads them (get_velocities, get_temperature work); e3md reads them back as velocities.
    const text = formatExtxyz({
      symbols, positions: unwrappedPositions(f, positions), velocities: s.velocities, forces: s.forces, masses: s.masses, box: s.box,
      energy_eV: f.potentialEnergy_eV, energies: energies?.length === s.n ? energies : undefined, stress: stressOf(f, stress),
      info: { step: f.step, time_fs: f.time_fs },
    }, { velocityColumn: 'momenta', writeMasses: true });
    const { writes, size } = extxyzFrameWrites(text, file.size);
    for (const w of writes) file.write(w.data, w.at);
    file.complete(size);
  };
  return {
    every: options.every,
    observe: (f) => write(f, true),
    flush: (f) => write(f, false),
    close: () => file.close(),
  };
}

/**
 * For a restart: the length in bytes of the part of an existing extxyz trajectory to keep (whole
 * frames with `step=` ≤ `keepThroughStep`; a frame cut short by a kill is dropped). Reads only.
 *
 * @throws InputError when a frame has no `step=` (not an e3md trajectory).
 */
export function extxyzKeepBytes(path: string, keepThroughStep: number): number {
  const text = readFileSync(path, 'utf8');
  let offset = 0; // bytes consumed so far
  let keepBytes = 0;
  let lineStart = 0;
  const nextLine = (): string | null => {
    if (lineStart >= text.length) return null;
    const end = text.indexOf('\n', lineStart);
    if (end < 0) return null; // unterminated last line: part of a frame cut short
    const line = text.slice(lineStart, end);
    offset += Buffer.byteLength(line) + 1;
    lineStart = end + 1;
    return line;
  };
  for (;;) {
    const countLine = nextLine();
    if (countLine === null || !/^\s*\d+\s*$/.test(countLine)) break;
    const comment = nextLine();
    if (comment === null) break;
    const step = Number(parseCommentPairs(comment)?.get('step'));
    if (!Number.isInteger(step)) throw new InputError('has a frame without step= on its comment line; it was not written by e3md, move it away to restart', { file: path });
    let complete = true;
    for (let a = Number(countLine); a > 0; a--) if (nextLine() === null) { complete = false; break; }
    if (!complete || step > keepThroughStep) break;
    keepBytes = offset;
  }
  return keepBytes;
}

/**
 * A DCD trajectory observer (positions and unit cell as float32 per frame). The file is created,
 * or on a restart cut back to the checkpoint's step, when the observer is made.
 *
 * @param file natoms per frame and the MD timestep (stored in the header so readers know frame times).
 * @example
 * const dcd = createDcdTrajectory({ path: 'traj.dcd', every: 10 }, { natoms: system.n, timestep_fs: 2 });
 */
export function createDcdTrajectory(options: TrajectoryOptions, file: { natoms: number; timestep_fs: number }): Observer {
  const settings = { natoms: file.natoms, timestep_fs: file.timestep_fs, every: options.every, displayPath: options.displayPath };
  let writer: DcdWriter | null = options.keepThroughStep !== undefined
    ? openDcdForAppend(options.path, { ...settings, keepThroughStep: options.keepThroughStep })
    : createDcdWriter(options.path, settings);
  let positions = new Float64Array(3 * file.natoms);
  return {
    every: options.every,
    observe(f: Frame) {
      if (!writer) throw new Error(`DCD ${options.path}: observe after close`);
      if (positions.length !== f.system.positions.length) positions = new Float64Array(f.system.positions.length);
      writer.write(unwrappedPositions(f, positions), f.system.box, f.step);
    },
    // No flush: the last good frame of a NaN run is off the NSAVC grid, which DCD cannot hold;
    // the extxyz trajectory and the thermo log carry it instead.
    close() {
      writer?.close();
      writer = null;
    },
  };
}
