/**
 * Extended XYZ reader in ASE's dialect (DESIGN.md §3): one or more frames, each an atom-count line,
 * a comment line of `key=value` pairs (`Lattice`, `Properties`, `pbc`, `energy`, …), then one line
 * per atom with the columns `Properties` declares. Plain XYZ (free-text comment) reads as an open
 * (non-periodic) frame with `species:S:1:pos:R:3`.
 */
import { Box, aseTimeUnit_fs, atomicMass } from '../engine/index.js';
import { InputError, readInputFile } from './errors.js';
import { interpretValue, parseCommentPairs, parseLogical, type InfoValue } from './extxyz-comment.js';

/** One per-atom column declared by `Properties=name:type:count`. */
export interface ExtxyzColumn {
  name: string;
  /** S string, R real, I integer, L logical. */
  type: 'S' | 'R' | 'I' | 'L';
  count: number;
}

/** One frame of an extxyz file. Per-atom vectors are [N,3] row-major. */
export interface XyzFrame {
  /** Chemical symbol of each atom, length N. */
  symbols: string[];
  /** (N, 3) positions, Å. */
  positions: Float64Array;
  /** Cell (rows = lattice vectors, Å) and periodicity; `Box.open()` when there is no `Lattice`. */
  box: Box;
  /** (N, 3) velocities, Å/fs: from `velocities:R:3`, or from ASE `momenta:R:3` converted. */
  velocities?: Float64Array;
  /** (N,) masses, amu, when the file has a `masses:R:1` column. */
  masses?: Float64Array;
  /** (N, 3) forces, eV/Å, when the file has a `forces:R:3` column. */
  forces?: Float64Array;
  /** Total energy, eV, from `energy=` on the comment line. */
  energy_eV?: number;
  /** Every other comment-line key (not Lattice, Properties, pbc, energy), interpreted as ASE does. */
  info: Map<string, InfoValue>;
  /** Every other per-atom column, by name: numbers as Float64Array (count per atom, row-major), strings as string[]. */
  arrays: Map<string, Float64Array | string[]>;
  /** Every column `Properties` declares, in file order (`arrays` entries keep their declared type and count here). */
  columns: ExtxyzColumn[];
  /** 1-based line of this frame's atom-count line (first line of the frame); in extxyz atom i is on line `line + 2 + i`. */
  line: number;
  /** (N,) 1-based line of each atom, for formats where it is not `line + 2 + i` (POSCAR, LAMMPS data); see `atomLine`. */
  atomLines?: Int32Array;
  /** Choices the reader made that the user should hear about (printed as notes by `e3md run`). */
  remarks?: string[];
}

/** The 1-based line of atom `i` (0-based) of a frame, in whatever format it was read from. */
export function atomLine(frame: Pick<XyzFrame, 'line' | 'atomLines'>, i: number): number {
  return frame.atomLines ? frame.atomLines[i]! : frame.line + 2 + i;
}

const KNOWN_KEYS = new Set(['Lattice', 'Properties', 'pbc', 'energy']);

/** Parses a `Properties=` value (`species:S:1:pos:R:3`) into columns; throws a plain Error with the reason. */
export function parseProperties(spec: string): ExtxyzColumn[] {
  const f = spec.split(':');
  if (f.length % 3 !== 0) throw new Error(`Properties="${spec}" is not a list of name:type:count triples`);
  const cols: ExtxyzColumn[] = [];
  for (let k = 0; k < f.length; k += 3) {
    const type = f[k + 1];
    const count = Number(f[k + 2]);
    if (type !== 'S' && type !== 'R' && type !== 'I' && type !== 'L') throw new Error(`Properties: column "${f[k]}" has type "${type}", expected S, R, I or L`);
    if (!Number.isInteger(count) || count < 1) throw new Error(`Properties: column "${f[k]}" has count "${f[k + 2]}", expected a positive integer`);
    if (cols.some((c) => c.name === f[k])) throw new Error(`Properties: column "${f[k]}" is declared twice`);
    cols.push({ name: f[k], type, count });
  }
  return cols;
}

/**
 * Parses every frame of extxyz text.
 *
 * @param file named in error messages.
 * @throws InputError naming `file:line` for a bad count line, comment line, column or value.
 * @example
 * const [frame] = parseExtxyz('1\nLattice="5 0 0 0 5 0 0 0 5" pbc="T T T"\nAr 0 0 0\n', 'ar.xyz');
 * frame.box.volume; // 125
 */
export function parseExtxyz(text: string, file = '<extxyz>'): XyzFrame[] {
  const lines = text.split('\n');
  const frames: XyzFrame[] = [];
  let li = 0;
  while (li < lines.length) {
    if (lines[li].trim() === '') {
      // Blank lines between or after frames are skipped. A line of spaces followed by more text is
      // where ASE stops reading: the blank count line of a frame whose writing was cut short by a
      // kill (io/extxyz-append.ts); the frames before it are the file.
      let next = li + 1;
      while (next < lines.length && lines[next].trim() === '') next++;
      if (lines[li] !== '' && next < lines.length && !/^\s*\d+\s*$/.test(lines[next])) break;
      li = next;
      continue;
    }
    frames.push(parseFrame(lines, li, file));
    li += 2 + frames[frames.length - 1].symbols.length;
  }
  if (frames.length === 0) throw new InputError('no frames: the file is empty', { file });
  return frames;
}

/** Reads every frame of an extxyz/xyz file. @throws InputError naming the file (and line) when missing or malformed. */
export function readExtxyz(path: string): XyzFrame[] {
  return parseExtxyz(readInputFile(path, 'structure file').toString('utf8'), path);
}

function parseFrame(lines: string[], start: number, file: string): XyzFrame {
  const at = (line: number, msg: string): InputError => new InputError(msg, { file, line: line + 1 });
  const countText = lines[start].trim();
  if (!/^\d+$/.test(countText)) throw at(start, `expected the number of atoms on this line, found "${countText.slice(0, 40)}"`);
  const n = Number(countText);
  if (start + 1 >= lines.length) throw at(start, `frame of ${n} atoms has no comment line (file truncated?)`);
  const commentLine = lines[start + 1].replace(/\r$/, '');
  const pairs = commentLine.includes('=') ? parseCommentPairs(commentLine) : null;
  if (commentLine.includes('=') && pairs === null) throw at(start + 1, 'cannot parse the comment line as key=value pairs (unbalanced quotes?)');

  let columns: ExtxyzColumn[] = [{ name: 'species', type: 'S', count: 1 }, { name: 'pos', type: 'R', count: 3 }];
  let box = Box.open();
  let energy_eV: number | undefined;
  const info = new Map<string, InfoValue>();
  if (pairs) {
    try {
      const props = pairs.get('Properties');
      if (props !== undefined) columns = parseProperties(props);
      box = parseBox(pairs.get('Lattice'), pairs.get('pbc'));
    } catch (e) {
      throw at(start + 1, (e as Error).message);
    }
    const e = pairs.get('energy');
    if (e !== undefined) {
      energy_eV = Number(e);
      if (!Number.isFinite(energy_eV)) throw at(start + 1, `energy="${e}" is not a number`);
    }
    for (const [k, v] of pairs) if (!KNOWN_KEYS.has(k)) info.set(k, interpretValue(v));
  } else if (commentLine.trim() !== '') {
    info.set('comment', commentLine.trim());
  }

  const perAtom = columns.reduce((s, c) => s + c.count, 0);
  const values = columns.map((c) => (c.type === 'S' ? new Array<string>(n * c.count) : new Float64Array(n * c.count)));
  for (let a = 0; a < n; a++) {
    const ln = start + 2 + a;
    if (ln >= lines.length || (lines[ln].trim() === '' && ln === lines.length - 1)) {
      throw at(Math.min(ln, lines.length - 1), `frame declares ${n} atoms but the file ends after ${a} (truncated?)`);
    }
    const tok = lines[ln].trim().split(/\s+/);
    if (tok.length !== perAtom) {
      throw at(ln, `expected ${perAtom} fields (${columns.map((c) => `${c.name}×${c.count}`).join(', ')}), found ${tok.length}`);
    }
    let t = 0;
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c];
      for (let k = 0; k < col.count; k++, t++) {
        const s = tok[t];
        const dst = values[c];
        if (col.type === 'S') { (dst as string[])[a * col.count + k] = s; continue; }
        let v: number;
        if (col.type === 'L') {
          const b = parseLogical(s);
          if (b === undefined) throw at(ln, `field ${t + 1} (${col.name}) must be T or F, found "${s}"`);
          v = b ? 1 : 0;
        } else {
          v = Number(s);
          if (s === '' || !Number.isFinite(v) || (col.type === 'I' && !Number.isInteger(v))) {
            throw at(ln, `field ${t + 1} (${col.name}) must be ${col.type === 'I' ? 'an integer' : 'a finite real number'}, found "${s}"`);
          }
        }
        (dst as Float64Array)[a * col.count + k] = v;
      }
    }
  }

  const byName = new Map<string, { col: ExtxyzColumn; data: Float64Array | string[] }>();
  columns.forEach((col, c) => byName.set(col.name, { col, data: values[c] }));
  const take = (names: string[], type: 'S' | 'R', count: number): Float64Array | string[] | undefined => {
    for (const name of names) {
      const hit = byName.get(name);
      if (!hit) continue;
      const okType = type === 'S' ? hit.col.type === 'S' : hit.col.type === 'R' || hit.col.type === 'I';
      if (!okType || hit.col.count !== count) {
        throw at(start + 1, `Properties column "${name}" must be ${name}:${type}:${count}, found ${name}:${hit.col.type}:${hit.col.count}`);
      }
      byName.delete(name);
      return hit.data;
    }
    return undefined;
  };
  const symbols = take(['species'], 'S', 1) as string[] | undefined;
  if (!symbols) throw at(start + 1, 'Properties has no species:S:1 column');
  const positions = take(['pos', 'positions'], 'R', 3) as Float64Array | undefined;
  if (!positions) throw at(start + 1, 'Properties has no pos:R:3 column');
  const masses = take(['masses', 'mass'], 'R', 1) as Float64Array | undefined;
  const forces = take(['forces', 'force'], 'R', 3) as Float64Array | undefined;
  let velocities = take(['velocities', 'vel', 'velo'], 'R', 3) as Float64Array | undefined;
  const momenta = take(['momenta'], 'R', 3) as Float64Array | undefined;
  if (momenta && !velocities) velocities = momentaToVelocities(momenta, symbols, masses, (a, msg) => at(start + 2 + a, msg));

  const arrays = new Map<string, Float64Array | string[]>();
  for (const [name, { data }] of byName) arrays.set(name, data);
  return { symbols, positions, box, velocities, masses, forces, energy_eV, info, arrays, columns, line: start + 1 };
}

/** Lattice="ax ay az bx by bz cx cy cz" (rows) and pbc="T T T" to a Box; pbc defaults to T T T with a lattice, F F F without. */
function parseBox(lattice: string | undefined, pbcText: string | undefined): Box {
  let pbc: [boolean, boolean, boolean] = lattice === undefined ? [false, false, false] : [true, true, true];
  if (pbcText !== undefined) {
    const flags = pbcText.trim().split(/\s+/).map(parseLogical);
    if (flags.length !== 3 || flags.some((f) => f === undefined)) throw new Error(`pbc="${pbcText}" must be three of T/F`);
    pbc = flags as [boolean, boolean, boolean];
  }
  if (lattice === undefined) {
    if (pbc.some(Boolean)) throw new Error('pbc has a periodic axis but there is no Lattice="…"');
    return Box.open();
  }
  const cell = lattice.trim().split(/\s+/).map(Number);
  if (cell.length !== 9 || cell.some((v) => !Number.isFinite(v))) throw new Error(`Lattice="${lattice}" must be 9 numbers (three cell vectors as rows)`);
  return new Box(cell, pbc);
}

/** ASE momenta (amu·Å / ASE time unit) to Å/fs: v = p / m / aseTimeUnit_fs. */
function momentaToVelocities(
  momenta: Float64Array,
  symbols: string[],
  masses: Float64Array | undefined,
  at: (atom: number, msg: string) => InputError,
): Float64Array {
  const v = new Float64Array(momenta.length);
  for (let a = 0; a < symbols.length; a++) {
    const m = masses ? masses[a] : atomicMass(symbols[a]);
    if (m === undefined || !(m > 0)) throw at(a, `element "${symbols[a]}" has no known mass, needed to turn momenta into velocities`);
    const s = 1 / (m * aseTimeUnit_fs);
    v[3 * a] = momenta[3 * a] * s;
    v[3 * a + 1] = momenta[3 * a + 1] * s;
    v[3 * a + 2] = momenta[3 * a + 2] * s;
  }
  return v;
}
