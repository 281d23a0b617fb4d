/**
 * The ONNX potential contract as data (engine/potential-contract.ts, DESIGN.md §5): what an
 * exported model declares is exactly the contract, and the metadata keys read back what they wrote.
 */
import { describe, expect, it } from 'vitest';
import { contractDims, FORMAT_VERSION, formatMetadata, METADATA_KEYS, parseMetadata, POTENTIAL_INPUTS, POTENTIAL_OUTPUTS, type PotentialMetadata } from '../../engine/index.js';
import { createAllegro, exportPotential } from '../../models/index.js';
import { readModelInfo } from '../../onnx/index.js';

const META: PotentialMetadata = { formatVersion: FORMAT_VERSION, rMax_A: 4.5, typeNames: ['H', 'O'], interactionDepth: 2, architecture: 'nequip', dtype: 'float64', numParameters: 12, settings: { rMax_A: 4.5, typeNames: ['H', 'O'], lmax: 1 } };

describe('the ONNX potential contract (data)', () => {
  it('declares the §5 names in order, each under its own name', () => {
    expect(Object.values(POTENTIAL_INPUTS).map((t) => t.name)).toEqual(['pos', 'atom_types', 'edge_index', 'edge_shift', 'energy_mask']);
    expect(Object.values(POTENTIAL_OUTPUTS).map((t) => t.name)).toEqual(['atomic_energy', 'energy', 'forces', 'virial']);
    for (const [k, t] of [...Object.entries(POTENTIAL_INPUTS), ...Object.entries(POTENTIAL_OUTPUTS)]) expect(t.name).toBe(k);
    expect(contractDims(POTENTIAL_INPUTS.edge_index, { N: 3, E: 7 })).toEqual([2, 7]);
    expect(() => contractDims(POTENTIAL_INPUTS.pos, { E: 7 })).toThrow(/pos: no size given for its dimension 'N'/);
  });

  it.each(['float32', 'float64'] as const)('an exported model declares exactly the contract (%s)', (dtype) => {
    const info = readModelInfo(exportPotential(createAllegro({ typeNames: ['H'], numLayers: 1, lmax: 1, numTensorFeatures: 2, latentDim: 4 }), { dtype }));
    const expected = (ts: typeof POTENTIAL_INPUTS | typeof POTENTIAL_OUTPUTS) => Object.values(ts).map((t) => ({ name: t.name, dtype: t.dtype === 'model' ? dtype : t.dtype, shape: [...t.shape] }));
    expect(info.inputs.map(({ name, dtype, shape }) => ({ name, dtype, shape }))).toEqual(expected(POTENTIAL_INPUTS));
    expect(info.outputs.map(({ name, dtype, shape }) => ({ name, dtype, shape }))).toEqual(expected(POTENTIAL_OUTPUTS));
    const meta = parseMetadata(info.metadata);
    expect(meta).toMatchObject({ formatVersion: FORMAT_VERSION, rMax_A: 5, typeNames: ['H'], interactionDepth: 1, architecture: 'allegro', dtype });
    expect(meta.settings?.['lmax']).toBe(1);
  });

  it('metadata keys read back what they write, and name the key of a bad value', () => {
    const props = formatMetadata(META);
    expect(Object.keys(props)).toEqual(['e3md.format_version', 'e3md.r_max', 'e3md.type_names', 'e3md.interaction_depth', 'e3md.architecture', 'e3md.dtype', 'e3md.num_parameters', 'e3md.settings']);
    expect(parseMetadata(props)).toEqual(META);
    expect(() => parseMetadata({ ...props, [METADATA_KEYS.dtype.key]: 'float16' }, 'm.onnx')).toThrow(/^m\.onnx: metadata key 'e3md\.dtype' must be 'float32' or 'float64', got 'float16'$/);
    expect(() => parseMetadata({ ...props, 'e3md.num_parameters': '-3' })).toThrow(/'e3md\.num_parameters' must be a non-negative integer, got '-3'/);
    expect(() => parseMetadata({ ...props, 'e3md.blocks': '[{"block": 1}]' })).toThrow(/'e3md\.blocks' must be a JSON array of \{ block, irrepsIn, irrepsOut \}/);
    const { 'e3md.architecture': _a, ...noArch } = props;
    expect(() => parseMetadata(noArch)).toThrow(/metadata key 'e3md\.architecture' is missing/);
  });

  it('refuses keys that contradict each other, naming both values', () => {
    const props = formatMetadata(META);
    expect(() => parseMetadata({ ...props, 'e3md.r_max': '5' }, 'm.onnx')).toThrow("m.onnx: metadata keys contradict each other: 'e3md.settings' has rMax_A 4.5 but 'e3md.r_max' is '5'");
    expect(() => parseMetadata({ ...props, 'e3md.type_names': 'H,O,C' })).toThrow(`'e3md.settings' has typeNames ["H","O"] but 'e3md.type_names' is 'H,O,C'`);
    // Settings that do not say (a model made elsewhere) are not a contradiction.
    expect(parseMetadata({ ...props, 'e3md.settings': '{"layers": 3}' }).rMax_A).toBe(4.5);
  });
});
