/**
 * A file that grows record by record during a run (thermo CSV, extxyz and DCD trajectories), with
 * three promises:
 *
 * - A fresh file is written under a temporary name (`<path>.tmp`, created when the run opens its
 *   outputs, so an unwritable folder is found before step 0) and renamed to its real name when the
 *   first record is complete: the real name never holds an empty or header-only file, and an old
 *   file of that name stays until the new run has something to replace it with.
 * - A failed write (full disk, I/O error) cuts the file back to its last complete record and
 *   raises an OutputError naming the file; a file never published removes its temporary name.
 * - A restart continues the existing file in place, cut back to `keepBytes`.
 *
 * Readers of the file see whole records as long as each record is written by the caller in an
 * order that keeps every prefix readable (see extxyz's commit protocol in trajectory.ts).
 */
import { closeSync, ftruncateSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { temporaryPath, writeAll } from './atomic-write.js';
import { OutputError } from './errors.js';

/** Page size of the page cache: a write inside one page is done whole or not at all, even under kill -9. */
export const PAGE_BYTES = 4096;

/** An output file written in records. */
export interface OutputFile {
  /** The file's real name. */
  readonly path: string;
  /** Bytes of complete records in the file. */
  readonly size: number;
  /** Writes `data` at byte `at` (default: the end). Does not move `size`: call `complete` after a record. */
  write(data: Uint8Array, at?: number): void;
  /** Marks the file complete up to byte `size` (a record ends there) and publishes a fresh file under its real name. */
  complete(size: number): void;
  /** Closes the file; a fresh file that never got a record is removed. */
  close(): void;
}

/** How an output file starts. */
export interface OutputFileOptions {
  /** Bytes at the start of a fresh file (CSV header, DCD header), part of the first record. */
  header?: Uint8Array;
  /**
   * Continue the existing file in place, keeping its first `keepBytes` bytes (a restart). Without
   * it the file is created fresh under its temporary name.
   */
  keepBytes?: number;
  /** How messages name the file (default `path`). */
  displayPath?: string;
}

/**
 * Opens an output file.
 * @throws OutputError when the file (or its temporary name) cannot be created or opened for writing.
 * @example
 * const f = openOutputFile('thermo.csv', { header: Buffer.from('step,…\n') });
 * f.write(Buffer.from(row)); f.complete(f.size + row.length);
 */
export function openOutputFile(path: string, options: OutputFileOptions = {}): OutputFile {
  const show = options.displayPath ?? path;
  const fresh = options.keepBytes === undefined;
  const tmp = temporaryPath(path);
  let fd: number;
  let size = 0;
  try {
    if (fresh) {
      fd = openSync(tmp, 'w');
    } else {
      fd = openSync(path, 'r+');
      ftruncateSync(fd, options.keepBytes!);
      size = options.keepBytes!;
    }
  } catch (e) {
    throw new OutputError(show, e, fresh ? 'create' : 'open for appending');
  }
  let published = !fresh;
  let open = true;
  const fail = (e: unknown): never => {
    // Give the space back and keep the file readable: drop the record that did not fit.
    try { ftruncateSync(fd, size); } catch { /* the write error is the one to report */ }
    throw new OutputError(show, e);
  };
  if (fresh && options.header && options.header.length > 0) {
    try {
      writeAll(fd, options.header, 0);
    } catch (e) {
      closeSync(fd);
      try { unlinkSync(tmp); } catch { /* already gone */ }
      throw new OutputError(show, e);
    }
    size = options.header.length;
  }
  return {
    path,
    get size() { return size; },
    write(data, at) {
      if (!open) throw new Error(`${show}: write after close`);
      try {
        writeAll(fd, data, at ?? size);
      } catch (e) {
        fail(e);
      }
    },
    complete(newSize) {
      size = newSize;
      if (published) return;
      try {
        renameSync(tmp, path);
      } catch (e) {
        fail(e);
      }
      published = true;
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
      if (!published) {
        try { unlinkSync(tmp); } catch { /* already gone */ }
      }
    },
  };
}
