/**
 * Extended XYZ writer in ASE's dialect (DESIGN.md §3). Numbers are written in JavaScript's
 * shortest round-trip form, so reading a written frame back gives bit-identical float64 values.
 */
import { aseTimeUnit_fs } from '../engine/index.js';
import type { ExtxyzColumn, XyzFrame } from './extxyz.js';
import { formatInfoValue, type InfoValue } from './extxyz-comment.js';

/** A further per-atom column: its declaration and its values (`count` per atom, row-major). */
export interface ExtxyzColumnOut {
  column: ExtxyzColumn;
  /** Numbers (R, I; L as 0/1) or strings (S), N × count. */
  data: ArrayLike<number> | readonly string[];
}

/**
 * What one written frame holds: the fields of a read frame (`XyzFrame`, where each is declared
 * with its shape and unit) that the writer writes, and extra comment-line keys and columns. Names
 * are ASE's, so `ase.io.read` gives them to its SinglePointCalculator: `energy`, `forces`,
 * `energies` (per atom) and `stress`.
 */
export interface ExtxyzFrameOut extends Pick<XyzFrame, 'positions' | 'box' | 'velocities' | 'masses' | 'forces' | 'energy_eV'> {
  /** Chemical symbol of each atom, length N. */
  symbols: readonly string[];
  /** (N,) per-atom energies, eV (`energies:R:1`). */
  energies?: ArrayLike<number>;
  /** (3, 3) stress, eV/Å³, ASE's sign (positive under tension: −virial / volume), as `stress="…"`. */
  stress?: ArrayLike<number>;
  /** Extra comment-line keys (e.g. `step`, `time_fs`), written after the standard ones in insertion order. */
  info?: Readonly<Record<string, InfoValue>>;
  /** Extra per-atom columns, written after the standard ones in order. */
  columns?: readonly ExtxyzColumnOut[];
}

/** How velocities and masses are written. */
export interface ExtxyzWriteOptions {
  /**
   * `velocities` (Å/fs, e3md's unit) or `momenta` (ASE units, so `ase.io.read(...).get_velocities()` works;
   * needs the frame's `masses`). Default `velocities`.
   */
  velocityColumn?: 'velocities' | 'momenta';
  /** Also write a `masses:R:1` column (when the frame has `masses`). Default false. */
  writeMasses?: boolean;
}

function num(x: number): string {
  return String(x === 0 ? 0 : x); // -0 prints as 0
}

/** A right-aligned column that always starts with a space: a shortest-form double can take 24 characters. */
function col(x: number): string {
  return ` ${num(x).padStart(22)}`;
}

/**
 * One frame as extxyz text (ending in a newline).
 *
 * @example
 * formatExtxyz({ symbols: ['Ar'], positions: new Float64Array(3), box: Box.orthorhombic(5, 5, 5) });
 * // '1\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T T T"\nAr   0   0   0\n' (columns padded to 23)
 */
export function formatExtxyz(frame: ExtxyzFrameOut, options: ExtxyzWriteOptions = {}): string {
  const n = frame.symbols.length;
  if (frame.positions.length !== 3 * n) throw new Error(`formatExtxyz: positions has ${frame.positions.length} entries for ${n} atoms`);
  const velocityColumn = options.velocityColumn ?? 'velocities';
  const masses = frame.masses;
  if (frame.velocities && velocityColumn === 'momenta' && (!masses || masses.length !== n)) {
    throw new Error('formatExtxyz: writing momenta needs masses for every atom');
  }
  const writeMasses = options.writeMasses === true && masses !== undefined;

  const extra = frame.columns ?? [];
  const names = ['species', 'pos', ...(writeMasses ? ['masses'] : []), ...(frame.velocities ? [velocityColumn] : []), ...(frame.forces ? ['forces'] : []), ...(frame.energies ? ['energies'] : [])];
  for (const c of extra) {
    if (names.includes(c.column.name)) throw new Error(`formatExtxyz: column "${c.column.name}" is written twice`);
    if (c.data.length !== n * c.column.count) throw new Error(`formatExtxyz: column "${c.column.name}" has ${c.data.length} values for ${n} atoms × ${c.column.count}`);
    names.push(c.column.name);
  }
  if (frame.energies && frame.energies.length !== n) throw new Error(`formatExtxyz: energies has ${frame.energies.length} entries for ${n} atoms`);
  let props = 'species:S:1:pos:R:3';
  if (writeMasses) props += ':masses:R:1';
  if (frame.velocities) props += `:${velocityColumn}:R:3`;
  if (frame.forces) props += ':forces:R:3';
  if (frame.energies) props += ':energies:R:1';
  for (const c of extra) props += `:${c.column.name}:${c.column.type}:${c.column.count}`;

  const head: string[] = [];
  if (!frame.box.isOpen || frame.box.volume > 0) head.push(`Lattice="${Array.from(frame.box.cell, num).join(' ')}"`);
  head.push(`Properties=${props}`);
  if (frame.energy_eV !== undefined) head.push(`energy=${num(frame.energy_eV)}`);
  if (frame.stress) head.push(`stress="${Array.from(frame.stress, num).join(' ')}"`);
  for (const [k, v] of Object.entries(frame.info ?? {})) head.push(`${k}=${formatInfoValue(v)}`);
  head.push(`pbc="${frame.box.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}"`);

  const width = frame.symbols.reduce((w, s) => Math.max(w, s.length), 2);
  const rows = new Array<string>(n);
  const p = frame.positions, v = frame.velocities, f = frame.forces, e = frame.energies;
  for (let a = 0; a < n; a++) {
    let row = frame.symbols[a].padEnd(width) + col(p[3 * a]) + col(p[3 * a + 1]) + col(p[3 * a + 2]);
    if (writeMasses) row += col(masses![a]);
    if (v) {
      const s = velocityColumn === 'momenta' ? masses![a] * aseTimeUnit_fs : 1;
      row += col(v[3 * a] * s) + col(v[3 * a + 1] * s) + col(v[3 * a + 2] * s);
    }
    if (f) row += col(f[3 * a]) + col(f[3 * a + 1]) + col(f[3 * a + 2]);
    if (e) row += col(e[a]);
    for (const c of extra) {
      for (let k = 0; k < c.column.count; k++) row += field(c.column.type, c.data[a * c.column.count + k]!);
    }
    rows[a] = row;
  }
  return `${n}\n${head.join(' ')}\n${rows.join('\n')}\n`;
}

/** One value of an extra column: reals padded like the standard ones, integers, T/F, strings. */
function field(type: ExtxyzColumn['type'], x: number | string): string {
  if (type === 'S') return ` ${String(x)}`;
  if (type === 'L') return ` ${x ? 'T' : 'F'}`;
  if (type === 'I') return ` ${String(x)}`;
  return col(x as number);
}
