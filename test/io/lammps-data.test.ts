import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/index.js';
import { formatLammpsData } from '../../io/index.js';

describe('LAMMPS data files', () => {
  it('writes a triclinic cell, masses by type, atoms at full precision and velocities in Å/ps', () => {
    const text = formatLammpsData(
      { symbols: ['H', 'O', 'H'], positions: [0.1, 0.2, 0.30000000000000004, 1, 2, 3, -1e-17, 5.5, 6], box: new Box([5, 0, 0, 1.5, 6, 0, -0.5, 0.25, 7], [true, true, true]), velocities: [0.001, 0, 0, 0, 0, 0, 0, 0, -0.002] },
      { typeNames: ['O', 'H'], title: 'three atoms' },
    );
    expect(text).toBe(`three atoms

3 atoms
2 atom types

0 5 xlo xhi
0 6 ylo yhi
0 7 zlo zhi
1.5 -0.5 0.25 xy xz yz

Masses

1 15.999 # O
2 1.008 # H

Atoms # atomic

1 2 0.1 0.2 0.30000000000000004
2 1 1 2 3
3 2 -1e-17 5.5 6

Velocities

1 1 0 0
2 0 0 0
3 0 0 -2
`);
  });

  it('leaves out the tilt line of an orthorhombic cell and orders types by first appearance by default', () => {
    const text = formatLammpsData({ symbols: ['Ar', 'Kr'], positions: [0, 0, 0, 1, 1, 1], box: Box.orthorhombic(4, 4, 4) });
    expect(text).not.toContain('xy xz yz');
    expect(text).toContain('1 39.948 # Ar\n2 83.798 # Kr');
  });

  it("refuses a cell LAMMPS cannot hold as it is, a cluster, and an element without a type", () => {
    expect(() => formatLammpsData({ symbols: ['H'], positions: [0, 0, 0], box: new Box([0, 5, 0, 5, 0, 0, 0, 0, 5], [true, true, true]) })).toThrow(/not in LAMMPS's form .* rotate the structure first/);
    expect(() => formatLammpsData({ symbols: ['H'], positions: [0, 0, 0], box: Box.open() })).toThrow(/LAMMPS needs a cell/);
    expect(() => formatLammpsData({ symbols: ['H', 'C'], positions: [0, 0, 0, 1, 1, 1], box: Box.orthorhombic(4, 4, 4) }, { typeNames: ['H'] })).toThrow(/atom 2 is 'C', which is not among the types H/);
  });
});
