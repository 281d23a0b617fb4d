/**
 * Reads and validates input.json (DESIGN.md §4) into a RunSpec: every problem becomes one
 * InputError naming the file, line, column and JSON key path, raised before anything is written.
 */
import { dirname, extname, relative, resolve } from 'node:path';
import { keyError, parseConfig, readConfigText } from './config-file.js';
import { type InputError, formatKeyPath } from './errors.js';
import { inputSchema, type InputJson } from './input-schema.js';
import { clobberMessage, findClobber, type NamedPath } from './output-paths.js';

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

  // An output that is an input (the model, the structure) or another output would destroy it or
  // corrupt both: refuse before anything is opened. Real paths, so a symlink alias is caught too.
  const outputKeys: (string | number)[][] = trajectory.map((_, k) => ['trajectory', k, 'path']);
  const outputs: NamedPath[] = trajectory.map((t, k) => ({ key: formatKeyPath(outputKeys[k]!), path: t.path }));
  const addOutput = (key: (string | number)[], path: string): void => {
    outputKeys.push(key);
    outputs.push({ key: formatKeyPath(key), path });
  };
  if (input.thermo?.path) addOutput(['thermo', 'path'], abs(input.thermo.path));
  if (input.checkpoint) addOutput(['checkpoint', 'path'], abs(input.checkpoint.path));
  const inputs: NamedPath[] = [{ key: 'the input file', path: resolve(inputPath) }, { key: 'structure', path: abs(input.structure) }];
  if (input.potential.kind === 'onnx') inputs.push({ key: 'potential.model', path: abs(input.potential.model) });
  const clobber = findClobber(inputs, outputs);
  if (clobber) throw keyError(doc, inputPath, outputKeys[outputs.indexOf(clobber.output)]!, clobberMessage(clobber, (p) => relativeTo(base, p)));
  if (input.parallel?.devices && input.parallel.devices.length !== input.parallel.workers) {
    throw keyError(doc, inputPath, ['parallel', 'devices'], `lists ${input.parallel.devices.length} devices for ${input.parallel.workers} workers; give one per worker`);
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

/** `p` relative to `base` when it lies inside it (how input.json wrote it), else absolute. */
function relativeTo(base: string, p: string): string {
  const r = relative(base, p);
  return r && !r.startsWith('..') ? r : p;
}
