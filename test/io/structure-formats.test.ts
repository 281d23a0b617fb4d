/**
 * Structure formats users have: VASP POSCAR/CONTCAR and LAMMPS data (atom style atomic) besides
 * extxyz, chosen by name or by `structure_format`; anything else is refused with a message saying
 * what is read and how to convert. Checked against hand-worked numbers and against ASE's readers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLammpsData, parsePoscar, readStructure, structureFormatOf } from '../../io/index.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';
import { baseInput, e3md, runDir } from '../cli/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'e3md-formats-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const POSCAR = `water and argon
 2.0
   2.5 0.0 0.0
   0.5 3.0 0.0
   0.0 0.0 3.5
 O H Ar
 1 2 1
Selective dynamics
Direct
  0.0 0.0 0.0   T T T
  0.1 0.0 0.0   F F F
  0.0 0.1 0.0   T T F
  0.5 0.5 0.5   T T T

  0.001 0.002 0.003
  0 0 0
  0 0 0
 -0.001 0 0
`;

describe('POSCAR / CONTCAR', () => {
  it('reads scale, direct coordinates, selective dynamics and a CONTCAR velocity block', () => {
    const [f] = parsePoscar(POSCAR, 'CONTCAR');
    expect(f!.symbols).toEqual(['O', 'H', 'H', 'Ar']);
    expect(Array.from(f!.box.cell)).toEqual([5, 0, 0, 1, 6, 0, 0, 0, 7]);
    expect(f!.box.pbc).toEqual([true, true, true]);
    // Direct (0.1, 0, 0) is 0.1 a; (0, 0.1, 0) is 0.1 b = (0.1, 0.6, 0); (½, ½, ½) the cell centre.
    expect(Array.from(f!.positions.subarray(3, 12)).map((x) => +x.toFixed(12))).toEqual([0.5, 0, 0, 0.1, 0.6, 0, 3, 3, 3.5]);
    expect(Array.from(f!.velocities!.subarray(0, 3))).toEqual([0.001, 0.002, 0.003]); // Å/fs
    expect(f!.atomLines![3]).toBe(13);
  });

  it('reads Cartesian coordinates (scaled), a negative scale as the volume, and VASP 4 species from the comment', () => {
    const [f] = parsePoscar('Si C\n-64\n1 0 0\n0 1 0\n0 0 1\n1 1\nCartesian\n0 0 0\n0.25 0.25 0.25\n', 'POSCAR');
    expect(f!.symbols).toEqual(['Si', 'C']);
    expect(f!.box.volume).toBeCloseTo(64, 10);
    expect(Array.from(f!.positions.subarray(3))).toEqual([1, 1, 1]); // scaled by 4
    expect(f!.velocities).toBeUndefined();
  });

  it('names the line of a problem', () => {
    expect(() => parsePoscar('x\n1\n1 0 0\n0 1 0\n0 0 1\nO H\n1\nDirect\n0 0 0\n', 'POSCAR')).toThrow(/POSCAR:7: expected 2 atom counts \(one per species O H\)/);
    expect(() => parsePoscar('x\n1\n1 0 0\n0 1 0\n0 0 1\nO Xx\n1 1\nDirect\n0 0 0\n', 'POSCAR')).toThrow(/POSCAR:6: "Xx" is not a chemical element symbol/);
    expect(() => parsePoscar('x\n1\n1 0 0\n0 1 0\n0 0 1\nO\n2\nDirect\n0 0 0\n', 'POSCAR')).toThrow(/POSCAR:10: the file ends before the position of atom 2/);
    expect(() => parsePoscar('x y\n1\n1 0 0\n0 1 0\n0 0 1\n2\nDirect\n0 0 0\n0.5 0 0\n', 'POSCAR')).toThrow(/POSCAR:6: this POSCAR has no species line \(VASP 4 layout\)/);
  });
});

const DATA = `LAMMPS data file via write_data, version 2Aug2023, timestep = 0, units = metal

4 atoms
2 atom types

-1.0 4.0 xlo xhi
0.0 5.0 ylo yhi
0.0 6.0 zlo zhi
1.0 0.5 0.0 xy xz yz

Masses

1 15.999
2 2.014 # H

Atoms # atomic

3 2 0.0 1.0 0.0 0 0 0
1 1 0.0 0.0 0.0 0 0 0
2 2 1.0 0.0 0.0 1 0 -1
4 1 2.0 2.0 2.0

Velocities

1 1.0 0.0 0.0
2 0.0 2.0 0.0
3 0.0 0.0 3.0
4 0 0 0
`;

describe('LAMMPS data (atom style atomic)', () => {
  it('reads the triclinic box, ids in order, image flags, masses with their elements, and metal velocities', () => {
    const [f] = parseLammpsData(DATA, 'water.data');
    expect(Array.from(f!.box.cell)).toEqual([5, 0, 0, 1, 5, 0, 0.5, 0, 6]);
    // Type 1 from its mass (O's standard weight); type 2 (deuterium, 2.014) from the comment after its mass.
    expect(f!.symbols).toEqual(['O', 'H', 'H', 'O']);
    expect(Array.from(f!.masses!)).toEqual([15.999, 2.014, 2.014, 15.999]);
    // Atom 2: x − xlo, then + 1·a − 1·c = (1+1, 0, 0) + (5, 0, 0) − (0.5, 0, 6).
    expect(Array.from(f!.positions.subarray(3, 6))).toEqual([6.5, 0, -6]);
    expect(Array.from(f!.velocities!.subarray(3, 6))).toEqual([0, 0.002, 0]); // Å/ps → Å/fs
    expect(f!.atomLines![0]).toBe(19); // atom id 1 is the second line of the Atoms section
  });

  it('names the type that has no element, the style it cannot read, and skips velocities of unknown units', () => {
    const noElement = DATA.replace('1 15.999', '1 15.5');
    expect(() => parseLammpsData(noElement, 'w.data')).toThrow(/w\.data:11: atom type 1 has no element: add one after its mass in the Masses section \(e\.g\. "1 15\.5 # O"\)/);
    expect(() => parseLammpsData(DATA.replace('# atomic', '# full'), 'w.data')).toThrow(/w\.data:16: atom style "full" is not supported/);
    const labelled = DATA.replace('1 15.999', '1 15.5').replace('2 2.014 # H', '2 2.014\n\nAtom Type Labels\n\n1 O\n2 H').replace('units = metal', '');
    const [f] = parseLammpsData(labelled, 'w.data');
    expect(f!.symbols).toEqual(['O', 'H', 'H', 'O']);
    expect(f!.velocities).toBeUndefined();
    expect(f!.remarks![0]).toMatch(/the Velocities section is ignored: the file does not say its units/);
  });

  it.skipIf(!pythonOrWarn('ASE-written LAMMPS data and POSCAR', 'ase'))('reads the POSCAR and LAMMPS data files ASE writes, as ASE reads them', () => {
    const out = runPythonJson(`
import sys, json, warnings
warnings.filterwarnings('ignore')
import ase.io
from ase import Atoms
a = Atoms('ArKrAr', positions=[[0.1,0.2,0.3],[2.5,1.0,3.0],[4.0,4.1,1.2]], cell=[[5,0,0],[1,5.5,0],[0.5,0.7,6]], pbc=True)
ase.io.write(sys.argv[1] + '/POSCAR', a, format='vasp', direct=True)
ase.io.write(sys.argv[1] + '/ase.data', a, format='lammps-data', atom_style='atomic', units='metal')
b = ase.io.read(sys.argv[1] + '/POSCAR')
print(json.dumps({'cell': b.cell.array.flatten().tolist(), 'pos': b.positions.flatten().tolist(), 'symbols': b.get_chemical_symbols()}))`, [dir]) as { cell: number[]; pos: number[]; symbols: string[] };
    const [p] = readStructure(join(dir, 'POSCAR'));
    expect(p!.symbols).toEqual(out.symbols);
    for (let k = 0; k < 9; k++) expect(p!.box.cell[k]).toBeCloseTo(out.cell[k]!, 12);
    for (let k = 0; k < 9; k++) expect(p!.positions[k]).toBeCloseTo(out.pos[k]!, 12);
    // ASE 3.22 writes no Masses section: the file does not say which element a type is, and e3md says so
    // (ASE itself reads the types back as H and He).
    expect(() => readStructure(join(dir, 'ase.data'))).toThrow(/atom type 1 has no element/);
  });
});

describe('choosing the format', () => {
  it('by name as ASE does, and refuses others with a message saying what is read', () => {
    expect(['a.xyz', 'a.extxyz', 'POSCAR', 'run/CONTCAR_3', 'x.vasp', 'w.data', 'data.water', 'w.lmp'].map(structureFormatOf)).toEqual(['extxyz', 'extxyz', 'poscar', 'poscar', 'poscar', 'lammps-data', 'lammps-data', 'lammps-data']);
    const cif = file('cell.cif', 'data_cell\n_cell_length_a 5\n');
    expect(() => readStructure(cif)).toThrow(/cell\.cif: unsupported structure format "\.cif" \(e3md reads extxyz, xyz, POSCAR\/CONTCAR and LAMMPS data \(atom style atomic\); name the format with "structure_format", or convert with `ase convert cell\.cif cell\.extxyz`\)/);
    const misnamed = file('really-poscar.xyz', POSCAR);
    expect(() => readStructure(misnamed)).toThrow(/really-poscar\.xyz:1: is not an extxyz\/xyz file \(its first line is not an atom count\): unsupported structure format .*convert with `ase convert really-poscar\.xyz really-poscar\.extxyz`/);
    expect(readStructure(misnamed, 'poscar')[0]!.symbols).toHaveLength(4);
  });

  it('e3md run starts from a POSCAR, and from any name with structure_format', async () => {
    const poscar = 'argon\n1\n10 0 0\n0 10 0\n0 0 10\nAr\n2\nCartesian\n1 1 1\n5 5 5\n';
    const run = runDir({ ...baseInput(), structure: 'POSCAR', steps: 10, trajectory: [], checkpoint: undefined, thermo: { every: 5 } });
    writeFileSync(join(run, 'POSCAR'), poscar);
    const r = await e3md('run', join(run, 'input.json'), '-q');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const named = runDir({ ...baseInput(), structure: 'start.txt', structure_format: 'poscar', steps: 10, trajectory: [], checkpoint: undefined, thermo: { every: 5 } });
    writeFileSync(join(named, 'start.txt'), poscar);
    expect((await e3md('run', join(named, 'input.json'), '-q')).code).toBe(0);
    const bad = runDir({ ...baseInput(), structure: 'start.cif' });
    writeFileSync(join(bad, 'start.cif'), 'data_x\n');
    const b = await e3md('run', join(bad, 'input.json'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/start\.cif: unsupported structure format "\.cif"/);
  });
});
