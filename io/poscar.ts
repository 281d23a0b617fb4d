/**
 * VASP POSCAR / CONTCAR reader (VASP 5 and 6 layout): comment, scale (a factor, a negative target
 * volume, or three factors), three lattice vectors (rows, Å), species symbols, counts, optional
 * "Selective dynamics", "Direct" or "Cartesian" (scaled like the lattice), one line per atom, and
 * in a CONTCAR optionally a blank line and one velocity per atom (Å/fs, Cartesian unless the block
 * says Direct). The structure is periodic on all three axes. VASP 4 files (no species line) read
 * when the comment line starts with the species symbols, as ASE reads them.
 */
import { Box } from '../engine/index.js';
import { isChemicalSymbol } from './elements.js';
import { InputError } from './errors.js';
import type { XyzFrame } from './extxyz.js';

/**
 * Parses POSCAR/CONTCAR text into one frame.
 *
 * @param file named in error messages.
 * @throws InputError naming `file:line` of the first problem.
 * @example
 * const [frame] = parsePoscar('Si\n5.43\n1 0 0\n0 1 0\n0 0 1\nSi\n1\nDirect\n0 0 0\n', 'POSCAR');
 * frame.box.volume; // 160.1
 */
export function parsePoscar(text: string, file = 'POSCAR'): XyzFrame[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const at = (k: number, msg: string): InputError => new InputError(msg, { file, line: k + 1 });
  const numbers = (k: number, count: number, what: string): number[] => {
    const tok = (lines[k] ?? '').trim().split(/\s+/);
    const v = tok.slice(0, count).map(Number);
    if (lines.slice(k).every((l) => l.trim() === '')) throw at(Math.min(k, lines.length - 1), `the file ends before ${what} (truncated?)`);
    if (v.length < count || v.some((x) => !Number.isFinite(x))) throw at(k, `expected ${what} (${count} numbers), found "${(lines[k] ?? '').trim().slice(0, 60)}"`);
    return v;
  };

  const scaleTok = (lines[1] ?? '').trim().split(/\s+/).map(Number);
  if (!(scaleTok.length === 1 || scaleTok.length === 3) || scaleTok.some((x) => !Number.isFinite(x)) || scaleTok.some((x) => x === 0)) {
    throw at(1, `expected the scaling factor (one number, or three), found "${(lines[1] ?? '').trim().slice(0, 40)}"`);
  }
  const raw = [0, 1, 2].flatMap((r) => numbers(2 + r, 3, `lattice vector ${r + 1}`));
  let scale: [number, number, number];
  if (scaleTok.length === 3) {
    if (scaleTok.some((x) => x < 0)) throw at(1, 'three scaling factors must all be positive');
    scale = [scaleTok[0]!, scaleTok[1]!, scaleTok[2]!];
  } else if (scaleTok[0]! < 0) {
    const volume = Math.abs(det3(raw));
    if (!(volume > 0)) throw at(2, 'the lattice vectors are degenerate (volume 0)');
    const s = Math.cbrt(-scaleTok[0]! / volume); // a negative scale is the target volume, Å³
    scale = [s, s, s];
  } else {
    scale = [scaleTok[0]!, scaleTok[0]!, scaleTok[0]!];
  }
  const cell = raw.map((v, k) => v * scale[k % 3]!);

  // Species line (VASP 5) or counts straight away (VASP 4: symbols from the comment line).
  let k = 5;
  let symbols: string[];
  const firstTok = (lines[k] ?? '').trim().split(/\s+/);
  if (firstTok.every((t) => /^\d+$/.test(t))) {
    const fromComment = (lines[0] ?? '').trim().split(/\s+/).map(elementOf);
    if (fromComment.length < firstTok.length || fromComment.slice(0, firstTok.length).some((s) => s === undefined)) {
      throw at(k, 'this POSCAR has no species line (VASP 4 layout) and its comment line does not start with the species; add a line of element symbols (e.g. "O H") above the counts');
    }
    symbols = fromComment.slice(0, firstTok.length) as string[];
  } else {
    symbols = firstTok.map((t) => {
      const s = elementOf(t);
      if (!s) throw at(k, `"${t}" is not a chemical element symbol (species line)`);
      return s;
    });
    k++;
  }
  const countTok = (lines[k] ?? '').trim().split(/\s+/);
  if (countTok.length !== symbols.length || countTok.some((t) => !/^\d+$/.test(t))) {
    throw at(k, `expected ${symbols.length} atom counts (one per species ${symbols.join(' ')}), found "${(lines[k] ?? '').trim().slice(0, 60)}"`);
  }
  const counts = countTok.map(Number);
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) throw at(k, 'the structure has no atoms');
  k++;
  if (/^\s*s/i.test(lines[k] ?? '')) k++; // Selective dynamics: the T/F flags after each position are ignored
  const mode = (lines[k] ?? '').trim();
  if (!/^[cdk]/i.test(mode)) throw at(k, `expected "Direct" or "Cartesian", found "${mode.slice(0, 40)}"`);
  const cartesian = /^[ck]/i.test(mode);
  k++;

  const species: string[] = [];
  counts.forEach((c, s) => { for (let i = 0; i < c; i++) species.push(symbols[s]!); });
  const box = new Box(cell, [true, true, true]);
  const positions = new Float64Array(3 * n);
  const atomLines = new Int32Array(n);
  for (let a = 0; a < n; a++, k++) {
    const v = numbers(k, 3, `the position of atom ${a + 1}`);
    atomLines[a] = k + 1;
    if (cartesian) for (let d = 0; d < 3; d++) positions[3 * a + d] = v[d]! * scale[d]!;
    else for (let d = 0; d < 3; d++) positions[3 * a + d] = v[0]! * cell[d]! + v[1]! * cell[3 + d]! + v[2]! * cell[6 + d]!;
  }
  const velocities = readVelocities(lines, k, n, cell);
  return [{
    symbols: species, positions, box, velocities, masses: undefined, forces: undefined, energy_eV: undefined,
    info: new Map([['comment', (lines[0] ?? '').trim()]]), arrays: new Map(), columns: [], line: 1, atomLines,
  }];
}

/** A CONTCAR's velocity block (Å/fs) after the positions, if there is a whole one. */
function readVelocities(lines: string[], start: number, n: number, cell: number[]): Float64Array | undefined {
  let k = start;
  while (k < lines.length && lines[k]!.trim() === '') k++;
  if (/^\s*lattice velocities/i.test(lines[k] ?? '')) { // NPT CONTCAR: the lattice block comes first
    k += 7;
    while (k < lines.length && lines[k]!.trim() === '') k++;
  }
  let direct = false;
  if (/^\s*[cdk]/i.test(lines[k] ?? '')) {
    direct = /^\s*d/i.test(lines[k]!);
    k++;
  }
  if (k + n > lines.length) return undefined;
  const v = new Float64Array(3 * n);
  for (let a = 0; a < n; a++) {
    const t = lines[k + a]!.trim().split(/\s+/).slice(0, 3).map(Number);
    if (t.length < 3 || t.some((x) => !Number.isFinite(x))) return undefined;
    for (let d = 0; d < 3; d++) v[3 * a + d] = direct ? t[0]! * cell[d]! + t[1]! * cell[3 + d]! + t[2]! * cell[6 + d]! : t[d]!;
  }
  return v;
}

/** The element of a POSCAR species token: `O`, `Fe_pv`, `O/b4f6a4…` (VASP 6 POTCAR hash) → symbol, or undefined. */
function elementOf(token: string): string | undefined {
  const m = /^([A-Z][a-z]?)(?:[_/.].*)?$/.exec(token);
  return m && isChemicalSymbol(m[1]!) ? m[1] : undefined;
}

function det3(m: number[]): number {
  return m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
}
