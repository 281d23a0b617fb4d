/**
 * Layer-by-layer (staged) evaluation of NequIP against the monolithic file: the same energy,
 * forces and virial to summation order in float64, in one chunk and in many, periodic and open,
 * with an energy mask; float32 to its rounding; clear refusals.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Box, createSystem, singlePoint, type System } from '../../engine/index.js';
import { readExtxyz } from '../../io/index.js';
import { exportPotential } from '../../models/index.js';
import { createOnnxPotential, createStagedPotential, type OnnxPotential, type StagedPotential } from '../../potentials/index.js';
import { relErr, systemOf, tinyAllegro, tinyNequip, waterDimer } from '../models/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MASS: Record<string, number> = { H: 1.008, O: 15.999 };

function waterBox(): System {
  const [f] = readExtxyz(join(ROOT, 'examples', 'water', 'boxes', 'water-64.extxyz'));
  return createSystem({ symbols: f.symbols, positions: f.positions, masses: f.symbols.map((s) => MASS[s]), box: f.box });
}

describe('staged NequIP (float64, 3 layers)', () => {
  const model = tinyNequip({ numLayers: 3 });
  const bytes = exportPotential(model, { dtype: 'float64' });
  let whole: OnnxPotential;
  const staged = new Map<number, StagedPotential>();
  beforeAll(async () => {
    whole = await createOnnxPotential({ model: bytes, typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
    for (const chunks of [1, 7]) staged.set(chunks, await createStagedPotential({ model: bytes, typeNames: ['H', 'O'], budget_bytes: 1e12, chunks }));
  });
  afterAll(async () => {
    await whole.dispose?.();
    for (const p of staged.values()) await p.dispose?.();
  });

  it.each([1, 7])('equals the monolithic model on the periodic 192-atom box in %i chunk(s) to 1e-10', async (chunks) => {
    const system = waterBox();
    const ref = await singlePoint(whole, system);
    const pot = staged.get(chunks)!;
    const got = await singlePoint(pot, system);
    expect(pot.timings.chunks).toBe(chunks);
    expect(Math.abs(got.energy_eV - ref.energy_eV) / Math.abs(ref.energy_eV)).toBeLessThan(1e-10);
    expect(relErr(got.forces, ref.forces)).toBeLessThan(1e-10);
    expect(relErr(got.virial, ref.virial)).toBeLessThan(1e-10);
    // Not trivially so: the forces are those of a real, nonzero model.
    expect(Math.max(...ref.forces.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('equals it with an energy mask (a domain with ghosts) and in open boundaries', async () => {
    const pot = staged.get(7)!;
    for (const system of [waterBox(), waterDimer()]) {
      for (const owned of [null, Math.floor(system.n / 2)]) {
        whole.setOwnedAtoms(owned);
        pot.setOwnedAtoms(owned);
        const ref = await singlePoint(whole, system);
        const got = await singlePoint(pot, system);
        expect(Math.abs(got.energy_eV - ref.energy_eV)).toBeLessThan(1e-10 * Math.max(1, Math.abs(ref.energy_eV)));
        expect(relErr(got.forces, ref.forces)).toBeLessThan(1e-10);
        expect(relErr(got.virial, ref.virial)).toBeLessThan(1e-10);
      }
    }
    whole.setOwnedAtoms(null);
    pot.setOwnedAtoms(null);
  });

  it('plans chunks from the budget: a tenth of one chunk’s need gives several, each within it, and the same bits', async () => {
    const system = waterBox();
    const one = staged.get(1)!;
    await singlePoint(one, system);
    const need = one.timings.peakEstimate_bytes;
    const pot = await createStagedPotential({ model: bytes, typeNames: ['H', 'O'], budget_bytes: need / 10 });
    try {
      const a = await singlePoint(pot, system);
      expect(pot.timings.chunks).toBeGreaterThan(4);
      expect(pot.timings.peakEstimate_bytes).toBeLessThanOrEqual(need / 10);
      const b = await singlePoint(pot, system);
      expect(Array.from(b.forces)).toEqual(Array.from(a.forces));
      expect(b.energy_eV).toBe(a.energy_eV);
      const ref = await singlePoint(whole, system);
      expect(relErr(a.forces, ref.forces)).toBeLessThan(1e-10);
    } finally {
      await pot.dispose?.();
    }
  });
});

describe('staged NequIP (float32)', () => {
  it('agrees with the monolithic float32 model to its rounding', async () => {
    const bytes = exportPotential(tinyNequip(), { dtype: 'float32' });
    const whole = await createOnnxPotential({ model: bytes, typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
    const pot = await createStagedPotential({ model: bytes, typeNames: ['H', 'O'], budget_bytes: 1e12, chunks: 5 });
    try {
      const system = waterBox();
      const ref = await singlePoint(whole, system);
      const got = await singlePoint(pot, system);
      expect(Math.abs(got.energy_eV - ref.energy_eV) / Math.abs(ref.energy_eV)).toBeLessThan(1e-5);
      expect(relErr(got.forces, ref.forces)).toBeLessThan(1e-4);
    } finally {
      await whole.dispose?.();
      await pot.dispose?.();
    }
  });
});

describe('staged potential: refusals', () => {
  it('names the file and why a model cannot be staged, and checks its options', async () => {
    const allegro = exportPotential(tinyAllegro(), { dtype: 'float64' });
    await expect(createStagedPotential({ model: allegro, typeNames: ['H', 'O'], budget_bytes: 1e9 })).rejects.toThrow(/model: cannot be evaluated layer by layer: .*/);
    const nequip = exportPotential(tinyNequip(), { dtype: 'float64' });
    await expect(createStagedPotential({ model: nequip, typeNames: ['H', 'O'], budget_bytes: 0 })).rejects.toThrow(/budget_bytes must be positive, got 0/);
    await expect(createStagedPotential({ model: nequip, typeNames: ['H', 'O'], budget_bytes: 1e9, chunks: 0 })).rejects.toThrow(/chunks must be a positive integer, got 0/);
    await expect(createStagedPotential({ model: nequip, typeNames: ['H', 'Xe'], budget_bytes: 1e9 })).rejects.toThrow(/Xe/);
    await expect(createStagedPotential({ model: join(ROOT, 'no-such.onnx'), typeNames: ['H'], budget_bytes: 1e9 })).rejects.toThrow(/model '.*no-such\.onnx': cannot read the file/);
  });
});



describe('staged potential: small calls', () => {
  it('runs the monolithic file when it fits the budget, bit for bit', async () => {
    const bytes = exportPotential(tinyNequip(), { dtype: 'float64' });
    const whole = await createOnnxPotential({ model: bytes, typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
    const pot = await createStagedPotential({ model: bytes, typeNames: ['H', 'O'], budget_bytes: 1e12 });
    try {
      const system = waterBox();
      const ref = await singlePoint(whole, system);
      const got = await singlePoint(pot, system);
      expect(pot.timings.chunks).toBe(0);
      expect(Array.from(got.forces)).toEqual(Array.from(ref.forces));
      expect(got.energy_eV).toBe(ref.energy_eV);
    } finally {
      await whole.dispose?.();
      await pot.dispose?.();
    }
  });
});

describe('staged potential: chunks without edges', () => {
  it('evaluates a lone atom (a chunk with no edges) as the whole model does', async () => {
    const bytes = exportPotential(tinyNequip(), { dtype: 'float64' });
    const s = systemOf(['O', 'H', 'H', 'O'], [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0, 20, 0, 0], Box.open());
    const whole = await createOnnxPotential({ model: bytes, typeNames: s.typeNames, device: 'cpu', intraOpThreads: 1 });
    const pot = await createStagedPotential({ model: bytes, typeNames: s.typeNames, budget_bytes: 1e12, chunks: 4 });
    try {
      const ref = await singlePoint(whole, s);
      const got = await singlePoint(pot, s);
      expect(pot.timings.chunks).toBe(4);
      expect(Math.abs(got.energy_eV - ref.energy_eV)).toBeLessThan(1e-10 * Math.max(1, Math.abs(ref.energy_eV)));
      expect(relErr(got.forces, ref.forces)).toBeLessThan(1e-10);
    } finally {
      await whole.dispose?.();
      await pot.dispose?.();
    }
  });
});
