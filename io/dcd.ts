/**
 * DCD trajectory writer in the CHARMM/NAMD binary layout (little-endian Fortran records):
 *
 *   header  [84]"CORD" + 20×int32 icntrl[84]   NSET @8, ISTART @12, NSAVC @16, last step @20,
 *                                              DELTA (float32, AKMA time) @44, has-cell @48, version 24 @84
 *           [4+80·k] k, k×80-char titles [..]
 *           [4] NATOM [4]
 *   frame   [48] 6×float64 unit cell: A, cos γ, B, cos β, cos α, C (NAMD ≥ 2.5 convention) [48]
 *           [4N] x float32 [4N]  [4N] y [4N]  [4N] z [4N]
 *
 * Frame k is the step ISTART + k·NSAVC. After every frame the header's NSET and last-step fields
 * are rewritten (frame data first, header second), so a run killed at any moment leaves a file
 * whose header counts only complete frames — as NAMD's `update_dcdheader` does. A fresh file is
 * written under a temporary name and renamed with its first frame (io/output-file.ts), so the
 * real name never holds a DCD without frames.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Box } from '../engine/index.js';
import { InputError } from './errors.js';
import { openOutputFile, type OutputFile } from './output-file.js';

/**
 * CHARMM's AKMA time unit in fs: sqrt(Å²·amu/(kcal/mol)) = 4.888821e-14 s (CHARMM docs, `usage.doc`).
 * DCD stores DELTA in this unit. (Kept here rather than engine/units.ts because only DCD uses it.)
 */
export const akmaTime_fs = 48.88821;

/** Byte offsets in the header (see the layout above). */
const NSET_AT = 8, ISTART_AT = 12, NSAVC_AT = 16, LASTSTEP_AT = 20, DELTA_AT = 44, CELLFLAG_AT = 48;
const TITLE_LINES = ['REMARKS FILENAME written by e3md (CHARMM/NAMD DCD layout)', 'REMARKS positions in Angstrom, unit cell A, cos(gamma), B, cos(beta), cos(alpha), C'];

/** Size in bytes of one frame (cell record, when `hasCell`, + three coordinate records) for `natoms` atoms. */
export function dcdFrameBytes(natoms: number, hasCell = true): number {
  return (hasCell ? 8 + 48 : 0) + 3 * (8 + 4 * natoms);
}

/** Size in bytes of the header this writer produces. */
export function dcdHeaderBytes(titleLines = TITLE_LINES.length): number {
  return 92 + (12 + 80 * titleLines) + 12;
}

/** Settings fixed for the whole file. */
export interface DcdWriterOptions {
  /** Atoms per frame. */
  natoms: number;
  /** MD timestep, fs (stored as DELTA in AKMA units so readers compute frame times). */
  timestep_fs: number;
  /** Steps between frames (NSAVC). */
  every: number;
  /** How messages name the file (default: its path). */
  displayPath?: string;
}

/** An open DCD file that frames are appended to. */
export interface DcdWriter {
  /**
   * Appends the frame of MD step `step`: positions [natoms,3] Å (stored as float32) and the cell.
   * The first frame of a new file sets ISTART; later steps must follow at NSAVC intervals.
   */
  write(positions: Float64Array, box: Box, step: number): void;
  /** Complete frames now in the file (the header's NSET). */
  readonly frames: number;
  /** Closes the file (it is already valid after every `write`). */
  close(): void;
}

/** The six cell numbers of a DCD frame: A, cos γ, B, cos β, cos α, C (lengths Å). Zeros + right angles for an open box. */
export function dcdUnitCell(box: Box, out: Float64Array = new Float64Array(6)): Float64Array {
  const c = box.cell;
  const la = Math.hypot(c[0], c[1], c[2]), lb = Math.hypot(c[3], c[4], c[5]), lc = Math.hypot(c[6], c[7], c[8]);
  const cosine = (i: number, j: number, li: number, lj: number): number =>
    li > 0 && lj > 0 ? (c[3 * i] * c[3 * j] + c[3 * i + 1] * c[3 * j + 1] + c[3 * i + 2] * c[3 * j + 2]) / (li * lj) : 0;
  out[0] = la;
  out[1] = cosine(0, 1, la, lb); // gamma: angle between a and b
  out[2] = lb;
  out[3] = cosine(0, 2, la, lc); // beta: a and c
  out[4] = cosine(1, 2, lb, lc); // alpha: b and c
  out[5] = lc;
  return out;
}

/**
 * Creates a DCD file (replacing an old one when the first frame is written): header under the
 * temporary name now, renamed to `path` with the first frame.
 *
 * @throws OutputError when the file cannot be created.
 * @example
 * const dcd = createDcdWriter('traj.dcd', { natoms: system.n, timestep_fs: 2, every: 10 });
 * dcd.write(system.positions, system.box, 0);
 */
export function createDcdWriter(path: string, options: DcdWriterOptions): DcdWriter {
  checkOptions(options, path);
  const file = openOutputFile(path, { header: headerBuffer(options, 0), displayPath: options.displayPath });
  return makeWriter(file, options, path, 0, -1);
}

/**
 * Opens an existing DCD file to continue a restarted run: frames after step `keepThroughStep`
 * are dropped (file truncated, header count rewritten) before new frames are appended. A missing
 * file is created as by `createDcdWriter`.
 *
 * @throws InputError when the file is not a DCD this writer can continue (atom count, layout or NSAVC differ).
 */
export function openDcdForAppend(path: string, options: DcdWriterOptions & { keepThroughStep: number }): DcdWriter {
  checkOptions(options, path);
  if (!existsSync(path)) return createDcdWriter(path, options);
  const fd = openSync(path, 'r');
  let plan: { header: DcdHeader; keep: number } | null;
  try {
    plan = dcdAppendPlan(fd, path, options);
  } finally {
    closeSync(fd);
  }
  if (plan === null || plan.keep === 0) return createDcdWriter(path, options);
  const { header: h, keep } = plan;
  const file = openOutputFile(path, { keepBytes: h.headerBytes + keep * dcdFrameBytes(h.natoms), displayPath: options.displayPath });
  const w = makeWriter(file, options, path, keep, h.istart);
  writeInt(file, NSET_AT, keep);
  writeInt(file, LASTSTEP_AT, h.istart + (keep - 1) * h.nsavc);
  return w;
}

/**
 * For a restart: checks that an existing DCD file can be continued with `options` and says how
 * many frames (those with step ≤ `keepThroughStep`) it keeps. Reads only.
 *
 * @returns the number of frames kept (0 for a missing or empty file).
 * @throws InputError when atom count, NSAVC or layout differ.
 */
export function dcdKeepFrames(path: string, options: DcdWriterOptions & { keepThroughStep: number }): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r');
  try {
    return dcdAppendPlan(fd, path, options)?.keep ?? 0;
  } finally {
    closeSync(fd);
  }
}

function dcdAppendPlan(fd: number, path: string, options: DcdWriterOptions & { keepThroughStep: number }): { header: DcdHeader; keep: number } | null {
  const size = fstatSync(fd).size;
  if (size === 0) return null;
  const h = readDcdHeaderFd(fd, path);
  if (h.natoms !== options.natoms) throw new InputError(`has ${h.natoms} atoms per frame, the run has ${options.natoms}`, { file: path });
  if (h.nsavc !== options.every) throw new InputError(`was written every ${h.nsavc} steps, the input now says every ${options.every}`, { file: path });
  if (h.headerBytes !== dcdHeaderBytes() || !h.hasCell) throw new InputError('was not written by e3md (different header layout); move it away to restart', { file: path });
  const complete = Math.min(h.nset, Math.floor((size - h.headerBytes) / dcdFrameBytes(h.natoms)));
  const keep = Math.max(0, Math.min(complete, Math.floor((options.keepThroughStep - h.istart) / h.nsavc) + 1));
  return { header: h, keep };
}

function checkOptions(o: DcdWriterOptions, path: string): void {
  if (!Number.isInteger(o.natoms) || o.natoms < 1) throw new Error(`DCD ${path}: natoms must be a positive integer, got ${o.natoms}`);
  if (!Number.isInteger(o.every) || o.every < 1) throw new Error(`DCD ${path}: every must be a positive integer, got ${o.every}`);
  if (!(o.timestep_fs > 0)) throw new Error(`DCD ${path}: timestep_fs must be > 0, got ${o.timestep_fs}`);
}

function writeInt(file: OutputFile, at: number, value: number): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value, 0);
  file.write(b, at);
}

function headerBuffer(o: DcdWriterOptions, istart: number): Buffer {
  const b = Buffer.alloc(dcdHeaderBytes());
  b.writeInt32LE(84, 0);
  b.write('CORD', 4, 'latin1');
  b.writeInt32LE(0, NSET_AT);
  b.writeInt32LE(istart, ISTART_AT);
  b.writeInt32LE(o.every, NSAVC_AT);
  b.writeInt32LE(istart, LASTSTEP_AT);
  b.writeFloatLE(o.timestep_fs / akmaTime_fs, DELTA_AT);
  b.writeInt32LE(1, CELLFLAG_AT);
  b.writeInt32LE(24, 84); // CHARMM version: tells readers the file has the extended (cell) layout
  b.writeInt32LE(84, 88);
  let at = 92;
  const titleBytes = 4 + 80 * TITLE_LINES.length;
  b.writeInt32LE(titleBytes, at);
  b.writeInt32LE(TITLE_LINES.length, at + 4);
  at += 8;
  for (const t of TITLE_LINES) {
    b.write(t.padEnd(80).slice(0, 80), at, 'latin1');
    at += 80;
  }
  b.writeInt32LE(titleBytes, at);
  at += 4;
  b.writeInt32LE(4, at);
  b.writeInt32LE(o.natoms, at + 4);
  b.writeInt32LE(4, at + 8);
  return b;
}

/** A writer on `file` (header written) that already holds `nset0` frames from step `istart0` (−1: no frame yet). */
function makeWriter(file: OutputFile, o: DcdWriterOptions, path: string, nset0: number, istart0: number): DcdWriter {
  const n = o.natoms;
  const frameBytes = dcdFrameBytes(n);
  const frame = Buffer.alloc(frameBytes); // reused for every frame
  const cell = new Float64Array(6);
  let nset = nset0;
  let istart = istart0;
  const headerBytes = dcdHeaderBytes();
  let open = true;
  return {
    get frames() { return nset; },
    write(positions, box, step) {
      if (!open) throw new Error(`DCD ${path}: write after close`);
      if (positions.length !== 3 * n) throw new Error(`DCD ${path}: frame has ${positions.length / 3} atoms, file has ${n}`);
      if (istart < 0 || nset === 0) {
        istart = step;
        writeInt(file, ISTART_AT, istart);
      }
      const expected = istart + nset * o.every;
      if (step !== expected) throw new Error(`DCD ${path}: frame for step ${step} but the file expects step ${expected} (ISTART ${istart} + ${nset} × NSAVC ${o.every})`);
      dcdUnitCell(box, cell);
      let at = 0;
      frame.writeInt32LE(48, at);
      for (let k = 0; k < 6; k++) frame.writeDoubleLE(cell[k], at + 4 + 8 * k);
      frame.writeInt32LE(48, at + 52);
      at += 56;
      for (let d = 0; d < 3; d++) {
        frame.writeInt32LE(4 * n, at);
        at += 4;
        for (let i = 0; i < n; i++, at += 4) frame.writeFloatLE(positions[3 * i + d], at);
        frame.writeInt32LE(4 * n, at);
        at += 4;
      }
      file.write(frame, headerBytes + nset * frameBytes);
      // Count the frame only once its bytes are in the file: a kill in between leaves the old count.
      writeInt(file, NSET_AT, nset + 1);
      writeInt(file, LASTSTEP_AT, step);
      nset++;
      file.complete(headerBytes + nset * frameBytes);
    },
    close() {
      if (!open) return;
      open = false;
      file.close();
    },
  };
}

/** Header fields of a DCD file. */
export interface DcdHeader {
  /** Frame count the header claims (NSET). */
  nset: number;
  /** Step of the first frame (ISTART). */
  istart: number;
  /** Steps between frames (NSAVC). */
  nsavc: number;
  /** Step of the last frame written (NAMD's NSTEP field). */
  lastStep: number;
  /** Timestep in AKMA units as stored (float32). */
  delta: number;
  /** True when every frame carries a unit-cell record. */
  hasCell: boolean;
  /** Title lines, trailing spaces trimmed. */
  titles: string[];
  natoms: number;
  /** Size of the header in bytes (offset of the first frame). */
  headerBytes: number;
}

/** Reads a DCD header from an open file descriptor. @throws InputError when it is not a little-endian CHARMM DCD. */
export function readDcdHeaderFd(fd: number, path: string): DcdHeader {
  const first = Buffer.alloc(100);
  const got = readSync(fd, first, 0, 100, 0);
  if (got < 100 || first.readInt32LE(0) !== 84 || first.toString('latin1', 4, 8) !== 'CORD') {
    throw new InputError('is not a little-endian CHARMM/NAMD DCD file (no 84-byte "CORD" record)', { file: path });
  }
  const titleBytes = first.readInt32LE(92);
  const rest = Buffer.alloc(titleBytes + 20);
  readSync(fd, rest, 0, rest.length, 96);
  const ntitle = rest.readInt32LE(0);
  const titles: string[] = [];
  for (let t = 0; t < ntitle; t++) titles.push(rest.toString('latin1', 4 + 80 * t, 4 + 80 * (t + 1)).trimEnd());
  const after = titleBytes; // end marker of the title record, relative to `rest`
  if (rest.readInt32LE(after) !== titleBytes || rest.readInt32LE(after + 4) !== 4) {
    throw new InputError('has a corrupt DCD title record', { file: path });
  }
  return {
    nset: first.readInt32LE(NSET_AT),
    istart: first.readInt32LE(ISTART_AT),
    nsavc: first.readInt32LE(NSAVC_AT),
    lastStep: first.readInt32LE(LASTSTEP_AT),
    delta: first.readFloatLE(DELTA_AT),
    hasCell: first.readInt32LE(CELLFLAG_AT) === 1,
    titles,
    natoms: rest.readInt32LE(after + 8),
    headerBytes: 96 + titleBytes + 4 + 12,
  };
}
