/**
 * The error types a user acts on: InputError for bad input (input.json, structure files,
 * checkpoints) and OutputError for an output that cannot be written. The CLI prints the message
 * alone, without a stack: it must say what is wrong and where (file, line, column, JSON key path)
 * on its own. `readInputFile` turns a missing or unreadable input file into an InputError.
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

/** Short words for the errno codes a user can act on; the code itself follows in parentheses. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'a file of that name is in the way',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

/** `no space left on device (ENOSPC)` for a Node file-system error; its message otherwise. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code && ERRNO_WORDS[code]) return `${ERRNO_WORDS[code]} (${code})`;
  // Node's own wording is `CODE: what, syscall 'path'`: keep only what.
  return code ? `${(e as Error).message.replace(/^[A-Z]+: /, '').split(',')[0]} (${code})` : String((e as Error)?.message ?? e);
}

/**
 * An output file could not be written (full disk, read-only folder, no permission). The message
 * names the file and the reason: `cannot write run.ckpt: no space left on device (ENOSPC)`.
 * Raised before step 0 it is a setup problem (exit 2); during a run, a failure (exit 1).
 *
 * @example throw new OutputError('traj.xyz', err);
 */
export class OutputError extends Error {
  /** The file that could not be written. */
  readonly file: string;
  /** The errno code, when the cause was a file-system error. */
  readonly code: string | undefined;

  constructor(file: string, cause: unknown, verb = 'write') {
    super(`cannot ${verb} ${file}: ${describeFsError(cause)}`);
    this.name = 'OutputError';
    this.file = file;
    this.code = (cause as NodeJS.ErrnoException | null)?.code;
  }
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
