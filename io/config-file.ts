/**
 * JSON configuration files checked against a zod schema, with every problem reported as one
 * InputError naming the file, line, column and key path (input.json, the `e3md train` config).
 * The first issue in file order wins, unknown keys first: a misspelt key is usually what makes
 * a required one look missing.
 */
import type { z } from 'zod';
import { InputError, formatKeyPath, readInputFile } from './errors.js';
import { parseJsonLocated, type LocatedJson } from './json-locate.js';

/**
 * Reads a configuration file's text.
 * @param what how messages name the file: `'input file'`, `'config file'`.
 * @throws InputError `input.json: input file not found`
 */
export function readConfigText(path: string, what: string): string {
  return readInputFile(path, what).toString('utf8');
}

/**
 * Parses JSON text (located, for messages) and validates it with `schema`.
 * @throws InputError such as `train.json:12:19: training.batch_size: must be ≥ 1, got 0`
 * @example const { value, doc } = parseConfig(text, 'input.json', inputSchema);
 */
export function parseConfig<S extends z.ZodType>(text: string, file: string, schema: S): { value: z.output<S>; doc: LocatedJson } {
  const doc = parseJsonLocated(text, file);
  const parsed = schema.safeParse(doc.value);
  if (!parsed.success) throw issueToError(parsed.error.issues, doc, file, schema);
  return { value: parsed.data, doc };
}

/** An InputError at the value of `key` of a located JSON document. */
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
function allowedKeysAt(rootSchema: z.core.$ZodType, root: unknown, path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = rootSchema;
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
  return def.type === 'object' ? Object.keys(def.shape as object).filter((k) => k !== '$schema') : [];
}

/**
 * Sees through optional/default/prefault wrappers, and picks the member of a discriminated union whose
 * literal field (`kind`, `architecture`, …) matches the value.
 */
function unwrap(schema: z.core.$ZodType, value: unknown): z.core.$ZodType {
  for (;;) {
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') schema = def.innerType as z.core.$ZodType;
    else if (def.type === 'union') {
      const options = def.options as z.core.$ZodType[];
      const match = options.find((o) => {
        const shape = (o._zod.def as unknown as { shape?: Record<string, z.core.$ZodType> }).shape ?? {};
        return Object.entries(shape).some(([field, s]) => {
          const lit = s._zod.def as unknown as { type?: string; values?: unknown[] };
          return lit.type === 'literal' && lit.values?.includes((value as Record<string, unknown> | undefined)?.[field]);
        });
      });
      if (!match) return schema;
      schema = match;
    } else return schema;
  }
}

/** Turns the first zod issue (in file order) into one InputError. */
function issueToError(issues: readonly z.core.$ZodIssue[], doc: LocatedJson, file: string, schema: z.core.$ZodType): InputError {
  const ranked = issues
    .map((issue) => ({ issue, at: doc.locate(issue.path) }))
    // An unknown key is usually the cause of a "missing key" next to it (a misspelling), so it goes first.
    .sort((x, y) => rank(x.issue) - rank(y.issue) || x.at.line - y.at.line || x.at.column - y.at.column);
  const { issue } = ranked[0];
  const path = issue.path as (string | number)[];
  const got = valueAt(doc.value, path);
  const fail = (key: (string | number)[], detail: string): InputError => keyError(doc, file, key, detail);
  // Points at the object that lacks the key, but names the missing key's full path.
  const missing = (expected: string): InputError => {
    const at = doc.locate(path.slice(0, -1));
    return new InputError(`missing required key "${String(path[path.length - 1])}" (${expected})`, {
      file, line: at.line, column: at.column, key: formatKeyPath(path),
    });
  };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      const allowed = allowedKeysAt(schema, doc.value, path);
      const guess = suggest(key, allowed);
      const at = doc.locateKey([...path, key]) ?? doc.locate(path);
      const where = path.length ? `in ${formatKeyPath(path)}` : 'at the top level';
      const hint = guess ? `; did you mean "${guess}"?${/_[A-Za-z]+$/.test(guess) && !/_[A-Za-z]+$/.test(key) ? ' (units are part of key names)' : ''}` : '';
      return new InputError(`unknown key "${key}" ${where} (allowed: ${allowed.join(', ')})${hint}`, {
        file, line: at.line, column: at.column, key: formatKeyPath([...path, key]),
      });
    }
    case 'invalid_type': {
      if (got === undefined) return missing(describeExpected(issue.expected));
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
        const options = ((issue as unknown as { options?: unknown[] }).options ?? []).map((o) => JSON.stringify(o)).join(', ');
        if (got === undefined) return missing(`one of ${options}`);
        return fail(path, `must be one of ${options}, got ${describeValue(got)}`);
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
