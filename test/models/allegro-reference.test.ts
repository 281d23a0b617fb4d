/**
 * e3md's Allegro against allegro 0.3.0 itself (nequip 0.6.2, e3nn 0.5.6, PyTorch 1.13; fixtures
 * from tools/nequip-reference.py fixture): the allegro model's weights are imported
 * (models/allegro/import.ts) and energies, atomic energies, forces and virials compared in float64
 * on a liquid-water box, a triclinic cell thinner than r_max and an open cluster. Two fixtures
 * cover both tensor mixing modes, both parities, the latent resnet with trained coefficients and
 * without a resnet, per-edge-type cutoffs, an environment MLP with a hidden layer, per-species and
 * global energy scales.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSystem } from '../../engine/system.js';
import { readExtxyz } from '../../io/index.js';
import { exportPotential } from '../../models/index.js';
import { allegroFromRecord, type NequipModelRecord } from '../../models/allegro/index.js';
import { createOnnxPotential } from '../../potentials/onnx-potential.js';
import { evaluate, relErr } from './helpers.js';

interface Fixture extends NequipModelRecord {
  frames: { energy: number; atomic_energy: number[]; forces: number[]; virial: number[]; edges: number }[];
}

const DIR = 'test/fixtures/models';
const frames = readExtxyz(`${DIR}/nequip-e3nn-frames.extxyz`);

describe.each(['allegro-p', 'allegro-uuulin'])('%s: e3md equals allegro 0.3.0 with the same weights', (name) => {
  const fixture = JSON.parse(readFileSync(`${DIR}/${name}.json`, 'utf8')) as Fixture;
  it('energies, atomic energies, forces and virials agree to 1e-10 in float64', async () => {
    const model = allegroFromRecord(fixture);
    const pot = await createOnnxPotential({ model: exportPotential(model, { dtype: 'float64' }), typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
    expect(frames).toHaveLength(fixture.frames.length);
    for (const [k, frame] of frames.entries()) {
      const want = fixture.frames[k]!;
      const sys = createSystem({ symbols: frame.symbols, positions: frame.positions, masses: frame.symbols.map(() => 1), box: frame.box });
      const got = await evaluate(pot, sys);
      expect(pot.lastEdgeCount, `frame ${k} edges`).toBe(want.edges);
      expect(Math.abs(got.energy - want.energy) / Math.abs(want.energy), `frame ${k} energy`).toBeLessThan(1e-10);
      expect(relErr(got.atomic, want.atomic_energy), `frame ${k} atomic energies`).toBeLessThan(1e-10);
      expect(relErr(got.forces, want.forces), `frame ${k} forces`).toBeLessThan(1e-10);
      expect(relErr(got.virial, want.virial), `frame ${k} virial`).toBeLessThan(1e-10);
    }
    await pot.dispose!();
  });
});
