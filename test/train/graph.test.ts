import { describe, expect, it } from 'vitest';
import { createSession } from '../../onnx/index.js';
import { buildTrainingModel, gradientOutputName, loadDataset, makeBatch } from '../../train/index.js';
import { assertForcesMatchFiniteDifference } from '../../testing/index.js';
import { MINI, microAllegro, microNequip } from './helpers.js';

const weights = { energy: 1, forces: 1 };

const models = { nequip: () => microNequip(), allegro: () => microAllegro() };

describe('training graph', () => {
  it.each(Object.keys(models) as (keyof typeof models)[])('%s: gradients of the loss with respect to the weights match central finite differences (float64)', async (arch) => {
    const model = models[arch]();
    const data = loadDataset([MINI.train], { name: 'train', typeNames: ['H', 'O'], rMax_A: 3.5 });
    const batch = makeBatch(data.structures, [1, 6, 12], 'float64', weights); // monomer, dimer, trimer
    const trainGraph = buildTrainingModel(model, { dtype: 'float64', gradients: true });
    const evalGraph = buildTrainingModel(model, { dtype: 'float64', gradients: false });
    const [train, evaluate] = await Promise.all([createSession(trainGraph.bytes, { device: 'cpu', intraOpThreads: 1 }), createSession(evalGraph.bytes, { device: 'cpu', intraOpThreads: 1 })]);
    const params = Object.fromEntries(trainGraph.weightNames.map((n) => [n, model.parameters.get(n)]));
    const feeds = () => ({ ...batch.feeds, ...Object.fromEntries(Object.values(params).map((p) => [p.name, { data: p.data, dims: p.shape }])) });
    const out = await train.run(feeds());
    const lossAt = async () => Number((await evaluate.run(feeds(), ['loss'])).loss!.data[0]);
    expect(await lossAt()).toBe(Number(out.loss!.data[0]));
    // Every weight tensor, two entries each (first and last): covers embedding, radial MLP,
    // tensor-product paths, self-connection, readout and the per-species scale/shift.
    let checked = 0;
    for (const name of trainGraph.weightNames) {
      const p = params[name]!;
      const g = out[gradientOutputName(name)]!.data as Float64Array;
      for (const k of new Set([0, p.data.length - 1])) {
        const x = p.data[k]!;
        // h balances truncation (∝ h²) against round-off of the loss (∝ 1/h; energies are ~ −6000 eV).
        const h = 1e-4 * Math.max(1, Math.abs(x));
        p.data[k] = x + h;
        const up = await lossAt();
        p.data[k] = x - h;
        const down = await lossAt();
        p.data[k] = x;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(g[k]! - fd), `${name}[${k}]: autodiff ${g[k]} vs finite difference ${fd}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
    // Not trivially zero: most weights move the loss.
    const nonzero = trainGraph.weightNames.filter((n) => (out[gradientOutputName(n)]!.data as Float64Array).some((x) => x !== 0));
    expect(nonzero.length).toBeGreaterThan(0.8 * trainGraph.weightNames.length);
  });

  it('a batch is a disjoint graph: energies and forces match each structure run alone', async () => {
    const model = microNequip();
    const data = loadDataset([MINI.train], { name: 'train', typeNames: ['H', 'O'], rMax_A: 3.5 });
    const g = buildTrainingModel(model, { dtype: 'float64', gradients: false });
    const s = await createSession(g.bytes, { device: 'cpu', intraOpThreads: 1 });
    const w = Object.fromEntries(g.weightNames.map((n) => { const p = model.parameters.get(n); return [n, { data: p.data, dims: p.shape }]; }));
    const picks = [13, 0, 7];
    const together = makeBatch(data.structures, picks, 'float64', weights);
    expect(together.nEdges).toBe(picks.reduce((a, i) => a + data.structures[i]!.nEdges, 0));
    const all = await s.run({ ...together.feeds, ...w });
    const energies = Float64Array.from(all.structure_energy!.data as Float64Array);
    const forces = Float64Array.from(all.forces!.data as Float64Array);
    for (let b = 0; b < picks.length; b++) {
      const alone = await s.run({ ...makeBatch(data.structures, [picks[b]!], 'float64', weights).feeds, ...w });
      expect(Number(alone.structure_energy!.data[0])).toBeCloseTo(energies[b]!, 9);
      const f = alone.forces!.data as Float64Array;
      const a0 = together.atomOffsets[b]!;
      for (let k = 0; k < f.length; k++) expect(f[k]!).toBeCloseTo(forces[3 * a0 + k]!, 9);
    }
  });

  it('forces are minus the gradient of the structure energy (finite differences)', async () => {
    const model = microNequip();
    const data = loadDataset([MINI.train], { name: 'train', typeNames: ['H', 'O'], rMax_A: 3.5 });
    const g = buildTrainingModel(model, { dtype: 'float64', gradients: false });
    const s = await createSession(g.bytes, { device: 'cpu', intraOpThreads: 1 });
    const w = Object.fromEntries(g.weightNames.map((n) => { const p = model.parameters.get(n); return [n, { data: p.data, dims: p.shape }]; }));
    const batch = makeBatch(data.structures, [5, 10], 'float64', weights);
    // Both structures' energies and forces at once: the batch is one configuration of disjoint graphs.
    const evaluate = async (pos: Float64Array) => {
      const r = await s.run({ ...batch.feeds, pos: { data: pos, dims: [batch.nAtoms, 3] }, ...w });
      return { energy_eV: (r.structure_energy!.data as Float64Array).reduce((a, b) => a + b, 0), forces: Float64Array.from(r.forces!.data as Float64Array) };
    };
    const report = await assertForcesMatchFiniteDifference(evaluate, batch.feeds.pos!.data as Float64Array, { step_A: 1e-5, atol: 5e-7, rtol: 0, atoms: [0, 1, 7] });
    expect(report.maxAnalytic, 'not a trivially zero model').toBeGreaterThan(1e-3);
  });
});
