/**
 * Trajectory observers: extxyz (text, ASE dialect, with velocities, forces, energy, step and
 * time) and DCD (binary positions + cell, for VMD/MDAnalysis). On a restart, frames past the
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
}

/**
 * An extxyz trajectory observer: each frame has species, positions (Å), velocities (Å/fs) and
 * forces (eV/Å), and `energy` (potential, eV), `step`, `time_fs` on its comment line. A fresh file
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
  const write = (f: Frame): void => {
    symbols ??= symbolsOf(f.system);
    const s = f.system;
    const text = formatExtxyz({
      symbols, positions: s.positions, velocities: s.velocities, forces: s.forces, masses: s.masses, box: s.box,
      energy_eV: f.potentialEnergy_eV, info: { step: f.step, time_fs: f.time_fs },
    });
    const { writes, size } = extxyzFrameWrites(text, file.size);
    for (const w of writes) file.write(w.data, w.at);
    file.complete(size);
  };
  return {
    every: options.every,
    observe: write,
    flush: write,
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
  const settings = { natoms: file.natoms, timestep_fs: file.timestep_fs, every: options.every };
  let writer: DcdWriter | null = options.keepThroughStep !== undefined
    ? openDcdForAppend(options.path, { ...settings, keepThroughStep: options.keepThroughStep })
    : createDcdWriter(options.path, settings);
  return {
    every: options.every,
    observe(f: Frame) {
      if (!writer) throw new Error(`DCD ${options.path}: observe after close`);
      writer.write(f.system.positions, f.system.box, f.step);
    },
    // No flush: the last good frame of a NaN run is off the NSAVC grid, which DCD cannot hold;
    // the extxyz trajectory and the thermo log carry it instead.
    close() {
      writer?.close();
      writer = null;
    },
  };
}
