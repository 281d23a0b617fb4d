import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraph, createSession, evaluateGraph, type FloatDType, readModelInfo, readModelInfoFile, saveModel, writeModel } from '../../onnx/index.js';
import { ints } from './helpers.js';

/**
 * A model with the DESIGN.md §5 interface: a Lennard-Jones pair energy written with the IR, forces
 * and virial by autodiff (virial w.r.t. the intermediate edge vectors).
 */
function contractModel(dtype: FloatDType) {
  const g = createGraph({ dtype });
  const pos = g.input('pos', ['N', 3]);
  g.input('atom_types', ['N'], 'int64');
  const edgeIndex = g.input('edge_index', [2, 'E'], 'int64');
  const shift = g.input('edge_shift', ['E', 3]);
  const mask = g.input('energy_mask', ['N']);
  const i = g.gather(edgeIndex, g.constant(0, [], 'int64'), 0);
  const j = g.gather(edgeIndex, g.constant(1, [], 'int64'), 0);
  const r = g.scope('edges', () => g.add(g.sub(g.gather(pos, j), g.gather(pos, i)), shift));
  const atomic = g.scope('pair', () => {
    const s6 = g.pow(g.div(g.constant(3.4 * 3.4), g.reduceSum(g.mul(r, r), [1], true)), 3);
    const pair = g.mul(g.sub(g.mul(s6, s6), s6), 0.5 * 4 * 0.0104);
    return g.reshape(g.segmentSum(pair, i, 'N'), ['N']);
  });
  const energy = g.reduceSum(g.mul(atomic, mask));
  const [dEdpos, dEdr] = g.scope('forces', () => g.grad(energy, [pos, r]));
  g.output('atomic_energy', atomic);
  g.output('energy', energy);
  g.output('forces', g.neg(dEdpos!));
  g.output('virial', g.neg(g.einsum('ea,eb->ab', [r, dEdr!])));
  return g;
}

const METADATA = { 'e3md.format_version': '1', 'e3md.r_max': '8.5', 'e3md.type_names': 'Ar', 'e3md.interaction_depth': '1', 'e3md.architecture': 'lennard-jones', 'e3md.dtype': 'float64' };

// Three argon atoms, full directed edge list, one edge across a periodic boundary.
const FEEDS = {
  pos: { data: Float64Array.of(0, 0, 0, 3.8, 0.2, 0, 0.3, 3.6, 0.4), dims: [3, 3] },
  atom_types: ints([0, 0, 0]),
  edge_index: ints([0, 1, 0, 2, 1, 2, 1, 0, 2, 0, 2, 1], [2, 6]),
  edge_shift: { data: Float64Array.of(0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, -10), dims: [6, 3] },
  energy_mask: { data: Float64Array.of(1, 1, 1), dims: [3] },
};

describe('written models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e3md-onnx-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carry IR 8, opset 17, metadata, symbolic dims and scope-prefixed node names', () => {
    const bytes = writeModel(contractModel('float64'), { metadata: METADATA });
    const info = readModelInfo(bytes);
    expect(info.irVersion).toBe(8);
    expect(info.opset).toBe(17);
    expect(info.producerName).toBe('e3md');
    expect(info.metadata).toEqual(METADATA);
    expect(info.inputs).toEqual([
      { name: 'pos', dtype: 'float64', shape: ['N', 3] },
      { name: 'atom_types', dtype: 'int64', shape: ['N'] },
      { name: 'edge_index', dtype: 'int64', shape: [2, 'E'] },
      { name: 'edge_shift', dtype: 'float64', shape: ['E', 3] },
      { name: 'energy_mask', dtype: 'float64', shape: ['N'] },
    ]);
    expect(info.outputs.map((o) => [o.name, o.shape])).toEqual([['atomic_energy', ['N']], ['energy', []], ['forces', ['N', 3]], ['virial', [3, 3]]]);
    expect(info.nodeNames.some((n) => n.startsWith('pair/'))).toBe(true);
    expect(info.nodeNames.some((n) => n.startsWith('forces/grad/pair/'))).toBe(true);
  });

  it('load in onnxruntime from a file; forces and virial equal the interpreter and obey physics', async () => {
    const g = contractModel('float64');
    const path = join(dir, 'lj.onnx');
    await saveModel(g, path, { metadata: METADATA });
    expect((await readModelInfoFile(path)).metadata['e3md.r_max']).toBe('8.5');
    const s = await createSession(path, { device: 'cpu' });
    expect([...s.inputNames]).toEqual(['pos', 'atom_types', 'edge_index', 'edge_shift', 'energy_mask']);
    const got = await s.run(FEEDS);
    const want = evaluateGraph(g, FEEDS);
    for (const name of ['atomic_energy', 'energy', 'forces', 'virial']) {
      Array.from(want[name]!.data).forEach((v, k) => expect(got[name]!.data[k]).toBeCloseTo(v, 12));
    }
    const F = got.forces!.data as Float64Array;
    for (let a = 0; a < 3; a++) expect(Math.abs(F[a]! + F[3 + a]! + F[6 + a]!)).toBeLessThan(1e-12); // Newton's third law
    const W = got.virial!.data as Float64Array;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expect(W[3 * a + b]).toBeCloseTo(W[3 * b + a]!, 12);
    expect(Math.abs(Number(got.energy!.data[0]))).toBeGreaterThan(1e-4);
    await s.release();
  });

  it('runs with zero edges (an isolated atom): zero energy, forces and virial', async () => {
    const s = await createSession(writeModel(contractModel('float32')), { device: 'cpu' });
    const got = await s.run({
      pos: { data: Float32Array.of(0, 0, 0, 5, 5, 5), dims: [2, 3] },
      atom_types: ints([0, 0]),
      edge_index: ints([], [2, 0]),
      edge_shift: { data: new Float32Array(0), dims: [0, 3] },
      energy_mask: { data: Float32Array.of(1, 1), dims: [2] },
    });
    expect(got.forces!.dims).toEqual([2, 3]);
    expect(Array.from(got.forces!.data as Float32Array).every((x) => x === 0)).toBe(true); // ±0
    expect(Array.from(got.virial!.data as Float32Array).every((x) => x === 0)).toBe(true);
    expect(Number(got.energy!.data[0])).toBe(0);
    await s.release();
  });

  it('reshapes to sizes that are zero at run time (two symbolic dims, no edges)', async () => {
    const g = createGraph({ dtype: 'float64' });
    const x = g.input('x', ['N', 'E']);
    g.output('y', g.reshape(g.mul(g.reshape(x, [-1]), 2), ['N', 'E']));
    const s = await createSession(writeModel(g), { device: 'cpu' });
    for (const [n, e] of [[2, 3], [2, 0], [0, 3]] as const) {
      const r = await s.run({ x: { data: new Float64Array(n * e).fill(1), dims: [n, e] } });
      expect(r.y!.dims).toEqual([n, e]);
    }
    await s.release();
  });

  it('deploys replaced weight values without rebuilding the graph, and checks them', async () => {
    const g = createGraph({ dtype: 'float64' });
    const w = g.weight('w', [1, 2, 3], [3]);
    g.output('y', g.mul(g.input('x', [3]), w));
    const s = await createSession(writeModel(g, { weightValues: { w: [4, 5, 6] } }), { device: 'cpu' });
    const r = await s.run({ x: { data: Float64Array.of(1, 1, 1), dims: [3] } });
    expect(Array.from(r.y!.data as Float64Array)).toEqual([4, 5, 6]);
    await s.release();
    expect(() => writeModel(g, { weightValues: { v: [1, 2, 3] } })).toThrow(/'v', which is not a weight/);
    expect(() => writeModel(g, { weightValues: { w: [1, 2] } })).toThrow(/weightValues\['w'\] has 2 values, the weight has 3/);
  });

  it('refuses a symbolic size no input declares, and a graph without outputs', () => {
    const g = createGraph({ dtype: 'float32' });
    g.input('x', ['N', 3]);
    expect(() => writeModel(g)).toThrow(/no outputs/);
    g.output('z', g.expand(g.constant(0), ['M', 2]));
    expect(() => writeModel(g)).toThrow(/symbolic dimension 'M'.*not a dimension of any graph input/);
  });
});
