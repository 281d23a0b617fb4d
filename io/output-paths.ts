/**
 * "Would this output overwrite a file the user cares about?" Every command lists the files it
 * reads (structure, model, checkpoint, dataset, config) and the files it writes, each with the key
 * that names it; an output that is the same file as an input, or as another output of the same
 * run, is refused before anything is opened. Files are compared by real path — symlinks and `..`
 * resolved, also for outputs that do not exist yet — and, when both exist, by device and inode, so
 * a symlink or hard link of the model is caught too.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A file a command reads or writes, and how messages name it (a config key or a flag). */
export interface NamedPath {
  /** `potential.model`, `trajectory[1].path`, `--out`, `output.directory (checkpoint.json)`. */
  readonly key: string;
  /** The path as resolved by the command (absolute or relative to the working directory). */
  readonly path: string;
}

/**
 * The real path of `path`: symlinks resolved; for a file that does not exist yet, the real path of
 * its deepest existing folder joined with the rest.
 *
 * @example realPath('out/../model.onnx') // '/home/me/run/model.onnx', even before it exists
 */
export function realPath(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realPath(parent), basename(abs));
  }
}

/** True when `a` and `b` name one file: equal real paths, or the same device and inode (hard links). */
export function sameFile(a: string, b: string): boolean {
  if (realPath(a) === realPath(b)) return true;
  try {
    const sa = statSync(a), sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false; // one of them does not exist yet
  }
}

/** An output that would overwrite another file of the same command. */
export interface Clobber {
  readonly output: NamedPath;
  /** The input or the other output it collides with. */
  readonly other: NamedPath;
  readonly otherIs: 'input' | 'output';
}

/**
 * The first output that is the same file as an input or as an earlier output, or undefined.
 *
 * @example
 * const hit = findClobber([{ key: 'potential.model', path: 'm.onnx' }], [{ key: 'thermo.path', path: 'm.onnx' }]);
 * hit?.other.key // 'potential.model'
 */
export function findClobber(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): Clobber | undefined {
  for (let k = 0; k < outputs.length; k++) {
    const output = outputs[k]!;
    const input = inputs.find((i) => sameFile(i.path, output.path));
    if (input) return { output, other: input, otherIs: 'input' };
    const earlier = outputs.slice(0, k).find((o) => sameFile(o.path, output.path));
    if (earlier) return { output, other: earlier, otherIs: 'output' };
  }
  return undefined;
}

/**
 * The message for a clobber, to be prefixed with the output's location:
 * `is the same file as potential.model (water-nequip.onnx); writing it would destroy that input`.
 */
export function clobberMessage(c: Clobber, show: (path: string) => string = (p) => p): string {
  return c.otherIs === 'input'
    ? `is the same file as ${c.other.key} (${show(c.other.path)}); writing it would destroy that input — choose another file name`
    : `writes the same file as ${c.other.key} (${show(c.other.path)}); give each output its own file`;
}
