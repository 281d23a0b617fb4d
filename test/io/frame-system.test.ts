/** One extxyz frame → System converter for every reader: masses from the file or the element, and no silent defaults. */
import { describe, expect, it } from 'vitest';
import { atomicMass } from '../../engine/index.js';
import { parseExtxyz, systemOfFrame } from '../../io/index.js';

const frame = (atoms: string, properties = 'species:S:1:pos:R:3') => parseExtxyz(`${atoms.trim().split('\n').length}\nProperties=${properties} pbc="F F F"\n${atoms.trim()}\n`, 'f.extxyz')[0]!;

describe('systemOfFrame', () => {
  it('takes masses from the elements, or from a masses:R:1 column', () => {
    const s = systemOfFrame(frame('O 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0'), 'f.extxyz');
    expect(Array.from(s.masses)).toEqual([atomicMass('O'), atomicMass('H'), atomicMass('H')]);
    expect(s.typeNames).toEqual(['O', 'H']);
    const heavy = systemOfFrame(frame('H 0 0 0 2.014\nH 0.74 0 0 2.014', 'species:S:1:pos:R:3:masses:R:1'), 'f.extxyz');
    expect(Array.from(heavy.masses)).toEqual([2.014, 2.014]);
  });

  it('names the element, file and line of an atom without a known mass, and a mass that is not > 0', () => {
    expect(() => systemOfFrame(frame('O 0 0 0\nXx 1 0 0'), 'f.extxyz')).toThrow(/^f\.extxyz:4: element "Xx" has no known mass/);
    expect(() => systemOfFrame(frame('H 0 0 0 0', 'species:S:1:pos:R:3:masses:R:1'), 'f.extxyz')).toThrow(/^f\.extxyz:3: atom 1 \(H\) has mass 0; masses must be > 0 amu/);
  });
});
