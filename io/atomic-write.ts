/**
 * Whole-file outputs (checkpoints, models, reports, eval results) are written to a temporary name
 * next to the target and renamed over it: a kill or a full disk leaves either the old file or the
 * new one, never half of one, and a failed write removes its temporary file. Errors become an
 * OutputError naming the target file.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { OutputError } from './errors.js';

/** The temporary name a whole-file output is written under before the rename: `<path>.tmp`. */
export function temporaryPath(path: string): string {
  return `${path}.tmp`;
}

/** Writes all of `data` at `position` (or the current offset), looping over short writes. */
export function writeAll(fd: number, data: Uint8Array, position?: number): void {
  let done = 0;
  while (done < data.length) {
    const n = writeSync(fd, data, done, data.length - done, position === undefined ? null : position + done);
    if (n <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += n;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or never created
  }
}

/**
 * Writes `data` to `path` atomically: to `<path>.tmp`, flushed, then renamed over `path`.
 *
 * @param displayPath how the message names the file (default `path`).
 * @throws OutputError `cannot write run.ckpt: no space left on device (ENOSPC)`; the temporary file is removed.
 * @example writeFileAtomic('out/report.json', JSON.stringify(report));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, displayPath = path): void {
  const tmp = temporaryPath(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    writeAll(fd, bytes);
    // On a full disk some file systems report the failure only when the data reach the disk.
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) {
      try { closeSync(fd); } catch { /* the write error is the one to report */ }
    }
    unlinkQuietly(tmp);
    throw new OutputError(displayPath, e);
  }
}

/**
 * Checks that `path` can be created or replaced, by creating (and removing) its temporary file,
 * so a read-only or missing folder is found before a long run rather than at its first checkpoint.
 *
 * @throws OutputError `cannot write out/run.ckpt: read-only file system (EROFS)`
 */
export function checkWritable(path: string, displayPath = path): void {
  const tmp = temporaryPath(path);
  try {
    closeSync(openSync(tmp, 'w'));
  } catch (e) {
    throw new OutputError(displayPath, e);
  }
  unlinkQuietly(tmp);
}
