/**
 * e3md's NequIP against the same architecture built from e3nn 0.5.6 modules in PyTorch with the
 * same weights (fixture from tools/make-nequip-e3nn-fixture.ts): energies, atomic energies,
 * forces and virials agree to float64 round-off, for a liquid-water box, a triclinic cell
 * thinner than r_max and an open cluster. This pins the architecture, the weight layout and
 * every normalization constant to NequIP's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readExtxyz, systemOfFrame } from '../../io/index.js';
import { exportPotential } from '../../models/index.js';
import { createNequip, type NequipOptions } from '../../models/nequip/index.js';
import { createOnnxPotential } from '../../potentials/onnx-potential.js';
import { evaluate, relErr } from './helpers.js';

interface Fixture {
  options: NequipOptions;
  frames: string;
  results: { energy: number; atomic_energy: number[]; forces: number[]; virial: number[]; edges: number }[];
}

const DIR = 'test/fixtures/models';
const fixture = JSON.parse(readFileSync(`${DIR}/nequip-e3nn.json`, 'utf8')) as Fixture;

describe('NequIP equals the e3nn 0.5.6 / PyTorch build with the same weights', () => {
  it('energies, atomic energies, forces and virials agree to 1e-12', async () => {
    const model = createNequip(fixture.options);
    const frames = readExtxyz(`${DIR}/${fixture.frames}`);
    const pot = await createOnnxPotential({ model: exportPotential(model, { dtype: 'float64' }), typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
    expect(frames).toHaveLength(fixture.results.length);
    for (const [k, frame] of frames.entries()) {
      const want = fixture.results[k]!;
      const sys = systemOfFrame(frame, fixture.frames);
      const got = await evaluate(pot, sys);
      expect(pot.lastEdgeCount, `frame ${k} edges`).toBe(want.edges);
      expect(Math.abs(got.energy - want.energy) / Math.abs(want.energy), `frame ${k} energy`).toBeLessThan(1e-12);
      expect(relErr(got.atomic, want.atomic_energy), `frame ${k} atomic energies`).toBeLessThan(1e-12);
      expect(relErr(got.forces, want.forces), `frame ${k} forces`).toBeLessThan(1e-12);
      expect(relErr(got.virial, want.virial), `frame ${k} virial`).toBeLessThan(1e-12);
    }
    await pot.dispose!();
  });
});
