/** Restarts cut text outputs (thermo CSV, extxyz trajectory) back to the checkpoint and append to them. */
import { closeSync, ftruncateSync, openSync } from 'node:fs';

/**
 * Truncates the existing file `path` to its first `keepBytes` bytes and opens it for appending.
 *
 * @returns the file descriptor, opened with flag `a`.
 * @example
 * const fd = truncateForAppend('thermo.csv', thermoCsvKeepBytes('thermo.csv', 1000));
 */
export function truncateForAppend(path: string, keepBytes: number): number {
  const fd = openSync(path, 'r+');
  ftruncateSync(fd, keepBytes);
  closeSync(fd);
  return openSync(path, 'a');
}
