import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { aseTimeUnit_fs } from '../../engine/units.js';
import { formatExtxyz } from '../../io/extxyz-write.js';
import { parseExtxyz, readExtxyz } from '../../io/extxyz.js';
import { parseCommentPairs } from '../../io/extxyz-comment.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';

function randomArray(n: number, scale: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = (s / 2147483648 - 0.5) * scale;
  }
  return a;
}

const triclinic = new Box([5.1, 0, 0, 1.2, 4.9, 0, -0.7, 0.9, 6.3], [true, true, false]);

describe('extxyz comment line', () => {
  it('splits quoted, braced, bare and flag values', () => {
    const m = parseCommentPairs('Lattice="1 0 0 0 1 0 0 0 1" pbc={T T F} energy=-3.5 flag name="a \\"b\\""');
    expect(m).not.toBeNull();
    expect([...m!.entries()]).toEqual([
      ['Lattice', '1 0 0 0 1 0 0 0 1'], ['pbc', 'T T F'], ['energy', '-3.5'], ['flag', 'T'], ['name', 'a "b"'],
    ]);
    expect(parseCommentPairs('Lattice="1 0 0')).toBeNull();
  });
});

describe('extxyz round trip', () => {
  it('reads back exactly what it wrote, frame by frame (positions, velocities, forces, cell, info)', () => {
    const symbols = ['Ar', 'Kr', 'Ar', 'Xe'];
    const frames = [0, 1, 2].map((k) => ({
      symbols,
      positions: randomArray(12, 10, 11 + k),
      velocities: randomArray(12, 0.02, 21 + k),
      forces: randomArray(12, 1, 31 + k),
      box: triclinic,
      energy_eV: -1.2345678901234567 * (k + 1),
      info: { step: 10 * k, time_fs: 20.5 * k, note: 'two words' },
    }));
    // the longest shortest-form doubles (24 characters) must still be separated
    frames[0].velocities.set([-0.000036370229367720474, -2.2250738585072014e-308, 0.0022962780053484007]);
    const text = frames.map((f) => formatExtxyz(f)).join('');
    const back = parseExtxyz(text, 'mem.xyz');
    expect(back).toHaveLength(3);
    back.forEach((b, k) => {
      expect(b.symbols).toEqual(symbols);
      expect(Array.from(b.positions)).toEqual(Array.from(frames[k].positions));
      expect(Array.from(b.velocities!)).toEqual(Array.from(frames[k].velocities));
      expect(Array.from(b.forces!)).toEqual(Array.from(frames[k].forces));
      expect(Array.from(b.box.cell)).toEqual(Array.from(triclinic.cell));
      expect(b.box.pbc).toEqual([true, true, false]);
      expect(b.energy_eV).toBe(frames[k].energy_eV);
      expect(b.info.get('step')).toBe(10 * k);
      expect(b.info.get('note')).toBe('two words');
      expect(b.line).toBe(1 + k * 6);
    });
  });

  it('keeps an info string with a newline, quotes and backslashes on its one comment line', () => {
    const note = 'line one\nline "two" \\ end';
    const text = formatExtxyz({ symbols: ['Ar'], positions: new Float64Array(3), box: Box.open(), info: { note } });
    expect(text.split('\n')).toHaveLength(4); // count, comment, atom, and the empty string after the last newline
    const [back] = parseExtxyz(text, 'mem.xyz');
    expect(back.info.get('note')).toBe(note);
  });

  it('converts ASE momenta to Å/fs with tabulated or per-atom masses', () => {
    const text = [
      '2', 'Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3:momenta:R:3 pbc="T T T"',
      'Ar 0 0 0  3.9948 0 0', 'Ar 1 1 1  0 -39.948 0', '',
      '1', 'Properties=species:S:1:pos:R:3:masses:R:1:momenta:R:3', 'X 0 0 0 2.0 4.0 0 0',
    ].join('\n');
    const [a, b] = parseExtxyz(text);
    expect(a.velocities![0]).toBeCloseTo(0.1 / aseTimeUnit_fs, 15);
    expect(a.velocities![4]).toBeCloseTo(-1 / aseTimeUnit_fs, 15);
    expect(b.velocities![0]).toBeCloseTo(2 / aseTimeUnit_fs, 15);
    expect(b.box.isOpen).toBe(true);
  });

  it('reads plain xyz with a free-text comment as an open box', () => {
    const [f] = parseExtxyz('2\nwater-ish molecule\nO 0 0 0\nH 0.96 0 0\n');
    expect(f.symbols).toEqual(['O', 'H']);
    expect(f.box.isOpen).toBe(true);
    expect(f.info.get('comment')).toBe('water-ish molecule');
  });
});

describe('extxyz errors name the file and line', () => {
  const cases: [string, string, RegExp][] = [
    ['bad count', 'two\nx\nAr 0 0 0\n', /bad\.xyz:1: expected the number of atoms/],
    ['too few fields', '2\nProperties=species:S:1:pos:R:3\nAr 0 0 0\nAr 0 0\n', /bad\.xyz:4: expected 4 fields .* found 3/],
    ['not a number', '1\nLattice="4 0 0 0 4 0 0 0 4"\nAr 0 abc 0\n', /bad\.xyz:3: field 3 \(pos\) must be a finite real number, found "abc"/],
    ['truncated', '3\nLattice="4 0 0 0 4 0 0 0 4"\nAr 0 0 0\n', /bad\.xyz:\d+: frame declares 3 atoms but the file ends after 1/],
    ['bad lattice', '1\nLattice="4 0 0 0 4 0" pbc="T T T"\nAr 0 0 0\n', /bad\.xyz:2: Lattice="4 0 0 0 4 0" must be 9 numbers/],
    ['no species', '1\nProperties=pos:R:3\n0 0 0\n', /bad\.xyz:2: Properties has no species:S:1 column/],
    ['momenta, unknown element', '1\nProperties=species:S:1:pos:R:3:momenta:R:3\nQq 0 0 0 1 1 1\n', /bad\.xyz:3: element "Qq" has no known mass/],
    ['empty', '\n\n', /bad\.xyz: no frames/],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    expect(() => parseExtxyz(text, 'bad.xyz')).toThrow(message);
  });

  it('a missing file is named', () => {
    expect(() => readExtxyz('/nonexistent/dir/argon.extxyz')).toThrow(/\/nonexistent\/dir\/argon\.extxyz: structure file not found/);
  });
});

describe.skipIf(!pythonOrWarn('extxyz against ASE', 'ase.io'))('extxyz against ASE', () => {
  it('ASE reads our cell, pbc, positions, energy and momenta; we read ASE-written momenta', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-xyz-'));
    const path = join(dir, 'ours.extxyz');
    const masses = new Float64Array([39.948, 83.798]);
    const velocities = new Float64Array([0.01, -0.02, 0.003, 0.0, 0.004, -0.005]);
    const positions = new Float64Array([0.1, 0.2, 0.3, 2.5, 2.6, 2.7]);
    writeFileSync(path, formatExtxyz(
      { symbols: ['Ar', 'Kr'], positions, velocities, masses, box: triclinic, energy_eV: -0.25, info: { step: 7 } },
      { velocityColumn: 'momenta' },
    ));
    const script = `
import sys, json, ase.io
a = ase.io.read(sys.argv[1])
out = sys.argv[2]
a.set_velocities(a.get_velocities() * 2)
ase.io.write(out, a, format='extxyz')
print(json.dumps({"cell": a.cell.array.ravel().tolist(), "pbc": [bool(p) for p in a.pbc], "pos": a.positions.ravel().tolist(),
  "v_A_per_fs": (a.get_velocities() / 2 * ase.units.fs).ravel().tolist(), "energy": a.get_potential_energy(), "step": int(a.info["step"]),
  "symbols": a.get_chemical_symbols()}))`;
    const out = join(dir, 'ase.extxyz');
    const r = runPythonJson(script, [path, out]) as Record<string, number[] & string[]>;
    expect(r.symbols).toEqual(['Ar', 'Kr']);
    expect(r.cell).toEqual(Array.from(triclinic.cell));
    expect(r.pbc).toEqual([true, true, false]);
    expect(r.pos).toEqual(Array.from(positions));
    expect(r.energy).toBe(-0.25);
    expect(r.step).toBe(7);
    // ASE's default units are CODATA 2014; engine/units.ts is CODATA 2018: agreement to ~2e-8 relative.
    r.v_A_per_fs.forEach((v, k) => expect(v).toBeCloseTo(velocities[k], 9));
    // ASE's own writer (momenta in ASE units, its own number format) read by us:
    const [back] = readExtxyz(out);
    back.velocities!.forEach((v, k) => expect(v).toBeCloseTo(2 * velocities[k], 7));
    expect(Array.from(back.box.cell)).toEqual(Array.from(triclinic.cell));
  });
});
