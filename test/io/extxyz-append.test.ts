/**
 * The extxyz commit protocol: a kill -9 can stop the file at any point of a frame's writes (a
 * multi-page write cut at a page boundary, a single-page write whole or not at all). Every such
 * state must read in full — by e3md, ASE and MDAnalysis — as the frames before, or those plus the
 * new one.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { extxyzFrameWrites } from '../../io/extxyz-append.js';
import { formatExtxyz } from '../../io/extxyz-write.js';
import { extxyzKeepBytes } from '../../io/trajectory.js';
import { parseExtxyz } from '../../io/extxyz.js';
import { PAGE_BYTES } from '../../io/output-file.js';
import { pythonOrWarn, runPythonJson } from '../harness/python.js';

function frameText(n: number, step: number): string {
  const positions = Float64Array.from({ length: 3 * n }, (_, k) => Math.sin(k + step) * 7.123456789);
  return formatExtxyz({ symbols: Array.from({ length: n }, (_, i) => (i % 3 ? 'H' : 'O')), positions, box: Box.orthorhombic(20, 20, 20), energy_eV: -1.5 * step, info: { step } });
}

/** Every file state a kill can leave while appending `next` to `before`. */
function killStates(before: Buffer, next: string): { bytes: Buffer; complete: boolean }[] {
  const { writes, size } = extxyzFrameWrites(next, before.length);
  const file = Buffer.alloc(size);
  before.copy(file);
  const states: { bytes: Buffer; complete: boolean }[] = [];
  let length = before.length;
  for (let w = 0; w < writes.length; w++) {
    const { at, data } = writes[w]!;
    // A cut at each page boundary inside this write (a single-page write has none: all or nothing).
    for (let cut = Math.ceil((at + 1) / PAGE_BYTES) * PAGE_BYTES; cut < at + data.length; cut += PAGE_BYTES) {
      const partial = Buffer.from(file.subarray(0, Math.max(length, cut)));
      data.copy(partial, at, 0, cut - at);
      states.push({ bytes: partial, complete: false });
    }
    data.copy(file, at);
    length = Math.max(length, at + data.length);
    states.push({ bytes: Buffer.from(file.subarray(0, length)), complete: w === writes.length - 1 });
  }
  return states;
}

const cases: [string, number, number][] = [
  // name, atoms per frame, frames written before
  ['1 atom', 1, 3],
  ['2 atoms', 2, 2],
  ['120 atoms (frames span pages)', 120, 2],
];

describe('extxyz frames appended for kill -9 safety', () => {
  it('the writes rebuild exactly the frame text, with only spaces added', () => {
    for (const end of [0, 1, PAGE_BYTES - 3, PAGE_BYTES - 1, 3 * PAGE_BYTES - 40]) {
      for (const n of [1, 2, 5, 120]) {
        const text = frameText(n, 1);
        const { writes, size } = extxyzFrameWrites(text, end);
        const file = Buffer.alloc(size, 0x21);
        for (const w of writes) w.data.copy(file, w.at);
        const written = file.subarray(end).toString('utf8');
        const norm = (t: string) => t.replace(/ +/g, ' ').replace(/^ | $/gm, '');
        expect(norm(written), `end ${end}, ${n} atoms`).toBe(norm(text));
        // The last two writes are single-page writes.
        for (const w of writes.slice(1)) expect(Math.floor(w.at / PAGE_BYTES), `end ${end}`).toBe(Math.floor((w.at + w.data.length - 1) / PAGE_BYTES));
      }
    }
  });

  const dir = mkdtempSync(join(tmpdir(), 'e3md-append-'));
  const files: { path: string; before: number; complete: boolean; n: number }[] = [];
  for (const [name, n, k] of cases) {
    // Start the new frame at several offsets around a page boundary.
    for (const shift of [0, 7, 60]) {
      // k frames, the first one's comment line padded so the new frame starts `shift` bytes before a page boundary.
      const rest = Array.from({ length: k - 1 }, (_, s) => frameText(n, s + 1)).join('');
      const first = frameText(n, 0).split('\n');
      const unpadded = Buffer.byteLength(first.join('\n') + rest);
      first[1] += ' '.repeat((((PAGE_BYTES - shift - unpadded) % PAGE_BYTES) + PAGE_BYTES) % PAGE_BYTES);
      const before = Buffer.from(first.join('\n') + rest);
      killStates(before, frameText(n, k)).forEach((st, i) => {
        const path = join(dir, `${name.split(' ')[0]}-${shift}-${i}.xyz`);
        writeFileSync(path, st.bytes);
        files.push({ path, before: k, complete: st.complete, n });
      });
    }
  }

  it('e3md reads every kill state whole, and a restart keeps exactly the complete frames', () => {
    expect(files.length).toBeGreaterThan(30); // partial multi-page writes included
    for (const f of files) {
      const text = readFileSync(f.path, 'utf8');
      const frames = parseExtxyz(text, f.path);
      expect([f.before, f.before + 1], f.path).toContain(frames.length);
      if (f.complete) expect(frames.length, f.path).toBe(f.before + 1);
      expect(frames.every((fr) => fr.symbols.length === f.n)).toBe(true);
      const kept = parseExtxyz(text.slice(0, extxyzKeepBytes(f.path, 1e9)), f.path);
      expect(kept.length, f.path).toBe(frames.length);
    }
  });

  it.skipIf(!pythonOrWarn('ASE/MDAnalysis read extxyz after kill -9', 'ase', 'MDAnalysis'))('ASE and MDAnalysis read every kill state whole', () => {
    const script = `
import sys, json, warnings
warnings.filterwarnings('ignore')
import ase.io, MDAnalysis as mda
out = []
for path in json.loads(sys.argv[1]):
    a = ase.io.read(path, ':', format='extxyz')
    u = mda.Universe(path, format='XYZ')
    last = [ts.positions.copy() for ts in u.trajectory][-1]
    out.append({'ase': len(a), 'mda': len(u.trajectory), 'ase_last': a[-1].positions.tolist(), 'mda_last': last.tolist()})
print(json.dumps(out))`;
    const results = runPythonJson(script, [JSON.stringify(files.map((f) => f.path))]) as { ase: number; mda: number; ase_last: number[][]; mda_last: number[][] }[];
    results.forEach((r, i) => {
      const f = files[i]!;
      expect([f.before, f.before + 1], `${f.path} ase`).toContain(r.ase);
      expect([f.before, f.before + 1], `${f.path} mda`).toContain(r.mda);
      if (f.complete) expect([r.ase, r.mda], f.path).toEqual([f.before + 1, f.before + 1]);
      // The last frame each reads is a whole frame, the same one when both read the same count.
      expect(r.ase_last).toHaveLength(f.n);
      if (r.ase === r.mda) for (let a = 0; a < f.n; a++) for (let d = 0; d < 3; d++) expect(r.mda_last[a]![d]).toBeCloseTo(r.ase_last[a]![d]!, 4);
    });
  });
});
