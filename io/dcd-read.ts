/**
 * DCD reader for the layout `io/dcd.ts` writes (and other little-endian CHARMM/NAMD files with a
 * unit cell or without one, no fixed atoms). Used by tests and for restart checks.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from './errors.js';
import { dcdFrameBytes, readDcdHeaderFd, type DcdHeader } from './dcd.js';

/** One DCD frame. */
export interface DcdFrame {
  /** MD step of the frame: ISTART + k·NSAVC. */
  step: number;
  /** Raw cell record A, cos γ, B, cos β, cos α, C; undefined when the file has no cell. */
  unitCell?: Float64Array;
  /** (N, 3) positions, Å (float32 in the file, widened). */
  positions: Float64Array;
}

/** A whole DCD file. */
export interface DcdFile {
  header: DcdHeader;
  /** The complete frames the header counts (NSET); bytes past them (a frame cut short) are ignored. */
  frames: DcdFrame[];
  /** Complete frames physically present, which may exceed NSET only if the header update was lost. */
  framesOnDisk: number;
}

/**
 * Reads a DCD file.
 *
 * @throws InputError when the file is missing, not a DCD, or a record marker is wrong.
 * @example
 * const { header, frames } = readDcd('traj.dcd');
 * frames[header.nset - 1].positions; // last frame, Å
 */
export function readDcd(path: string): DcdFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new InputError('DCD file not found', { file: path });
  }
  try {
    const header = readDcdHeaderFd(fd, path);
    const n = header.natoms;
    const frameBytes = dcdFrameBytes(n, header.hasCell);
    const size = fstatSync(fd).size;
    const framesOnDisk = Math.floor((size - header.headerBytes) / frameBytes);
    const count = Math.min(header.nset, framesOnDisk);
    const buf = Buffer.alloc(frameBytes);
    const frames: DcdFrame[] = [];
    for (let k = 0; k < count; k++) {
      readSync(fd, buf, 0, frameBytes, header.headerBytes + k * frameBytes);
      let at = 0;
      let unitCell: Float64Array | undefined;
      if (header.hasCell) {
        if (buf.readInt32LE(0) !== 48 || buf.readInt32LE(52) !== 48) throw new InputError(`frame ${k}: bad unit-cell record marker`, { file: path });
        unitCell = new Float64Array(6);
        for (let c = 0; c < 6; c++) unitCell[c] = buf.readDoubleLE(4 + 8 * c);
        at = 56;
      }
      const positions = new Float64Array(3 * n);
      for (let d = 0; d < 3; d++) {
        if (buf.readInt32LE(at) !== 4 * n) throw new InputError(`frame ${k}: bad coordinate record marker`, { file: path });
        at += 4;
        for (let i = 0; i < n; i++, at += 4) positions[3 * i + d] = buf.readFloatLE(at);
        at += 4;
      }
      frames.push({ step: header.istart + k * header.nsavc, unitCell, positions });
    }
    return { header, frames, framesOnDisk };
  } finally {
    closeSync(fd);
  }
}
