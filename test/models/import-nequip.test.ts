/**
 * `e3md model import` of models that nequip 0.6.2 itself built and deployed
 * (test/fixtures/nequip-import, made by tools/make-nequip-import-fixtures.py): energies, atomic
 * energies, forces and virials of the imported model equal nequip's own on periodic water, a thin
 * triclinic cell and a cluster (float64 to 1e-10, float32 to 1e-5 relative); every option e3md
 * cannot reproduce is refused by name. The mapping runs on the committed dumps always; the dump
 * itself (tools/nequip-dump.py) where Debian's PyTorch is installed, and the checkpoint route
 * where the nequip reference environment is (E3MD_REF_PYTHON, default /work/ref/bin/python).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSystem, singlePoint } from '../../engine/index.js';
import { readExtxyz } from '../../io/index.js';
import { exportPotential, importNequip, rebuildModel, type NequipDump } from '../../models/index.js';
import { createOnnxPotential } from '../../potentials/index.js';
import { e3md } from '../cli/fixtures.js';
import { PYTHON, pythonOrWarn } from '../harness/python.js';

const DIR = 'test/fixtures/nequip-import';
const FRAMES = readExtxyz('test/fixtures/models/nequip-e3nn-frames.extxyz');

interface Reference {
  frames: { energy: number; atomic_energy: number[]; forces: number[]; virial?: number[]; edges: number }[];
  parameters: number;
}

const dumpOf = (name: string): NequipDump => JSON.parse(readFileSync(`${DIR}/${name}.dump.json`, 'utf8')) as NequipDump;
const referenceOf = (name: string): Reference => JSON.parse(readFileSync(`${DIR}/${name}.reference.json`, 'utf8')) as Reference;

/** Largest |a − b| over the largest |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let k = 0; k < b.length; k++) {
    d = Math.max(d, Math.abs(a[k]! - b[k]!));
    m = Math.max(m, Math.abs(b[k]!));
  }
  return d / m;
}

/** The model file against nequip's numbers on every frame. */
async function expectMatches(bytes: Uint8Array, ref: Reference, tol: number): Promise<void> {
  const pot = await createOnnxPotential({ model: bytes, typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
  try {
    for (const [k, frame] of FRAMES.entries()) {
      const want = ref.frames[k]!;
      const system = createSystem({ symbols: frame.symbols, positions: frame.positions, masses: frame.symbols.map(() => 1), box: frame.box });
      const got = await singlePoint(pot, system);
      expect(pot.lastEdgeCount, `frame ${k} edges`).toBe(want.edges);
      expect(Math.abs(got.energy_eV - want.energy) / Math.abs(want.energy), `frame ${k} energy`).toBeLessThan(tol);
      expect(relErr(pot.lastAtomicEnergy, want.atomic_energy), `frame ${k} atomic energies`).toBeLessThan(tol);
      expect(relErr(got.forces, want.forces), `frame ${k} forces`).toBeLessThan(tol);
      if (want.virial) expect(relErr(got.virial, want.virial), `frame ${k} virial`).toBeLessThan(tol);
    }
  } finally {
    await pot.dispose?.();
  }
}

describe('models deployed by nequip 0.6.2, imported', () => {
  it.each([
    ['nequip-f64', 1e-10],
    ['nequip-f32', 1e-5],
  ] as const)('%s: energies, atomic energies, forces and virials equal nequip\'s within %s', async (name, tol) => {
    const imported = importNequip(dumpOf(name));
    expect(imported.dtype).toBe(name.endsWith('f64') ? 'float64' : 'float32');
    expect(imported.nequipVersion).toBe('0.6.2');
    // nequip counts its trainable weights; e3md's per-species scales and shifts are parameters too.
    expect(imported.parameterCount).toBe(referenceOf(name).parameters + 4);
    const bytes = exportPotential(imported.model, { dtype: imported.dtype });
    await expectMatches(bytes, referenceOf(name), tol);
    // The file's e3md.settings (e3nn's activation constants included) rebuild the same network.
    const rebuilt = rebuildModel(bytes);
    expect(exportPotential(rebuilt.model, { dtype: rebuilt.dtype })).toEqual(bytes);
  });
});

describe('options e3md cannot reproduce are refused by name', () => {
  const F = 'model.model.func';
  type Edit = (d: NequipDump) => void;
  const mod = (d: NequipDump, path: string) => d.modules.find((m) => m.path === path)!;
  const cases: [string, Edit, RegExp][] = [
    ['use_sc: false', (d) => void (mod(d, `${F}.layer1_convnet.conv`).attrs['use_sc'] = false), /^use_sc: false is not supported/],
    ['nonlinearity_type: norm', (d) => void (mod(d, `${F}.layer0_convnet.equivariant_nonlin`).type = 'NormActivation'), /^nonlinearity_type: "norm" is not supported/],
    ['a global energy shift', (d) => void (mod(d, 'model').attrs['has_shift'] = true), /^global_rescale_shift: a global energy shift is not size-extensive/],
    ['parity: false', (d) => Object.assign(d.config, { parity: false, feature_irreps_hidden: '8x0e+8x1e+8x2e' }), /^parity: false .*has no e3md equivalent/],
    ['hidden irreps in another order', (d) => void (d.config['feature_irreps_hidden'] = '8x0o+8x0e+8x1o+8x1e+8x2o+8x2e'), /^feature_irreps_hidden: 8x0o\+8x0e.*only the irreps that l_max, num_features and parity make \(8x0e\+8x1e\+8x2e\+8x0o\+8x1o\+8x2o\)/],
    ['all-even edge harmonics', (d) => void (mod(d, `${F}.spharm_edges.sh`).attrs['irreps_out'] = '1x0e+1x1e+1x2e'), /^irreps_edge_sh: 1x0e\+1x1e\+1x2e/],
    ['norm-normalized harmonics', (d) => void (mod(d, `${F}.spharm_edges.sh`).attrs['normalization'] = 'norm'), /^edge_sh_normalization: "norm"/],
    ['per-layer avg_num_neighbors', (d) => void (mod(d, `${F}.layer2_convnet.conv`).attrs['avg_num_neighbors'] = 7), /^avg_num_neighbors: differs between layers \(12\.5, 12\.5, 7\)/],
    ['per-layer gate activations', (d) => void (mod(d, `${F}.layer1_convnet.equivariant_nonlin.act_gates.acts.0`).attrs['activation'] = 'silu'), /^layer1_convnet nonlinearity: nequip's gate uses .*silu.* where e3md would use/],
    ['a ZBL pair potential', (d) => void d.modules.push({ path: `${F}.pair_potential`, type: 'ZBL', attrs: {} }), /^module model\.model\.func\.pair_potential: ZBL is not part of nequip's NequIP energy model/],
    ['another model builder', (d) => void (d.config['model_builders'] = ['SimpleIrrepsConfig', 'EnergyModel', 'PairPotentialTerm', 'ForceOutput']), /^model_builders: builder "PairPotentialTerm" is not supported/],
    ['an Allegro model', (d) => void d.modules.push({ path: `${F}.allegro`, type: 'Allegro_Module', attrs: {} }), /an Allegro model: importNequip maps NequIP models; allegroFromRecord \(models\/allegro\) maps Allegro ones/],
    ['nequip 0.5', (d) => void (d.metadata['nequip_version'] = '0.5.6'), /^nequip_version: "0\.5\.6": models of nequip 0\.6\.x are supported/],
    ['type names that are not elements', (d) => void (d.metadata['type_names'] = 'H Ow'), /^type_names: "Ow" is not a chemical symbol/],
    ['a tensor with no place in e3md', (d) => void (d.state_dict[`${F}.layer0_convnet.conv.extra_bias`] = { shape: [2], dtype: 'float64', values: Buffer.alloc(16).toString('base64') }), /^model\.model\.func\.layer0_convnet\.conv\.extra_bias: a tensor of shape \[2\] e3md's NequIP has no place for/],
    ['radial-network variances', (d) => void (mod(d, `${F}.layer0_convnet.conv.fc.layer1`).attrs['var_out'] = 2), /^layer0_convnet radial network: FullyConnectedNet variances other than 1/],
  ];
  it.each(cases)('%s', (_name, edit, message) => {
    const d = dumpOf('nequip-f64');
    edit(d);
    expect(() => importNequip(d)).toThrow(message);
  });
});

describe.skipIf(!pythonOrWarn('e3md model import of a deployed nequip model (tools/nequip-dump.py)', 'torch'))('e3md model import, end to end', () => {
  it('a deployed model: the file equals the one made from the committed dump (so nequip\'s numbers, above)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-import-'));
    const out = join(dir, 'f64.onnx');
    const r = await e3md('model', 'import', `${DIR}/nequip-f64.pth`, '--out', out, '--python', PYTHON);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*f64\.onnx from nequip 0\.6\.2 deployed model: NequIP, 3 layers, lmax 2, 8 features, r_max 4 Å, types H,O, 14,430 parameters, float64, \d+ KiB\n$/);
    const dump = dumpOf('nequip-f64');
    const imported = importNequip(dump);
    const metadata = { 'e3md.imported_from': `nequip 0.6.2 deployed model (torch ${dump.torch_version})` };
    expect(readFileSync(out).equals(Buffer.from(exportPotential(imported.model, { dtype: 'float64', metadata })))).toBe(true);
  });

  it('files that are not nequip models, and Pythons without PyTorch: exit 2, one message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-import-'));
    const cases: [string[], RegExp][] = [
      [[`${DIR}/nequip-f64.reference.json`], /nequip-f64\.reference\.json: not a TorchScript file that PyTorch .* can load/],
      [[join(dir, 'none.pth')], /none\.pth: no such file/],
      [[`${DIR}/nequip-f64.pth`, '--python', join(dir, 'no-python')], /cannot run .*no-python \(ENOENT\); give --python the interpreter that has PyTorch/],
      [[`${DIR}/nequip-f64.ckpt.pth`, '--config', join(dir, 'none.yaml')], /--config .*none\.yaml: no such file/],
    ];
    for (const [args, message] of cases) {
      const r = await e3md('model', 'import', ...args, '--out', join(dir, 'x.onnx'), ...(args.includes('--python') ? [] : ['--python', PYTHON]));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
    }
  });
});

const REF_PYTHON = process.env['E3MD_REF_PYTHON'] ?? '/work/ref/bin/python';
const haveNequip = existsSync(REF_PYTHON) && spawnSync(REF_PYTHON, ['-W', 'ignore', '-c', 'import nequip'], { cwd: tmpdir() }).status === 0;
if (!haveNequip) console.warn(`\n*** SKIPPED: e3md model import of a nequip checkpoint — ${REF_PYTHON} cannot import nequip (set E3MD_REF_PYTHON) ***\n`);

describe.skipIf(!haveNequip)('e3md model import of a checkpoint and its config (nequip rebuilds the module tree)', () => {
  it('equals nequip\'s numbers, as the deployed file does', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'e3md-import-')), 'f32.onnx');
    const r = await e3md('model', 'import', `${DIR}/nequip-f32.ckpt.pth`, '--config', `${DIR}/nequip-f32.config.yaml`, '--out', out, '--python', REF_PYTHON);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/from nequip 0\.6\.2 checkpoint model: NequIP, 2 layers, lmax 1, 16 features, r_max 3\.5 Å/);
    await expectMatches(readFileSync(out), referenceOf('nequip-f32'), 1e-5);
  });
});
