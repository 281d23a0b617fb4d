/**
 * The comment (second) line of an extended XYZ frame in ASE's dialect: whitespace-separated
 * `key=value` pairs where a value is bare (`energy=-1.5`), double-quoted with backslash escapes
 * (`Lattice="5 0 0 0 5 0 0 0 5"`), or in braces (`pbc={T T T}`); a key with no `=` means true.
 */

/** A value from the comment line: number, boolean, string, or a whitespace-separated list of numbers/booleans. */
export type InfoValue = number | boolean | string | number[] | boolean[];

/**
 * Splits an extxyz comment line into raw key/value text, in order. Bare keys get the value `'T'`.
 *
 * @returns null when the line is not key=value syntax (a plain-XYZ free-text comment).
 * @example parseCommentPairs('Lattice="1 0 0 0 1 0 0 0 1" pbc="T T T" energy=-3')
 *   // Map { 'Lattice' => '1 0 0 0 1 0 0 0 1', 'pbc' => 'T T T', 'energy' => '-3' }
 */
export function parseCommentPairs(line: string): Map<string, string> | null {
  const out = new Map<string, string>();
  let i = 0;
  const n = line.length;
  const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r';
  while (i < n) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) break;
    const keyStart = i;
    let key: string;
    if (line[i] === '"') {
      const r = readQuoted(line, i);
      if (!r) return null;
      key = r.text;
      i = r.end;
    } else {
      while (i < n && !isSpace(line[i]) && line[i] !== '=') i++;
      key = line.slice(keyStart, i);
    }
    if (!/^[A-Za-z_][\w\-.:]*$/.test(key)) return null;
    while (i < n && isSpace(line[i])) i++;
    if (line[i] !== '=') {
      out.set(key, 'T');
      continue;
    }
    i++;
    while (i < n && isSpace(line[i])) i++;
    if (line[i] === '"') {
      const r = readQuoted(line, i);
      if (!r) return null;
      out.set(key, r.text);
      i = r.end;
    } else if (line[i] === '{' || line[i] === '[') {
      const close = line[i] === '{' ? '}' : ']';
      const end = line.indexOf(close, i);
      if (end < 0) return null;
      out.set(key, line.slice(i + 1, end).replace(/[,[\]]/g, ' ').trim());
      i = end + 1;
    } else {
      const start = i;
      while (i < n && !isSpace(line[i])) i++;
      if (i === start) return null;
      out.set(key, line.slice(start, i));
    }
  }
  return out;
}

function readQuoted(line: string, start: number): { text: string; end: number } | null {
  let text = '';
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      const e = line[++i];
      text += e === 'n' ? '\n' : e;
    } else if (c === '"') {
      return { text, end: i + 1 };
    } else {
      text += c;
    }
  }
  return null;
}

const TRUE = new Set(['T', 'True', 'true', 'TRUE']);
const FALSE = new Set(['F', 'False', 'false', 'FALSE']);

/** Parses an extxyz logical (`T`, `F`, `True`, `false`, …), or undefined if it is not one. */
export function parseLogical(s: string): boolean | undefined {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

/**
 * Interprets a raw value the way ASE does: a number, a boolean, a list of numbers or of booleans,
 * otherwise the string itself.
 */
export function interpretValue(raw: string): InfoValue {
  const parts = raw.trim().split(/\s+/);
  if (parts.length === 1) {
    const num = Number(parts[0]);
    if (parts[0] !== '' && Number.isFinite(num)) return num;
    const b = parseLogical(parts[0]);
    return b ?? raw;
  }
  const nums = parts.map(Number);
  if (nums.every(Number.isFinite)) return nums;
  const bools = parts.map(parseLogical);
  if (bools.every((b) => b !== undefined)) return bools as boolean[];
  return raw;
}

/**
 * Formats one info value for a comment line, quoting when it contains spaces or quotes. Inside
 * quotes, backslashes, quotes and newlines are escaped (`\\`, `\"`, `\n`) as `parseCommentPairs`
 * reads them, so the value stays on its one line.
 */
export function formatInfoValue(v: InfoValue): string {
  let s: string;
  if (Array.isArray(v)) s = v.map((x) => (typeof x === 'boolean' ? (x ? 'T' : 'F') : String(x))).join(' ');
  else if (typeof v === 'boolean') s = v ? 'T' : 'F';
  else s = String(v);
  return /[\s"=]/.test(s) || s === '' ? `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"` : s;
}
