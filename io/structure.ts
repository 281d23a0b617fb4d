/**
 * Structure files in the formats users have: extxyz/xyz (ASE's dialect), VASP POSCAR/CONTCAR and
 * LAMMPS data (atom style atomic), chosen by the file name as ASE does (`.xyz`, `.extxyz`;
 * `POSCAR*`, `CONTCAR*`, `.vasp`, `.poscar`; `.data`, `.lmp`, `.lammps`, `data.*`) or named
 * explicitly (`structure_format` in input.json, `--format`). Anything else is refused with a
 * message saying what is read and how to convert.
 */
import { basename, extname } from 'node:path';
import { InputError, readInputFile } from './errors.js';
import { parseExtxyz, type XyzFrame } from './extxyz.js';
import { parseLammpsData } from './lammps-data.js';
import { parsePoscar } from './poscar.js';

/** Structure formats e3md reads. */
export const STRUCTURE_FORMATS = ['extxyz', 'poscar', 'lammps-data'] as const;
/** One of {@link STRUCTURE_FORMATS}. */
export type StructureFormat = (typeof STRUCTURE_FORMATS)[number];

const BY_EXTENSION: Readonly<Record<string, StructureFormat>> = {
  '.xyz': 'extxyz', '.extxyz': 'extxyz', '.vasp': 'poscar', '.poscar': 'poscar', '.data': 'lammps-data', '.lmp': 'lammps-data', '.lammps': 'lammps-data',
};

const SUPPORTED = 'e3md reads extxyz, xyz, POSCAR/CONTCAR and LAMMPS data (atom style atomic)';

/**
 * The format a file name implies, or undefined when the name does not say.
 * @example structureFormatOf('run/CONTCAR') // 'poscar'
 */
export function structureFormatOf(path: string): StructureFormat | undefined {
  const name = basename(path);
  if (/^(POSCAR|CONTCAR)/i.test(name)) return 'poscar';
  if (/^data\./i.test(name)) return 'lammps-data';
  return BY_EXTENSION[extname(name).toLowerCase()];
}

/**
 * Reads every frame of a structure file.
 *
 * @param format the format, when the name does not say it (input.json `structure_format`).
 * @throws InputError naming the file (and line) when it is missing, of an unsupported format, or malformed:
 *   `cell.cif: unsupported structure format ".cif" (e3md reads extxyz, xyz, POSCAR/CONTCAR and LAMMPS data (atom style atomic); convert with \`ase convert cell.cif cell.extxyz\`)`
 * @example const [frame] = readStructure('POSCAR');
 */
export function readStructure(path: string, format?: StructureFormat): XyzFrame[] {
  const chosen = format ?? structureFormatOf(path);
  const text = readInputFile(path, 'structure file').toString('utf8');
  const ext = extname(path);
  const convert = `convert with \`ase convert ${basename(path)} ${basename(path, ext)}.extxyz\``;
  if (chosen === undefined) {
    // No telling name: plain (ext)xyz starts with an atom count; anything else is a format we do not read.
    const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
    if (/^\s*\d+\s*$/.test(first)) return parseExtxyz(text, path);
    const what = ext ? `"${ext}"` : `of "${basename(path)}"`;
    throw new InputError(`unsupported structure format ${what} (${SUPPORTED}; name the format with "structure_format", or ${convert})`, { file: path });
  }
  try {
    if (chosen === 'poscar') return parsePoscar(text, path);
    if (chosen === 'lammps-data') return parseLammpsData(text, path);
    return parseExtxyz(text, path);
  } catch (e) {
    // An extxyz name on a file that is something else: say so rather than "expected the number of atoms".
    if (chosen === 'extxyz' && format === undefined && e instanceof InputError && e.location.line === 1 && /number of atoms/.test(e.detail)) {
      throw new InputError(`is not an extxyz/xyz file (its first line is not an atom count): unsupported structure format (${SUPPORTED}; ${convert})`, { file: path, line: 1 });
    }
    throw e;
  }
}
