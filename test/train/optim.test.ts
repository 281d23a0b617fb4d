import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/index.js';
import { batchIndices, createAdam, createSchedule, loadDataset, makeBatch, shuffled } from '../../train/index.js';
import { MINI } from './helpers.js';

describe('Adam', () => {
  it('first step moves each weight by lr against its gradient sign (bias correction)', () => {
    const w = Float64Array.from([1, -2, 3]);
    const opt = createAdam({ w }, { eps: 0 });
    opt.update({ w }, { w: [0.5, -4, 1e-3] }, 0.1);
    expect(Array.from(w)).toEqual([0.9, -1.9, 2.9]);
    expect(opt.state.step).toBe(1);
  });

  it('minimizes a quadratic, and a restored state continues identically', () => {
    const run = (steps: number, w: Float64Array, state?: ReturnType<typeof createAdam>['state']) => {
      const opt = createAdam({ w }, {}, state);
      for (let s = 0; s < steps; s++) opt.update({ w }, { w: [2 * (w[0]! - 3), 2 * (w[1]! + 1)] }, 0.05);
      return opt.state;
    };
    const a = Float64Array.from([0, 0]);
    run(400, a);
    expect(a[0]).toBeCloseTo(3, 3);
    expect(a[1]).toBeCloseTo(-1, 3);
    const b = Float64Array.from([0, 0]);
    const half = run(150, b);
    const copy = { step: half.step, m: { w: Float64Array.from(half.m.w!) }, v: { w: Float64Array.from(half.v.w!) } };
    run(250, b, copy);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('refuses a missing or mis-sized gradient', () => {
    const w = new Float64Array(2);
    const opt = createAdam({ w });
    expect(() => opt.update({ w }, {}, 0.1)).toThrow(/gradient of 'w' is missing/);
    expect(() => opt.update({ w }, { w: [1] }, 0.1)).toThrow(/has 1 values, expected 2/);
  });
});

describe('plateau schedule and early stopping', () => {
  const options = { learningRate: 1e-2, factor: 0.5, patience: 2, minLearningRate: 2e-3, threshold: 0, earlyStoppingPatience: 6 };

  it('reduces the rate after `patience` epochs without improvement, never below the floor', () => {
    const s = createSchedule(options);
    expect(s.observe(1.0, 1)).toMatchObject({ improved: true, reduced: false });
    expect(s.observe(0.5, 2).improved).toBe(true);
    expect(s.observe(0.6, 3).reduced).toBe(false);
    expect(s.observe(0.6, 4).reduced).toBe(false);
    expect(s.observe(0.6, 5).reduced).toBe(true);
    expect(s.state.learningRate).toBe(5e-3);
    s.observe(0.7, 6); s.observe(0.7, 7);
    expect(s.observe(0.7, 8).reduced).toBe(true);
    expect(s.state.learningRate).toBe(2.5e-3);
    s.observe(0.7, 9); s.observe(0.7, 10); s.observe(0.7, 11);
    expect(s.state.learningRate).toBe(2e-3);
    expect(s.state.bestEpoch).toBe(2);
  });

  it('stops after earlyStoppingPatience epochs without a new best, and on a non-finite loss', () => {
    const s = createSchedule({ ...options, minLearningRate: 1e-9 });
    s.observe(1, 1);
    for (let e = 2; e < 7; e++) expect(s.observe(2, e).stop).toBeUndefined();
    expect(s.observe(2, 7).stop).toMatch(/no improvement .* for 6 epochs/);
    expect(createSchedule(options).observe(NaN, 1).stop).toMatch(/diverged/);
  });
});

describe('batches', () => {
  it('offset every structure’s edges by its first atom and keep species, references and weights', () => {
    const data = loadDataset([MINI.train], { name: 'train', typeNames: ['H', 'O'], rMax_A: 3.5 });
    const picks = [4, 0, 13];
    const b = makeBatch(data.structures, picks, 'float32', { energy: 2, forces: 3 });
    expect(b.nAtoms).toBe(6 + 3 + 9);
    expect(Array.from(b.atomOffsets)).toEqual([0, 6, 9, 18]);
    const ei = b.feeds.edge_index!.data as BigInt64Array;
    const E = b.nEdges;
    const batchOf = b.feeds.batch!.data as BigInt64Array;
    for (let e = 0; e < E; e++) expect(batchOf[Number(ei[e])]).toBe(batchOf[Number(ei[E + e])]); // never across structures
    const s1 = data.structures[0]!;
    const first = data.structures[4]!.nEdges;
    expect(Number(ei[first])).toBe(s1.edgeIndex[0]! + 6);
    expect(b.feeds.pos!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(b.refEnergy_eV)).toEqual(picks.map((i) => data.structures[i]!.energy_eV));
    expect((b.feeds.energy_weight!.data as Float32Array)[0]).toBeCloseTo(2 / 3, 6);
    expect((b.feeds.force_weight!.data as Float32Array)[0]).toBeCloseTo(3 / (3 * 18), 6);
    expect(batchIndices(shuffled(10, new Rng(1)), 4).map((x) => x.length)).toEqual([4, 4, 2]);
  });

  it('shuffles deterministically per seed stream', () => {
    const a = shuffled(50, new Rng(3).split(2));
    expect(Array.from(a)).toEqual(Array.from(shuffled(50, new Rng(3).split(2))));
    expect(Array.from(a)).not.toEqual(Array.from(shuffled(50, new Rng(3).split(3))));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
