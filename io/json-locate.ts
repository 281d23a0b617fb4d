/**
 * A strict JSON (RFC 8259) parser that also remembers where each value starts, so that a
 * validation error about `integrator.timestep_fs` can point at its line and column. Built-in
 * `JSON.parse` reports only a character offset for syntax errors (and in Node 20 not always
 * that) and nothing at all about where a valid-but-wrong value sits.
 */
import { InputError } from './errors.js';

/** 1-based line and column of a value (or key) in the source text. */
export interface TextPosition {
  line: number;
  column: number;
}

/** A parsed JSON document and the positions of its values. */
export interface LocatedJson {
  /** The parsed value, as `JSON.parse` would return it. */
  value: unknown;
  /**
   * Position of the value at `path` (`['trajectory', 1, 'every']`); for a path that does not exist,
   * the position of its deepest existing ancestor (so a missing key points at the object that lacks it).
   */
  locate(path: readonly PropertyKey[]): TextPosition;
  /** Position of the key itself (the quoted name) for an object member, when there is one. */
  locateKey(path: readonly PropertyKey[]): TextPosition | undefined;
}

/**
 * Parses `text` as JSON, recording value positions.
 *
 * @param file named in syntax-error messages.
 * @throws InputError `file:line:column: JSON syntax error: …` on malformed text or a duplicated key.
 * @example
 * const doc = parseJsonLocated('{\n  "steps": -1\n}', 'input.json');
 * doc.locate(['steps']); // { line: 2, column: 12 }
 */
export function parseJsonLocated(text: string, file = '<json>'): LocatedJson {
  const valuePos = new Map<string, number>();
  const keyPos = new Map<string, number>();
  let i = 0;

  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const toPosition = (offset: number): TextPosition => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  const fail = (what: string, at = i): never => {
    const p = toPosition(Math.min(at, text.length));
    throw new InputError(`JSON syntax error: ${what}`, { file, line: p.line, column: p.column });
  };
  const describe = (at: number): string => (at >= text.length ? 'end of file' : `'${text[at]}'`);

  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else if (c === 47 && (text[i + 1] === '/' || text[i + 1] === '*')) fail('comments are not allowed in JSON');
      else return;
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail(`invalid escape '\\${e ?? ''}' in string`);
      }
      if (text.charCodeAt(i) < 32) fail('unescaped control character (e.g. a newline) in string');
      out += c;
      i++;
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  const parseValue = (path: string): unknown => {
    skipSpace();
    valuePos.set(path, i);
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skipSpace();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma before }' : `expected a quoted key, found ${describe(i)}`);
        const keyAt = i;
        const key = parseString();
        const childPath = `${path}\u0000${key}`;
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`key "${key}" appears twice in the same object`, keyAt);
        keyPos.set(childPath, keyAt);
        skipSpace();
        if (text[i] !== ':') fail(`expected ':' after key "${key}", found ${describe(i)}`);
        i++;
        obj[key] = parseValue(childPath);
        skipSpace();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail(`expected ',' or '}' after the value of "${key}", found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      skipSpace();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(parseValue(`${path}\u0000${arr.length}`));
        skipSpace();
        if (text[i] === ',') {
          i++;
          skipSpace();
          if (text[i] === ']') fail('trailing comma before ]');
          continue;
        }
        if (text[i] === ']') { i++; return arr; }
        fail(`expected ',' or ']' in array, found ${describe(i)}`);
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) { i += m[0].length; return Number(m[0]); }
    if (c === "'") fail('strings must use double quotes');
    return fail(`expected a value, found ${describe(i)}`);
  };

  const value = parseValue('');
  skipSpace();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the document`);

  const keyOf = (path: readonly PropertyKey[]): string => path.map((p) => `\u0000${String(p)}`).join('');
  return {
    value,
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const at = valuePos.get(keyOf(path.slice(0, n)));
        if (at !== undefined) return toPosition(at);
      }
      return { line: 1, column: 1 };
    },
    locateKey(path) {
      const at = keyPos.get(keyOf(path));
      return at === undefined ? undefined : toPosition(at);
    },
  };
}
