/**
 * Reads and validates input.json (DESIGN.md §4) into a RunSpec: every problem becomes one
 * InputError naming the file, line, column and JSON key path, raised before anything is written.
 */
import { dirname, extname, resolve } from 'node:path';
import { keyError, parseConfig, readConfigText } from './config-file.js';
import { type InputError, formatKeyPath } from './errors.js';
import { inputSchema, type InputJson } from './input-schema.js';

/** Trajectory file formats, chosen by extension. */
export type TrajectoryFormat = 'extxyz' | 'dcd';

/** A trajectory output with its path resolved and its format known. */
export interface TrajectorySpec {
  /** Absolute path. */
  path: string;
  every: number;
  format: TrajectoryFormat;
}

/**
 * A validated run description: input.json with defaults filled in and every path made absolute
 * (relative paths are relative to the input file's folder).
 */
export interface RunSpec extends Omit<InputJson, 'trajectory' | '$schema'> {
  /** Absolute path of the input file. */
  inputPath: string;
  trajectory: TrajectorySpec[];
  /**
   * An InputError located at `key` in the input file, for checks made after parsing (species
   * without parameters, a checkpoint that does not fit): `spec.keyError(['potential', 'species'], '…')`.
   */
  keyError(key: readonly (string | number)[], detail: string): InputError;
}

const TRAJECTORY_EXTENSIONS: Record<string, TrajectoryFormat> = { '.xyz': 'extxyz', '.extxyz': 'extxyz', '.dcd': 'dcd' };

/**
 * Reads, parses and validates an input file.
 *
 * @throws InputError with one message such as
 *   `examples/argon/input.json:7:20: integrator.timestep_fs: must be > 0, got -2`.
 * @example
 * const spec = loadRunSpec('examples/argon/input.json');
 * spec.structure; // absolute path of the structure file
 */
export function loadRunSpec(inputPath: string): RunSpec {
  return parseRunSpec(readConfigText(inputPath, 'input file'), inputPath);
}

/** Validates input.json text; `inputPath` names the file in messages and anchors relative paths. */
export function parseRunSpec(text: string, inputPath: string): RunSpec {
  const { value: input, doc } = parseConfig(text, inputPath, inputSchema);
  const base = dirname(resolve(inputPath));
  const abs = (p: string): string => resolve(base, p);

  const trajectory = input.trajectory.map((t, k): TrajectorySpec => {
    const format = TRAJECTORY_EXTENSIONS[extname(t.path).toLowerCase()];
    if (!format) throw keyError(doc, inputPath, ['trajectory', k, 'path'], `"${t.path}": unknown trajectory format; use a .xyz, .extxyz or .dcd file name`);
    return { path: abs(t.path), every: t.every, format };
  });

  // Two outputs writing one file would corrupt each other; catch it before anything is opened.
  const outputs: [string, (string | number)[]][] = trajectory.map((t, k) => [t.path, ['trajectory', k, 'path']]);
  if (input.thermo?.path) outputs.push([abs(input.thermo.path), ['thermo', 'path']]);
  if (input.checkpoint) outputs.push([abs(input.checkpoint.path), ['checkpoint', 'path']]);
  const seen = new Map<string, (string | number)[]>();
  for (const [p, key] of outputs) {
    const first = seen.get(p);
    if (first) throw keyError(doc, inputPath, key, `writes the same file as ${formatKeyPath(first)}`);
    if (p === abs(input.structure) || p === resolve(inputPath)) throw keyError(doc, inputPath, key, 'would overwrite an input file');
    seen.set(p, key);
  }

  const { $schema: _ignored, ...rest } = input;
  return {
    ...rest,
    inputPath: resolve(inputPath),
    structure: abs(input.structure),
    potential: input.potential.kind === 'onnx' ? { ...input.potential, model: abs(input.potential.model) } : input.potential,
    thermo: input.thermo && { ...input.thermo, path: input.thermo.path === undefined ? undefined : abs(input.thermo.path) },
    trajectory,
    checkpoint: input.checkpoint && { ...input.checkpoint, path: abs(input.checkpoint.path) },
    keyError: (key, detail) => keyError(doc, inputPath, key, detail),
  };
}
