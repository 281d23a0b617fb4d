/**
 * The one error type for bad user input (input.json, structure files, checkpoints). The CLI prints
 * its message alone, without a stack, and exits non-zero: the message must therefore say what is
 * wrong and where (file, line, column, JSON key path) on its own. `readInputFile` turns a missing
 * or unreadable input file into one.
 */
import { readFileSync } from 'node:fs';

/** Where in a user file a problem sits. Every field is optional; present ones are printed. */
export interface InputLocation {
  /** File path as the user gave it (or as resolved). */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column number. */
  column?: number;
  /** JSON key path such as `potential.sigma_A` or `trajectory[1].every`. */
  key?: string;
}

/**
 * A problem with user input, with its location folded into the message as
 * `file:line:column: key: what is wrong`.
 *
 * @example
 * throw new InputError('expected a number > 0, got -1', { file: 'input.json', line: 4, column: 18, key: 'integrator.timestep_fs' });
 * // message: "input.json:4:18: integrator.timestep_fs: expected a number > 0, got -1"
 */
export class InputError extends Error {
  /** The location the message names. */
  readonly location: InputLocation;
  /** The bare description, without the location prefix. */
  readonly detail: string;

  constructor(detail: string, location: InputLocation = {}) {
    super(formatLocation(location) + detail);
    this.name = 'InputError';
    this.detail = detail;
    this.location = { ...location };
  }
}

/** `file:line:column: key: ` with absent parts left out (empty string when nothing is known). */
export function formatLocation(loc: InputLocation): string {
  let where = loc.file ?? '';
  if (loc.line !== undefined) where += `${where ? ':' : 'line '}${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) where += `:${loc.column}`;
  let out = where ? `${where}: ` : '';
  if (loc.key) out += `${loc.key}: `;
  return out;
}

/** Formats a JSON path (`['trajectory', 1, 'every']`) as `trajectory[1].every`; the root is `(top level)`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s ? `.${String(p)}` : String(p);
  }
  return s || '(top level)';
}

/**
 * Reads a user's input file whole.
 * @param what how messages name the file: `'structure file'`, `'checkpoint file'`.
 * @throws InputError `run.ckpt: checkpoint file not found`, or `cannot read checkpoint file (EACCES)`.
 */
export function readInputFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${what} not found` : `cannot read ${what} (${code ?? String(e)})`, { file: path });
  }
}
