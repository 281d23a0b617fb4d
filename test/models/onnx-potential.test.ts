/**
 * The `onnx` potential's loading checks: every way a model file can break the contract gets a
 * message naming the input, output or metadata key; unknown elements are named; and the input
 * preparation keeps exactly the pairs within r_max of a Verlet list built with skin.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createGraph, writeModel } from '../../onnx/index.js';
import { buildPotentialGraph, exportPotential, potentialMetadata, type PotentialModel } from '../../models/index.js';
import { createOnnxPotential } from '../../potentials/onnx-potential.js';
import { createVerletList } from '../../engine/verlet-list.js';
import { createForceOutput } from '../../engine/potential.js';
import { evaluate, periodicWater, potentialOf, tinyNequip } from './helpers.js';

let model: PotentialModel;
beforeAll(() => {
  model = tinyNequip({ numLayers: 1 });
});

/** Model bytes whose metadata has `edit` applied. */
function withMetadata(edit: (m: Record<string, string>) => void): Uint8Array {
  const { graph } = buildPotentialGraph(model, { dtype: 'float32' });
  const meta = potentialMetadata(model, 'float32');
  edit(meta);
  return writeModel(graph, { metadata: meta });
}

describe('onnx potential: contract checks', () => {
  it('names an element the model does not know', async () => {
    await expect(createOnnxPotential({ model: exportPotential(model, { dtype: 'float32' }), typeNames: ['O', 'N'], device: 'cpu' })).rejects.toThrow(/does not know element 'N' \(it was made for H, O\)/);
  });

  it.each([
    ['e3md.r_max', (m: Record<string, string>) => { delete m['e3md.r_max']; }, /metadata key 'e3md.r_max' is missing/],
    ['e3md.r_max', (m: Record<string, string>) => { m['e3md.r_max'] = '-1'; }, /'e3md.r_max' must be a positive number/],
    ['e3md.type_names', (m: Record<string, string>) => { m['e3md.type_names'] = 'H,H'; }, /'e3md.type_names' must be distinct/],
    ['e3md.interaction_depth', (m: Record<string, string>) => { m['e3md.interaction_depth'] = '0.5'; }, /'e3md.interaction_depth' must be a positive integer/],
    ['e3md.dtype', (m: Record<string, string>) => { m['e3md.dtype'] = 'float64'; }, /'e3md.dtype' says 'float64' but input 'pos' is float32/],
    ['e3md.r_max vs settings', (m: Record<string, string>) => { m['e3md.r_max'] = '4.5'; }, /metadata keys contradict each other: 'e3md.settings' has rMax_A \d[.\d]* but 'e3md.r_max' is '4.5'/],
    ['e3md.type_names vs settings', (m: Record<string, string>) => { m['e3md.type_names'] = 'O,H'; }, /metadata keys contradict each other: 'e3md.settings' has typeNames \["H","O"\] but 'e3md.type_names' is 'O,H'/],
    ['e3md.settings', (m: Record<string, string>) => { m['e3md.settings'] = '[1]'; }, /metadata key 'e3md.settings' must be a JSON object, got '\[1\]'/],
  ])('names a bad metadata key (%s)', async (_key, edit, message) => {
    await expect(createOnnxPotential({ model: withMetadata(edit), typeNames: ['H'], device: 'cpu' })).rejects.toThrow(message);
  });

  it('names a missing output and a wrongly typed input', async () => {
    const g = createGraph({ dtype: 'float32' });
    const pos = g.input('pos', ['N', 3]);
    g.input('atom_types', ['N'], 'int64');
    g.input('edge_index', [2, 'E'], 'int64');
    g.input('edge_shift', ['E', 3]);
    const mask = g.input('energy_mask', ['N']);
    const ae = g.reduceSum(g.mul(pos, pos), [1]);
    g.output('atomic_energy', ae);
    g.output('energy', g.reduceSum(g.mul(ae, mask)));
    g.output('forces', g.mul(pos, -2));
    const bytes = writeModel(g, { metadata: potentialMetadata(model, 'float32') });
    await expect(createOnnxPotential({ model: bytes, typeNames: ['H'], device: 'cpu' })).rejects.toThrow(/output 'virial' is missing/);

    const g3 = createGraph({ dtype: 'float32' });
    const p3 = g3.input('pos', ['N', 3]);
    g3.input('atom_types', ['N']); // float, not int64
    g3.input('edge_index', [2, 'E'], 'int64');
    g3.input('edge_shift', ['E', 3]);
    g3.input('energy_mask', ['N']);
    g3.output('energy', g3.reduceSum(p3));
    await expect(createOnnxPotential({ model: writeModel(g3, { metadata: potentialMetadata(model, 'float32') }), typeNames: ['H'], device: 'cpu' })).rejects.toThrow(/input 'atom_types' has element type float32, expected int64/);
  });

  it('rejects bytes that are not an ONNX model, and a missing file', async () => {
    await expect(createOnnxPotential({ model: Uint8Array.of(1, 2, 3, 250), typeNames: ['H'] })).rejects.toThrow(/not a readable ONNX model|input 'pos' is missing/);
    await expect(createOnnxPotential({ model: '/nonexistent/model.onnx', typeNames: ['H'] })).rejects.toThrow(/model '\/nonexistent\/model.onnx': cannot read the file/);
  });
});

describe('onnx potential: input preparation', () => {
  it('keeps exactly the pairs within r_max of a skinned Verlet list, and matches a list without skin', async () => {
    const sys = periodicWater();
    const pot = await potentialOf(model, 'float64', sys.typeNames);
    const ref = await evaluate(pot, sys); // fresh list of radius r_max
    const edgesNoSkin = pot.lastEdgeCount;
    const verlet = createVerletList({ cutoff_A: pot.cutoff_A, skin_A: 1.5, kind: 'full' });
    const list = verlet.build(sys.positions, sys.box);
    expect(list.nPairs).toBeGreaterThan(edgesNoSkin);
    const out = createForceOutput(sys.n);
    await pot.compute(sys, list, out);
    expect(pot.lastEdgeCount).toBe(edgesNoSkin);
    expect(Math.abs(out.energy_eV - ref.energy)).toBeLessThan(1e-12);
    for (let k = 0; k < 3 * sys.n; k++) expect(Math.abs(out.forces[k]! - ref.forces[k]!)).toBeLessThan(1e-12);
    // Again with the same list: buffers are reused and the result is identical.
    const first = out.energy_eV;
    await pot.compute(sys, list, out);
    expect(out.energy_eV).toBe(first);
    expect(pot.timings.calls).toBe(3);
    await expect(pot.compute(sys, { ...list, kind: 'half' }, out)).rejects.toThrow(/needs a full neighbor list/);
    await pot.dispose!();
  });
});
