/**
 * Forces must not depend on thread timing (issue 9, DESIGN.md §5): every accumulation in a compiled
 * graph — message aggregation, force sums, the virial, and their gradients in the training graph —
 * gives the same bits on every run and at every onnxruntime thread count. onnxruntime's CPU
 * ScatterND add, which e3md used to lower segment sums to, races across threads; these tests fail
 * with it (energies of the 192-atom box differed by up to 1e-4 eV between identical calls).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atomicMass, Box, createCellList, createSystem, singlePoint, type System } from '../../engine/index.js';
import { readExtxyz, systemOfFrame } from '../../io/index.js';
import { createAllegro, createNequip, exportPotential, type PotentialModel } from '../../models/index.js';
import { createSession, type FloatDType } from '../../onnx/index.js';
import { createOnnxPotential } from '../../potentials/index.js';
import { buildTrainingModel, gradientOutputName, loadDataset, makeBatch } from '../../train/index.js';

const ROOT = join(import.meta.dirname, '../..');

function waterBox192(): System {
  const file = join(ROOT, 'examples/water/boxes/water-64.extxyz');
  return systemOfFrame(readExtxyz(file)[0]!, file);
}

// Small enough for 20 calls at three thread counts in a few seconds, large enough (192 atoms,
// ~5,000 edges, 16–32-wide messages) that onnxruntime splits every accumulation over threads.
const MODELS: Record<string, () => PotentialModel> = {
  nequip: () => createNequip({ typeNames: ['H', 'O'], numLayers: 2, lmax: 1, numFeatures: 16, rMax_A: 4, seed: 11 }),
  allegro: () => createAllegro({ typeNames: ['H', 'O'], numLayers: 2, lmax: 1, numTensorFeatures: 16, latentDim: 32, rMax_A: 4, seed: 11 }),
};

/** The bytes of a float64 array (exact comparison, NaN-safe). */
const bits = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('bit-identical results at every onnxruntime thread count', () => {
  const system = waterBox192();
  for (const arch of Object.keys(MODELS)) {
    for (const dtype of ['float32', 'float64'] as FloatDType[]) {
      it(`${arch} ${dtype}: 20 evaluations at 2 and at 4 threads give one energy, one set of forces and one virial — the 1-thread one`, async () => {
        const bytes = exportPotential(MODELS[arch]!(), { dtype });
        const seen = new Set<string>();
        for (const threads of [1, 2, 4]) {
          const pot = await createOnnxPotential({ model: bytes, typeNames: system.typeNames, device: 'cpu', intraOpThreads: threads });
          try {
            for (let k = 0; k < (threads === 1 ? 1 : 20); k++) {
              const r = await singlePoint(pot, system);
              seen.add(`${r.energy_eV}|${bits(r.forces)}|${bits(r.virial)}`);
            }
          } finally {
            await pot.dispose!();
          }
        }
        expect(seen.size).toBe(1);
      });
    }
  }

  it('one training step: the loss and every weight gradient repeat bit for bit at 2 and at 4 threads', async () => {
    const model = MODELS.nequip!();
    // The 192-atom box with made-up labels: what matters is that the batch is large.
    const dir = mkdtempSync(join(tmpdir(), 'e3md-det-'));
    const labelled = join(dir, 'box.extxyz');
    const lines = readFileSync(join(ROOT, 'examples/water/boxes/water-64.extxyz'), 'utf8').trimEnd().split('\n');
    lines[1] = lines[1]!.replace('Properties=species:S:1:pos:R:3', 'Properties=species:S:1:pos:R:3:forces:R:3 energy=-3000');
    for (let k = 2; k < lines.length; k++) lines[k] += ` ${Math.sin(k) / 10} ${Math.cos(k) / 10} ${Math.sin(3 * k) / 10}`;
    writeFileSync(labelled, lines.join('\n') + '\n');
    const data = loadDataset([labelled], { name: 'train', typeNames: ['H', 'O'], rMax_A: 4 });
    const batch = makeBatch(data.structures, data.structures.map((_, i) => i), 'float64', { energy: 1, forces: 1 });
    const g = buildTrainingModel(model, { dtype: 'float64', gradients: true });
    const feeds = { ...batch.feeds, ...Object.fromEntries(g.weightNames.map((n) => { const p = model.parameters.get(n); return [n, { data: p.data, dims: p.shape }]; })) };
    const losses = new Set<string>();
    for (const threads of [1, 2, 4]) {
      const seen = new Set<string>();
      const s = await createSession(g.bytes, { device: 'cpu', intraOpThreads: threads });
      try {
        for (let k = 0; k < 5; k++) {
          const out = await s.run(feeds);
          losses.add(bits(Float64Array.from(out.loss!.data as Float64Array)));
          seen.add(g.weightNames.map((n) => bits(Float64Array.from(out[gradientOutputName(n)]!.data as Float64Array))).join('|'));
        }
      } finally {
        await s.release();
      }
      expect(seen.size, `${threads} threads`).toBe(1);
    }
    // The loss is the same at every thread count. A weight gradient is a MatMul whose inner
    // dimension runs over all edges, which onnxruntime's GEMM may split differently at another
    // thread count (seen: 3e-15 relative on the radial MLP weights) — fixed for a given count.
    expect(losses.size).toBe(1);
  });
});

describe('forces of a default-size NequIP against central finite differences, 2 threads (float64)', () => {
  // A 24-atom periodic box: the case, where racy sums made energies jitter by ~1e-4 eV.
  const [f] = readExtxyz(join(ROOT, 'examples/water/boxes/water-64.extxyz'));
  const keep = 24;
  const system = createSystem({ symbols: f!.symbols.slice(0, keep), positions: f!.positions.slice(0, 3 * keep), masses: f!.symbols.slice(0, keep).map((s) => atomicMass(s)!), box: Box.orthorhombic(7.5, 7.5, 7.5) });
  it.each([1e-3, 1e-4])('h = %s Å: every sampled component within 1e-5 relative (plus 1e-7 eV/Å)', async (h) => {
    const model = createNequip({ typeNames: ['H', 'O'], rMax_A: 4, seed: 2 }); // 4 layers, lmax 2, 32 features
    const pot = await createOnnxPotential({ model: exportPotential(model, { dtype: 'float64' }), typeNames: system.typeNames, device: 'cpu', intraOpThreads: 2 });
    try {
      const search = createCellList({ radius_A: pot.cutoff_A, kind: 'full' });
      const energyAt = async (x: Float64Array): Promise<number> => {
        const s = { ...system, positions: x };
        const out = { energy_eV: 0, forces: new Float64Array(3 * keep), virial: new Float64Array(9) };
        await pot.compute(s, search.build(x, system.box), out);
        return out.energy_eV;
      };
      const ref = await singlePoint(pot, system);
      for (const k of [0, 4, 17, 31, 50, 71]) {
        const x = Float64Array.from(system.positions);
        x[k] += h;
        const up = await energyAt(x);
        x[k] -= 2 * h;
        const down = await energyAt(x);
        const fd = -(up - down) / (2 * h);
        expect(Math.abs(ref.forces[k]! - fd), `component ${k}: ${ref.forces[k]} vs ${fd}`).toBeLessThan(1e-5 * Math.abs(fd) + 1e-7 + 2e-14 / h);
      }
    } finally {
      await pot.dispose!();
    }
  });
});
