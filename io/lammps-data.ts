/**
 * LAMMPS data file reader, atom style `atomic` (`id type x y z [ix iy iz]`): the header (atom and
 * type counts, `xlo xhi`, `ylo yhi`, `zlo zhi`, optional `xy xz yz` tilts), and the Masses, Atoms,
 * Velocities and Atom Type Labels sections; other sections are skipped. The box is periodic on all
 * three axes, moved so that its low corner is the origin; image flags unwrap the positions; atoms
 * are ordered by id.
 *
 * Species: a data file numbers its atom types, so each type's element comes from, in order, its
 * type label (`Atom Type Labels`), a comment after its mass (`1 15.999 # O`, as ASE and many tools
 * write), or its mass when that matches one element's standard atomic weight within 0.01 amu.
 * The masses of the file are the atoms' masses (isotopes stay). Velocities are read in the units
 * the header comment names (`units = metal`: Å/ps, `real`: Å/fs, as `write_data` records them) and
 * skipped, with a remark, when it names none.
 */
import { atomicMasses_amu, Box } from '../engine/index.js';
import { isChemicalSymbol } from './elements.js';
import { InputError } from './errors.js';
import type { XyzFrame } from './extxyz.js';

/** Velocity unit of a LAMMPS `units` style, in Å/fs, for the styles whose lengths are Å. */
const VELOCITY_UNIT_A_PER_FS: Readonly<Record<string, number>> = { metal: 1e-3, real: 1 };

interface Section { name: string; style: string; start: number; lines: number[] }

/**
 * Parses a LAMMPS data file (atom style atomic) into one frame.
 *
 * @param file named in error messages.
 * @throws InputError naming `file:line` of the first problem.
 * @example
 * const [frame] = parseLammpsData('argon\n\n2 atoms\n1 atom types\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nMasses\n\n1 39.948\n\nAtoms # atomic\n\n1 1 1 1 1\n2 1 5 5 5\n', 'ar.data');
 */
export function parseLammpsData(text: string, file = 'data.lammps'): XyzFrame[] {
  const raw = text.split('\n');
  const at = (k: number, msg: string): InputError => new InputError(msg, { file, line: k + 1 });
  const body = (k: number): string => raw[k]!.replace(/#.*/, '').trim();

  // Header: up to the first section keyword (a line starting with a letter).
  let natoms = -1, ntypes = -1;
  const lo = [0, 0, 0], hi = [NaN, NaN, NaN];
  let tilt = [0, 0, 0];
  let k = 1;
  for (; k < raw.length; k++) {
    const line = body(k);
    if (line === '') continue;
    if (/^[A-Za-z]/.test(line)) break;
    const tok = line.split(/\s+/);
    const words = tok.filter((t) => /^[a-z]/.test(t)).join(' ');
    const nums = tok.filter((t) => !/^[a-z]/.test(t)).map(Number);
    if (nums.some((x) => !Number.isFinite(x))) throw at(k, `cannot read this header line: "${line.slice(0, 60)}"`);
    if (words === 'atoms') natoms = nums[0]!;
    else if (words === 'atom types') ntypes = nums[0]!;
    else if (words === 'xlo xhi' || words === 'ylo yhi' || words === 'zlo zhi') {
      const d = 'xyz'.indexOf(words[0]!);
      lo[d] = nums[0]!;
      hi[d] = nums[1]!;
    } else if (words === 'xy xz yz') tilt = nums.slice(0, 3);
    // bonds, angles, extra/… per atom, ellipsoids…: not used by atom style atomic
  }
  if (!(natoms > 0)) throw at(0, 'the header has no "N atoms" line (is this a LAMMPS data file?)');
  if (!(ntypes > 0)) throw at(0, 'the header has no "N atom types" line');
  for (let d = 0; d < 3; d++) if (!(hi[d]! > lo[d]!)) throw at(0, `the header has no valid "${'xyz'[d]}lo ${'xyz'[d]}hi" line`);

  // Sections: a keyword line, then data lines up to the next keyword line.
  const sections = new Map<string, Section>();
  let current: Section | null = null;
  for (; k < raw.length; k++) {
    const line = body(k);
    if (line === '') continue;
    if (/^[A-Za-z]/.test(line)) {
      const style = (/#\s*(\S+)/.exec(raw[k]!) ?? [])[1] ?? '';
      current = { name: line, style, start: k, lines: [] };
      sections.set(line, current);
      continue;
    }
    current?.lines.push(k);
  }

  const units = (/units\s*=\s*(\w+)/.exec(raw[0] ?? '') ?? [])[1];
  if (units !== undefined && units !== 'metal' && units !== 'real') {
    throw at(0, `was written with "units ${units}"; e3md reads LAMMPS data files in Å (units metal or real)`);
  }

  // Species of each type.
  const masses = new Map<number, number>();
  const symbolOf = new Map<number, string>();
  const labels = sections.get('Atom Type Labels');
  for (const ln of labels?.lines ?? []) {
    const [t, label] = body(ln).split(/\s+/);
    if (label && isChemicalSymbol(label)) symbolOf.set(Number(t), label);
  }
  const massSection = sections.get('Masses');
  for (const ln of massSection?.lines ?? []) {
    const [t, m] = body(ln).split(/\s+/).map(Number);
    if (!Number.isInteger(t) || !(m! > 0)) throw at(ln, `expected "type mass" with a positive mass, found "${body(ln).slice(0, 60)}"`);
    masses.set(t!, m!);
    const comment = (/#\s*([A-Z][a-z]?)\b/.exec(raw[ln]!) ?? [])[1];
    if (!symbolOf.has(t!) && comment && isChemicalSymbol(comment)) symbolOf.set(t!, comment);
  }
  for (let t = 1; t <= ntypes; t++) {
    if (symbolOf.has(t)) continue;
    const m = masses.get(t);
    const match = m === undefined ? [] : Object.entries(atomicMasses_amu).filter(([, w]) => Math.abs(w - m) < 0.01);
    if (match.length === 1) symbolOf.set(t, match[0]![0]);
    else {
      throw at(massSection?.start ?? 0, `atom type ${t} has no element: add one after its mass in the Masses section (e.g. "${t} ${m ?? '<mass>'} # O"), or an "Atom Type Labels" section`);
    }
  }

  const atoms = sections.get('Atoms');
  if (!atoms) throw at(k - 1, 'the file has no Atoms section');
  if (atoms.style && atoms.style !== 'atomic') {
    throw at(atoms.start, `atom style "${atoms.style}" is not supported: e3md reads atom style atomic (id type x y z [ix iy iz]); convert with \`ase convert\` or write the file with atom_style atomic`);
  }
  if (atoms.lines.length !== natoms) throw at(atoms.start, `the header declares ${natoms} atoms but the Atoms section has ${atoms.lines.length} lines`);
  const cell = [hi[0]! - lo[0]!, 0, 0, tilt[0]!, hi[1]! - lo[1]!, 0, tilt[1]!, tilt[2]!, hi[2]! - lo[2]!];
  const rows = atoms.lines.map((ln) => {
    const tok = body(ln).split(/\s+/);
    if (tok.length !== 5 && tok.length !== 8) {
      throw at(ln, `expected 5 or 8 fields (atom style atomic: id type x y z [ix iy iz]), found ${tok.length}; e3md reads atom style atomic only`);
    }
    const v = tok.map(Number);
    if (v.some((x) => !Number.isFinite(x)) || !Number.isInteger(v[0]) || !Number.isInteger(v[1]) || (tok.length === 8 && !v.slice(5).every(Number.isInteger))) {
      throw at(ln, `cannot read "${body(ln).slice(0, 60)}" as id type x y z [ix iy iz] (integers, reals, integers)`);
    }
    if (v[1]! < 1 || v[1]! > ntypes) throw at(ln, `atom type ${v[1]} is outside 1…${ntypes} (the header's atom types)`);
    return { id: v[0]!, type: v[1]!, x: v.slice(2, 5), image: tok.length === 8 ? v.slice(5, 8) : [0, 0, 0], line: ln };
  });
  rows.sort((a, b) => a.id - b.id);
  for (let i = 1; i < rows.length; i++) if (rows[i]!.id === rows[i - 1]!.id) throw at(rows[i]!.line, `atom id ${rows[i]!.id} appears twice`);
  const order = new Map(rows.map((r, i) => [r.id, i]));

  const positions = new Float64Array(3 * natoms);
  const atomMasses = new Float64Array(natoms);
  const atomLines = new Int32Array(natoms);
  const symbols: string[] = [];
  rows.forEach((r, i) => {
    for (let d = 0; d < 3; d++) {
      positions[3 * i + d] = r.x[d]! - lo[d]! + r.image[0]! * cell[d]! + r.image[1]! * cell[3 + d]! + r.image[2]! * cell[6 + d]!;
    }
    symbols.push(symbolOf.get(r.type)!);
    atomLines[i] = r.line + 1;
    const m = masses.get(r.type);
    if (m === undefined) throw at(massSection?.start ?? atoms.start, `atom type ${r.type} has no mass (Masses section)`);
    atomMasses[i] = m;
  });

  const remarks: string[] = [];
  let velocities: Float64Array | undefined;
  const vel = sections.get('Velocities');
  if (vel) {
    const unit = units ? VELOCITY_UNIT_A_PER_FS[units] : undefined;
    if (unit === undefined) {
      remarks.push(`${file}: the Velocities section is ignored: the file does not say its units (the first line of a file from write_data says "units = metal"); use initial_velocities, or an extxyz file`);
    } else {
      if (vel.lines.length !== natoms) throw at(vel.start, `the Velocities section has ${vel.lines.length} lines for ${natoms} atoms`);
      velocities = new Float64Array(3 * natoms);
      for (const ln of vel.lines) {
        const v = body(ln).split(/\s+/).map(Number);
        const i = order.get(v[0]!);
        if (v.length < 4 || v.some((x) => !Number.isFinite(x)) || i === undefined) throw at(ln, `expected "id vx vy vz" for an atom of the Atoms section, found "${body(ln).slice(0, 60)}"`);
        for (let d = 0; d < 3; d++) velocities[3 * i + d] = v[1 + d]! * unit;
      }
    }
  }

  return [{
    symbols, positions, box: new Box(cell, [true, true, true]), velocities, masses: atomMasses, forces: undefined, energy_eV: undefined,
    info: new Map(), arrays: new Map(), columns: [], line: 1, atomLines, remarks,
  }];
}
