/**
 * `e3md model import` of models that allegro 0.3.0 itself built and deployed (the fixtures of
 * allegro-reference.test.ts, deployed by nequip-deploy: test/fixtures/allegro-import): the dump
 * tools/nequip-dump.py writes maps onto e3md's Allegro, with the factors of allegro's MLPs read
 * from their code, and energies, atomic energies, forces and virials equal allegro's to 1e-10
 * (float64). The mapping runs on the committed dumps always; the dump itself where Debian's
 * PyTorch is installed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSystem, singlePoint } from '../../engine/index.js';
import { readExtxyz } from '../../io/index.js';
import { allegroFromRecord, allegroRecordFromDump } from '../../models/allegro/index.js';
import { exportPotential, type NequipDump } from '../../models/index.js';
import { createOnnxPotential } from '../../potentials/index.js';
import { e3md } from '../cli/fixtures.js';
import { PYTHON, pythonOrWarn } from '../harness/python.js';
import { relErr } from './helpers.js';

const DIR = 'test/fixtures/allegro-import';
const FRAMES = readExtxyz('test/fixtures/models/nequip-e3nn-frames.extxyz');
type Frames = { frames: { energy: number; atomic_energy: number[]; forces: number[]; virial: number[]; edges: number }[] };
const referenceOf = (name: string) => JSON.parse(readFileSync(`test/fixtures/models/${name}.json`, 'utf8')) as Frames;
const dumpOf = (name: string) => JSON.parse(readFileSync(`${DIR}/${name}.dump.json`, 'utf8')) as NequipDump;

async function expectMatches(bytes: Uint8Array, ref: Frames, tol: number): Promise<void> {
  const pot = await createOnnxPotential({ model: bytes, typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
  try {
    for (const [k, frame] of FRAMES.entries()) {
      const want = ref.frames[k]!;
      const got = await singlePoint(pot, createSystem({ symbols: frame.symbols, positions: frame.positions, masses: frame.symbols.map(() => 1), box: frame.box }));
      expect(pot.lastEdgeCount, `frame ${k} edges`).toBe(want.edges);
      expect(Math.abs(got.energy_eV - want.energy) / Math.abs(want.energy), `frame ${k} energy`).toBeLessThan(tol);
      expect(relErr(pot.lastAtomicEnergy, want.atomic_energy), `frame ${k} atomic energies`).toBeLessThan(tol);
      expect(relErr(got.forces, want.forces), `frame ${k} forces`).toBeLessThan(tol);
      expect(relErr(got.virial, want.virial), `frame ${k} virial`).toBeLessThan(tol);
    }
  } finally {
    await pot.dispose?.();
  }
}

describe.each(['allegro-p', 'allegro-uuulin'])('%s deployed by nequip-deploy, imported', (name) => {
  it('from its dump: allegro 0.3.0\'s numbers to 1e-10 (float64)', async () => {
    const record = allegroRecordFromDump(dumpOf(name));
    expect(Object.keys(record.alphas ?? {}).length, 'MLP factors read from the code').toBeGreaterThan(4);
    await expectMatches(exportPotential(allegroFromRecord(record), { dtype: 'float64' }), referenceOf(name), 1e-10);
  });
});

describe.skipIf(!pythonOrWarn('e3md model import of a deployed allegro model (tools/nequip-dump.py)', 'torch'))('e3md model import of allegro, end to end', () => {
  it('a deployed allegro model becomes an e3md Allegro with allegro\'s numbers', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'e3md-import-allegro-')), 'm.onnx');
    const r = await e3md('model', 'import', `${DIR}/allegro-uuulin.pth`, '--out', out, '--python', PYTHON);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/from allegro deployed model: Allegro, 3 layers, lmax 2, 3 tensor channels, 12 latents, mixing uuulin/);
    await expectMatches(readFileSync(out), referenceOf('allegro-uuulin'), 1e-10);
  });
});
