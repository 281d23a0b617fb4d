/**
 * Reads and validates input.json (DESIGN.md §4) into a RunSpec: every problem becomes one
 * InputError naming the file, line, column and JSON key path, raised before anything is written.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { z } from 'zod';
import { InputError, formatKeyPath } from './errors.js';
import { inputSchema, type InputJson } from './input-schema.js';
import { parseJsonLocated, type LocatedJson } from './json-locate.js';

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
  let text: string;
  try {
    text = readFileSync(inputPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'input file not found' : `cannot read input file (${code ?? String(e)})`, { file: inputPath });
  }
  return parseRunSpec(text, inputPath);
}

/** Validates input.json text; `inputPath` names the file in messages and anchors relative paths. */
export function parseRunSpec(text: string, inputPath: string): RunSpec {
  const doc = parseJsonLocated(text, inputPath);
  const parsed = inputSchema.safeParse(doc.value);
  if (!parsed.success) throw issueToError(parsed.error.issues, doc, inputPath);
  const input = parsed.data;
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

/** An InputError at the value of `key` in input.json. */
export function keyError(doc: LocatedJson, file: string, key: readonly (string | number)[], detail: string): InputError {
  const at = doc.locate(key);
  return new InputError(detail, { file, line: at.line, column: at.column, key: formatKeyPath(key) });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** The closest allowed key, for "did you mean": same key minus a unit suffix, a prefix match, or a small edit distance. */
function suggest(key: string, allowed: string[]): string | undefined {
  const lower = key.toLowerCase();
  const unitless = (k: string): string => k.toLowerCase().replace(/_(fs|ps|k|ev|a|per_ps)$/, '');
  const hit = allowed.find((a) => unitless(a) === unitless(key) || a.toLowerCase().startsWith(`${lower}_`));
  if (hit) return hit;
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(key.length / 4)) + 1;
  for (const a of allowed) {
    const d = editDistance(lower, a.toLowerCase());
    if (d < bestD) { bestD = d; best = a; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** Keys a strict object at `path` accepts, read from the schema by walking the same path. */
function allowedKeysAt(root: unknown, path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = inputSchema;
  let value: unknown = root;
  for (const p of path) {
    schema = unwrap(schema, value);
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') schema = (def.shape as Record<string, z.core.$ZodType>)[p as string];
    else if (def.type === 'array') schema = def.element as z.core.$ZodType;
    else if (def.type === 'record') schema = def.valueType as z.core.$ZodType;
    else return [];
    if (!schema) return [];
    value = (value as Record<PropertyKey, unknown> | undefined)?.[p as string];
  }
  schema = unwrap(schema, value);
  const def = schema._zod.def as unknown as Record<string, unknown>;
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** Sees through optional/default wrappers, and picks a discriminated-union member by the value's `kind`. */
function unwrap(schema: z.core.$ZodType, value: unknown): z.core.$ZodType {
  for (;;) {
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') schema = def.innerType as z.core.$ZodType;
    else if (def.type === 'union') {
      const kind = (value as { kind?: unknown } | undefined)?.kind;
      const options = def.options as z.core.$ZodType[];
      const match = options.find((o) => {
        const shape = (o._zod.def as unknown as { shape?: Record<string, z.core.$ZodType> }).shape;
        const lit = shape?.kind?._zod.def as unknown as { values?: unknown[] } | undefined;
        return lit?.values?.includes(kind);
      });
      if (!match) return schema;
      schema = match;
    } else return schema;
  }
}

/** Turns the first zod issue (in file order) into one InputError. */
function issueToError(issues: readonly z.core.$ZodIssue[], doc: LocatedJson, file: string): InputError {
  const ranked = issues
    .map((issue) => ({ issue, at: doc.locate(issue.path) }))
    // An unknown key is usually the cause of a "missing key" next to it (a misspelling), so it goes first.
    .sort((x, y) => rank(x.issue) - rank(y.issue) || x.at.line - y.at.line || x.at.column - y.at.column);
  const { issue } = ranked[0];
  const path = issue.path as (string | number)[];
  const got = valueAt(doc.value, path);
  const fail = (key: (string | number)[], detail: string): InputError => keyError(doc, file, key, detail);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      const allowed = allowedKeysAt(doc.value, path).filter((k) => k !== '$schema');
      const guess = suggest(key, allowed);
      const at = doc.locateKey([...path, key]) ?? doc.locate(path);
      const where = path.length ? `in ${formatKeyPath(path)}` : 'at the top level';
      const hint = guess ? `; did you mean "${guess}"?${/_[A-Za-z]+$/.test(guess) && !/_[A-Za-z]+$/.test(key) ? ' (units are part of key names)' : ''}` : '';
      return new InputError(`unknown key "${key}" ${where} (allowed: ${allowed.join(', ')})${hint}`, {
        file, line: at.line, column: at.column, key: formatKeyPath([...path, key]),
      });
    }
    case 'invalid_type': {
      if (got === undefined) {
        // Point at the object that lacks the key, but name the missing key's full path.
        const at = doc.locate(path.slice(0, -1));
        return new InputError(`missing required key "${String(path[path.length - 1])}" (${describeExpected(issue.expected)})`, {
          file, line: at.line, column: at.column, key: formatKeyPath(path),
        });
      }
      return fail(path, `expected ${describeExpected(issue.expected)}, got ${describeValue(got)}`);
    }
    case 'too_small': {
      if (issue.origin === 'array') return fail(path, `needs at least ${String(issue.minimum)} entries`);
      if (issue.origin === 'string') return fail(path, 'must not be empty');
      return fail(path, `must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}, got ${JSON.stringify(got)}`);
    }
    case 'too_big':
      return fail(path, `must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}, got ${JSON.stringify(got)}`);
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as unknown as { options?: unknown[] }).options ?? [];
        return fail(path, `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeValue(got)}`);
      }
      return fail(path, issue.message);
    }
    case 'invalid_value':
      return fail(path, `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(got)}`);
    case 'invalid_format':
      return fail(path, `${describeValue(got)} ${issue.message}`);
    case 'invalid_key': {
      const key = String(path[path.length - 1]);
      const at = doc.locateKey(path) ?? doc.locate(path);
      return new InputError(`key "${key}" ${issue.issues[0]?.message ?? 'is not allowed here'}`, { file, line: at.line, column: at.column, key: formatKeyPath(path) });
    }
    case 'not_multiple_of':
      return fail(path, `must be a multiple of ${String(issue.divisor)}`);
    default:
      return fail(path, issue.message);
  }
}

function rank(issue: z.core.$ZodIssue): number {
  return issue.code === 'unrecognized_keys' ? 0 : 1;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'number': return 'a number';
    case 'int': return 'an integer';
    case 'string': return 'a string';
    case 'boolean': return 'true or false';
    case 'object': return 'an object';
    case 'array': return 'an array';
    default: return expected;
  }
}
