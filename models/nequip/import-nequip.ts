/**
 * A model trained with nequip 0.6.x, mapped onto e3md's NequIP: `e3md model import` runs
 * tools/nequip-dump.py (PyTorch) to read the file, and this maps the dump — config, module tree,
 * activation constants, weights — onto {@link createNequip}'s options and parameters.
 *
 * The architecture is read from the module tree nequip built (so nequip's defaults and per-layer
 * config overrides are taken as they were resolved), the weights by name:
 *
 * | nequip (under `…func.`) | e3md |
 * |---|---|
 * | `radial_basis.basis.bessel_weights` | `radial_basis.bessel_weights` |
 * | `chemical_embedding.linear.weight` | `chemical_embedding.w*` |
 * | `layerK_convnet.conv.linear_1.weight` / `.linear_2.weight` / `.sc.weight` | `layerK_convnet.linear_1.w*` / `.linear_2.w*` / `.self_connection.w*` |
 * | `layerK_convnet.conv.fc.layerJ.weight` | `layerK_convnet.radial_mlp.wJ` |
 * | `conv_to_output_hidden.linear.weight`, `output_hidden_to_scalar.linear.weight` | `conv_to_output_hidden.w*`, `output_hidden_to_scalar.w*` |
 * | `per_species_rescale.scales/shifts` × the global `scale_by` | `per_species_scale_shift.scales/shifts` |
 *
 * e3nn flattens a Linear's or tensor product's weights instruction by instruction, each block
 * [mul_in, (mul_in2,) mul_out] row-major — the order of e3md's `w0, w1, …`. Everything else in the
 * state dict must be a buffer e3md recomputes (Wigner 3j tables, output masks, empty biases).
 */
import { atomicMass } from '../../engine/index.js';
import { Irrep, Irreps } from '../../o3/index.js';
import type { PotentialModel } from '../model.js';
import { createNequip } from './model.js';
import { hiddenIrreps, tpPathExists } from './convnet.js';
import { nequipSettings, type NequipOptions } from './options.js';

/** One tensor of a dump: float64 little-endian bytes in base64. */
export interface NequipDumpTensor {
  shape: number[];
  dtype: string;
  values: string;
}

/** One module of the tree nequip built: its path, class and scalar attributes. */
export interface NequipDumpModule {
  path: string;
  type: string;
  attrs: Record<string, unknown>;
}

/** What tools/nequip-dump.py writes (format `e3md-nequip-dump/1`). */
export interface NequipDump {
  format: string;
  source: 'deployed' | 'checkpoint';
  torch_version?: string;
  metadata: Record<string, string>;
  config: Record<string, unknown>;
  modules: NequipDumpModule[];
  /** normalize2mom factor of each activation, as the model uses it. */
  constants: Record<string, number>;
  state_dict: Record<string, NequipDumpTensor>;
}

/** A model (or option) the importer cannot map; `option` names the nequip option or module. */
export class NequipImportError extends Error {
  constructor(readonly option: string, detail: string) {
    super(`${option}: ${detail}`);
    this.name = 'NequipImportError';
  }
}

/** The imported model and what it came from. */
export interface ImportedNequip {
  model: PotentialModel;
  /** The model's dtype in nequip (`model_dtype`): the natural export dtype. */
  dtype: 'float32' | 'float64';
  nequipVersion: string;
  /** Scalars copied from the nequip file (e3md parameters are all filled from it). */
  parameterCount: number;
}

const FORMAT = 'e3md-nequip-dump/1';

/** Wrappers around the energy model: forces and virial come from e3md's own autodiff instead. */
const WRAPPERS = new Set(['GraphModel', 'RescaleOutput', 'StressOutput', 'ForceOutput', 'GradientOutput', 'SequentialGraphNetwork']);
/** Module classes inside nequip's standard energy model. */
const KNOWN = new Set([
  'OneHotAtomEncoding', 'SphericalHarmonicEdgeAttrs', 'SphericalHarmonics', 'RadialBasisEdgeEncoding', 'BesselBasis', 'PolynomialCutoff',
  'AtomwiseLinear', 'Linear', 'GraphModule', 'ConvNetLayer', 'Gate', '_Sortcut', 'Extract', 'Activation', 'ModuleList', 'normalize2mom',
  'ElementwiseTensorProduct', 'tp_forward', 'InteractionBlock', 'FullyConnectedNet', '_Layer', 'TensorProduct', 'FullyConnectedTensorProduct',
  'PerSpeciesScaleShift', 'AtomwiseReduce', 'Identity',
]);
/** Classes with a known reason to refuse. */
const REFUSED: Record<string, [string, string]> = {
  NormActivation: ['nonlinearity_type', '"norm" is not supported; e3md\'s NequIP has gate nonlinearities only'],
  e3nn_basis: ['radial basis', 'e3nn\'s soft one-hot bases are not supported; e3md\'s NequIP uses the Bessel basis'],
};
/** Builders that only set up irreps, wrap for forces, rescale or load weights. */
const BUILDERS = new Set(['SimpleIrrepsConfig', 'EnergyModel', 'PerSpeciesRescale', 'ForceOutput', 'StressForceOutput', 'ParaStressForceOutput', 'RescaleEnergyEtc', 'initialize_from_state', 'load_model_state']);
/** State-dict entries e3md recomputes or does not need. */
const IGNORED = [/\.output_mask$/, /\._w3j_/, /(^|\.)_empty$/, /^(.*\.)?shift_by$/, /^(.*\.)?scale_by$/];

/** Decodes a dump tensor to float64 values. */
export function dumpValues(t: NequipDumpTensor): Float64Array {
  const b = Buffer.from(t.values, 'base64');
  const out = new Float64Array(b.byteLength / 8);
  for (let k = 0; k < out.length; k++) out[k] = b.readDoubleLE(8 * k);
  return out;
}

/**
 * Maps a nequip 0.6.x dump onto an e3md NequIP model with the same weights.
 * @throws NequipImportError naming the nequip option or module e3md cannot reproduce
 * @example
 * const { model, dtype } = importNequip(JSON.parse(readFileSync('dump.json', 'utf8')));
 * writeFileSync('m.onnx', exportPotential(model, { dtype }));
 */
export function importNequip(dump: NequipDump): ImportedNequip {
  if (dump.format !== FORMAT) throw new NequipImportError('format', `expected a dump of format ${FORMAT}, got ${JSON.stringify(dump.format)}`);
  const version = dump.metadata['nequip_version'] ?? '';
  const cfg = dump.config;
  const builders = Array.isArray(cfg['model_builders']) ? (cfg['model_builders'] as unknown[]).map(String) : [];
  if (dump.modules.some((m) => /allegro/i.test(m.type)) || builders.some((b) => /allegro/i.test(b))) {
    throw new NequipImportError('model_builders', 'an Allegro model: Allegro import is pending until e3md\'s Allegro has allegro 0.3\'s option set (issue 15); NequIP models import');
  }
  if (!/^0\.6\./.test(version)) throw new NequipImportError('nequip_version', `${JSON.stringify(version)}: models of nequip 0.6.x are supported`);
  for (const b of builders) if (!BUILDERS.has(b)) throw new NequipImportError('model_builders', `builder "${b}" is not supported (supported: ${[...BUILDERS].join(', ')})`);

  const tree = new ModuleTree(dump.modules);
  const func = tree.funcPath();
  const at = (rel: string): NequipDumpModule => tree.get(`${func}.${rel}`);
  const state = new StateDict(dump.state_dict, func);

  // Species, cutoff, dtype.
  const typeNames = (dump.metadata['type_names'] ?? '').split(/\s+/).filter(Boolean);
  for (const t of typeNames) if (atomicMass(t) === undefined) throw new NequipImportError('type_names', `"${t}" is not a chemical symbol; e3md models name their species by element`);
  const rMax_A = Number(dump.metadata['r_max']);
  if (!(rMax_A > 0)) throw new NequipImportError('r_max', `not a positive number: ${JSON.stringify(dump.metadata['r_max'])}`);
  const dtype = dump.metadata['model_dtype'] === 'float64' ? 'float64' : 'float32';
  if (at('one_hot').attrs['num_types'] !== typeNames.length) throw new NequipImportError('type_names', `${typeNames.length} names for ${String(at('one_hot').attrs['num_types'])} types`);

  // Edge harmonics and radial basis.
  const sh = at('spharm_edges.sh').attrs;
  if (sh['normalization'] !== 'component' || sh['normalize'] !== true) throw new NequipImportError('edge_sh_normalization', `"${String(sh['normalization'])}"${sh['normalize'] ? '' : ' without normalizing edge vectors'}: e3md uses component-normalized harmonics of unit vectors`);
  const shIrreps = Irreps.parse(String(sh['irreps_out']));
  const lmax = Math.max(...shIrreps.terms.map((t) => t.ir.l));
  if (!shIrreps.equals(Irreps.sphericalHarmonics(lmax))) throw new NequipImportError('irreps_edge_sh', `${shIrreps} (parity: false gives all-even harmonics, which e3md's NequIP does not build): only spherical harmonics 0..l_max with parity (−1)^l are supported`);
  const basis = at('radial_basis.basis');
  if (basis.type !== 'BesselBasis') throw new NequipImportError('radial basis', `${basis.type} is not supported (Bessel basis only)`);
  const cutoff = at('radial_basis.cutoff');
  if (cutoff.type !== 'PolynomialCutoff') throw new NequipImportError('cutoff', `${cutoff.type} is not supported (polynomial cutoff only)`);
  const bessel = state.take('radial_basis.basis.bessel_weights');
  const numBasis = bessel.length;
  if (Math.abs(Number(basis.attrs['r_max']) - rMax_A) > 1e-12 * rMax_A) throw new NequipImportError('r_max', `the radial basis has r_max ${String(basis.attrs['r_max'])} but the model ${rMax_A}`);

  // Hidden features, layers.
  const embed = at('chemical_embedding.linear').attrs;
  const embedOut = Irreps.parse(String(embed['irreps_out']));
  if (embedOut.length !== 1 || embedOut.terms[0]!.ir.l !== 0 || embedOut.terms[0]!.ir.p !== 1) throw new NequipImportError('chemical_embedding_irreps_out', `${embedOut}: only scalars (Nx0e) are supported`);
  const numFeatures = embedOut.terms[0]!.mul;
  const layers = tree.children(func).filter((n) => /^layer\d+_convnet$/.test(n));
  const numLayers = layers.length;
  if (numLayers === 0) throw new NequipImportError('num_layers', 'the model has no interaction layer');
  const expectedChildren = ['one_hot', 'spharm_edges', 'radial_basis', 'chemical_embedding', ...layers, 'conv_to_output_hidden', 'output_hidden_to_scalar', 'per_species_rescale', 'total_energy_sum'];
  for (const c of tree.children(func)) if (!expectedChildren.includes(c)) throw new NequipImportError(`module ${c}`, `${tree.get(`${func}.${c}`).type} is not part of nequip's NequIP energy model; e3md cannot reproduce it`);
  const parity = parityOf(cfg, lmax, numFeatures);

  // Per-layer settings: one value for all layers, as e3md's options are global.
  const conv = layers.map((l) => at(`${l}.conv`).attrs);
  const avgNumNeighbors = same(conv.map((c) => (c['avg_num_neighbors'] ?? null) as number | null), 'avg_num_neighbors');
  if (conv.some((c) => c['use_sc'] !== true)) throw new NequipImportError('use_sc', 'false is not supported: e3md\'s NequIP layers always have the self-connection');
  const fc = layers.map((l) => {
    const widths: number[] = [];
    for (let k = 0; tree.has(`${func}.${l}.conv.fc.layer${k}`); k++) {
      const shape = state.shape(`${l}.conv.fc.layer${k}.weight`);
      if (k === 0) widths.push(shape[0]!);
      widths.push(shape[1]!);
      const a = at(`${l}.conv.fc.layer${k}`).attrs;
      if (a['var_in'] !== 1 || a['var_out'] !== 1) throw new NequipImportError(`${l} radial network`, 'FullyConnectedNet variances other than 1 are not supported');
    }
    const act = tree.has(`${func}.${l}.conv.fc.layer0.act`) ? String(at(`${l}.conv.fc.layer0.act`).attrs['activation']) : 'silu';
    return { widths, act };
  });
  const hiddenLayers = same(fc.map((f) => f.widths.length - 2), 'invariant_layers');
  const neurons = hiddenLayers > 0 ? same(fc.map((f) => f.widths[1]!), 'invariant_neurons') : 64;
  const radialActivation = nequipActivation(same(fc.map((f) => f.act), 'nonlinearity_scalars.e (radial network)'), 'nonlinearity_scalars.e (radial network)');
  const nonlinearity = {
    scalars: parityActs(cfg['nonlinearity_scalars'], 'nonlinearity_scalars'),
    gates: parityActs(cfg['nonlinearity_gates'], 'nonlinearity_gates'),
  };
  const hidden = Irreps.parse(String(at('conv_to_output_hidden.linear').attrs['irreps_out']));
  if (hidden.length !== 1 || hidden.terms[0]!.ir.l !== 0 || hidden.terms[0]!.ir.p !== 1) throw new NequipImportError('conv_to_output_hidden_irreps_out', `${hidden}: only scalars (Nx0e) are supported`);

  // Energy scale and shift: per species, times the global scale (which nequip applies to energies,
  // forces and virials alike, i.e. to the atomic energies).
  const numTypes = typeNames.length;
  const psr = tree.has(`${func}.per_species_rescale`) ? at('per_species_rescale').attrs : { has_scales: false, has_shifts: false };
  const scales = psr['has_scales'] ? state.take('per_species_rescale.scales') : new Float64Array(numTypes).fill(1);
  const shifts = psr['has_shifts'] ? state.take('per_species_rescale.shifts') : new Float64Array(numTypes);
  state.skip('per_species_rescale.scales', 'per_species_rescale.shifts');
  const rescale = dump.modules.find((m) => m.type === 'RescaleOutput');
  let globalScale = 1;
  if (rescale) {
    if (rescale.attrs['has_shift'] === true) throw new NequipImportError('global_rescale_shift', 'a global energy shift is not size-extensive and is not supported; shift per species instead (per_species_rescale_shifts)');
    if (rescale.attrs['has_scale'] === true) {
      const keys = (rescale.attrs['scale_keys'] ?? []) as string[];
      if (!keys.includes('atomic_energy') || !keys.includes('forces')) throw new NequipImportError('global_rescale_scale', `scales only ${keys.join(', ')}; e3md can fold a global scale only when it scales energies and forces alike`);
      globalScale = state.global(`${rescale.path ? `${rescale.path}.` : ''}scale_by`)[0]!;
    }
  }

  const options: NequipOptions = {
    typeNames, rMax_A, numLayers, lmax, numFeatures, parity,
    radial: { numBasis, trainableFrequencies: true, cutoffP: Number(cutoff.attrs['p']) },
    radialMlp: { layers: hiddenLayers, neurons, activation: radialActivation },
    nonlinearity,
    avgNumNeighbors,
    resnet: layers.some((l) => at(l).attrs['resnet'] === true) || cfg['resnet'] === true,
    readout: { hiddenFeatures: hidden.terms[0]!.mul },
    scaleShift: { scales: Array.from(scales, (v) => v * globalScale), shifts: Array.from(shifts, (v) => v * globalScale) },
    activationFactors: factorsOf(dump.constants),
  };
  checkLayers(tree, func, layers, options);

  const model = createNequip(options);
  let copied = 0;
  const fill = (e3md: string, values: Float64Array): void => {
    const group = model.parameters.list().filter((p) => p.name === e3md || p.name.startsWith(`${e3md}.w`) && /^\.w\d+$/.test(p.name.slice(e3md.length)));
    if (group.length === 0) throw new NequipImportError(e3md, 'e3md has no such parameter (internal mapping error)');
    const size = group.reduce((n, p) => n + p.data.length, 0);
    if (size !== values.length) throw new NequipImportError(e3md, `nequip has ${values.length} weights here, e3md's layer ${size}: the architectures differ`);
    let o = 0;
    for (const p of group) {
      p.data.set(values.subarray(o, o + p.data.length));
      o += p.data.length;
    }
    copied += size;
  };
  fill('radial_basis.bessel_weights', bessel);
  fill('chemical_embedding', state.take('chemical_embedding.linear.weight'));
  for (const l of layers) {
    fill(`${l}.linear_1`, state.take(`${l}.conv.linear_1.weight`));
    for (let k = 0; k + 1 < fc[0]!.widths.length; k++) fill(`${l}.radial_mlp.w${k}`, state.take(`${l}.conv.fc.layer${k}.weight`));
    fill(`${l}.linear_2`, state.take(`${l}.conv.linear_2.weight`));
    fill(`${l}.self_connection`, state.take(`${l}.conv.sc.weight`));
  }
  fill('conv_to_output_hidden', state.take('conv_to_output_hidden.linear.weight'));
  fill('output_hidden_to_scalar', state.take('output_hidden_to_scalar.linear.weight'));
  state.checkAllUsed();
  const expected = model.parameters.count() - 2 * numTypes; // scales and shifts came with the options
  if (copied !== expected) throw new NequipImportError('weights', `${copied} weights copied for ${expected} e3md parameters (internal mapping error)`);
  return { model, dtype, nequipVersion: version, parameterCount: copied + 2 * numTypes };
}

/** nequip's `parity` (from the simple irreps keys, or recognized in `feature_irreps_hidden`). */
function parityOf(cfg: Record<string, unknown>, lmax: number, numFeatures: number): boolean {
  if (cfg['parity'] === false) checkParity(false);
  const full = cfg['feature_irreps_hidden'];
  if (typeof full === 'string') {
    const given = Irreps.parse(full);
    for (const parity of [true, false]) {
      const s = nequipSettings({ typeNames: ['H'], lmax, numFeatures, parity });
      if (given.equals(hiddenIrreps(s))) return checkParity(parity);
    }
    throw new NequipImportError('feature_irreps_hidden', `${full}: only the irreps that l_max, num_features and parity make (${hiddenIrreps(nequipSettings({ typeNames: ['H'], lmax, numFeatures }))}) are supported`);
  }
  return checkParity(cfg['parity'] === undefined ? true : cfg['parity'] === true);
}

function checkParity(parity: boolean): boolean {
  if (!parity) throw new NequipImportError('parity', 'false (all-even features and harmonics) has no e3md equivalent; models with parity: true import');
  return parity;
}

/** The activations nequip offers (its `acts` table), all of which e3md has. */
const NEQUIP_ACTIVATIONS = ['silu', 'ssp', 'tanh', 'abs'] as const;
type NequipActivation = (typeof NEQUIP_ACTIVATIONS)[number];

function nequipActivation(name: string, option: string): NequipActivation {
  if (!(NEQUIP_ACTIVATIONS as readonly string[]).includes(name)) throw new NequipImportError(option, `activation "${name}" is not one of nequip's ${NEQUIP_ACTIVATIONS.join(', ')}`);
  return name as NequipActivation;
}

/** nequip's {e, o} activation names as e3md's {even, odd} (nequip's defaults: silu, tanh). */
function parityActs(v: unknown, option: string): { even: NequipActivation; odd: NequipActivation } {
  const o = (v ?? {}) as Record<string, unknown>;
  return { even: nequipActivation(String(o['e'] ?? 'silu'), option), odd: nequipActivation(String(o['o'] ?? 'tanh'), option) };
}

/** e3nn's factors by activation name, for the activations e3md knows. */
function factorsOf(constants: Record<string, number>): Partial<Record<NequipActivation, number>> {
  const out: Partial<Record<NequipActivation, number>> = {};
  for (const [name, c] of Object.entries(constants)) {
    if (!(c > 0) || !Number.isFinite(c)) throw new NequipImportError(`normalize2mom of ${name}`, `not a positive factor: ${c}`);
    out[nequipActivation(name, 'activation')] = c;
  }
  return out;
}

function same<T>(values: readonly T[], option: string): T {
  const first = values[0]!;
  if (values.some((v) => v !== first)) throw new NequipImportError(option, `differs between layers (${values.map(String).join(', ')}); e3md's options hold one value for all layers`);
  return first;
}

/**
 * Per layer, what nequip built against what e3md's options will build: the gate activations
 * (in nequip's order of scalars and gates) and whether the layer is a resnet.
 */
function checkLayers(tree: ModuleTree, func: string, layers: string[], o: NequipOptions): void {
  const s = nequipSettings(o);
  const sh = Irreps.sphericalHarmonics(s.lmax);
  const hidden = hiddenIrreps(s);
  layers.forEach((l, k) => {
    const inIrreps = Irreps.parse(String(tree.get(`${func}.${l}.conv.linear_1`).attrs['irreps_in']));
    const scalars = hidden.terms.filter((t) => t.ir.l === 0 && tpPathExists(inIrreps, sh, t.ir));
    const gated = hidden.terms.filter((t) => t.ir.l > 0 && tpPathExists(inIrreps, sh, t.ir));
    const gateEven = tpPathExists(inIrreps, sh, new Irrep(0, 1));
    const want = [
      ...scalars.map((t) => (t.ir.p === 1 ? s.nonlinearity.scalars.even : s.nonlinearity.scalars.odd)),
      ...gated.map(() => (gateEven ? s.nonlinearity.gates.even : s.nonlinearity.gates.odd)),
    ];
    const got = [
      ...tree.childrenOf(`${func}.${l}.equivariant_nonlin.act_scalars.acts`).map((m) => String(m.attrs['activation'])),
      ...tree.childrenOf(`${func}.${l}.equivariant_nonlin.act_gates.acts`).map((m) => String(m.attrs['activation'])),
    ];
    if (want.join() !== got.join()) throw new NequipImportError(`${l} nonlinearity`, `nequip's gate uses ${got.join(', ')} where e3md would use ${want.join(', ')} (per-layer nonlinearity options are not supported)`);
    const next = k + 1 < layers.length ? `${func}.${layers[k + 1]}.conv.linear_1` : `${func}.conv_to_output_hidden.linear`;
    const outIrreps = Irreps.parse(String(tree.get(next).attrs['irreps_in']));
    const e3mdResnet = s.resnet && inIrreps.simplify().equals(outIrreps.simplify());
    if (e3mdResnet !== (tree.get(`${func}.${l}`).attrs['resnet'] === true)) throw new NequipImportError(`${l} resnet`, `nequip's layer is ${e3mdResnet ? 'not ' : ''}a resnet where e3md's would be (per-layer resnet options are not supported)`);
  });
}

/** The module tree of a dump, by path. */
class ModuleTree {
  private readonly byPath = new Map<string, NequipDumpModule>();

  constructor(modules: readonly NequipDumpModule[]) {
    for (const m of modules) this.byPath.set(m.path, m);
    for (const m of modules) {
      const refused = REFUSED[m.type];
      if (refused) throw new NequipImportError(refused[0], `${refused[1]} (module ${m.path})`);
      if (!WRAPPERS.has(m.type) && !KNOWN.has(m.type) && m.path !== '') throw new NequipImportError(`module ${m.path}`, `${m.type} is not part of nequip's NequIP energy model; e3md cannot reproduce it`);
    }
  }

  /** Path of the SequentialGraphNetwork holding the energy model. */
  funcPath(): string {
    const seq = [...this.byPath.values()].filter((m) => m.type === 'SequentialGraphNetwork');
    if (seq.length !== 1) throw new NequipImportError('model', `expected one SequentialGraphNetwork (nequip's EnergyModel), found ${seq.length}`);
    return seq[0]!.path;
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  get(path: string): NequipDumpModule {
    const m = this.byPath.get(path);
    if (!m) throw new NequipImportError(`module ${path.split('.').slice(-2).join('.')}`, 'missing: not nequip\'s NequIP energy model');
    return m;
  }

  /** Names of the direct children of `path`. */
  children(path: string): string[] {
    const prefix = `${path}.`;
    return [...this.byPath.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('.')).map((p) => p.slice(prefix.length));
  }

  /** Direct children of `path` in index order (a ModuleList). */
  childrenOf(path: string): NequipDumpModule[] {
    return this.children(path).sort((a, b) => Number(a) - Number(b)).map((c) => this.get(`${path}.${c}`));
  }
}

/** The state dict, with bookkeeping of which entries were used. */
class StateDict {
  private readonly used = new Set<string>();

  constructor(private readonly tensors: Record<string, NequipDumpTensor>, private readonly func: string) {}

  private key(rel: string): string {
    return `${this.func}.${rel}`;
  }

  shape(rel: string): number[] {
    const t = this.tensors[this.key(rel)];
    if (!t) throw new NequipImportError(rel, 'missing from the state dict');
    return t.shape;
  }

  take(rel: string): Float64Array {
    return this.global(this.key(rel));
  }

  global(key: string): Float64Array {
    const t = this.tensors[key];
    if (!t) throw new NequipImportError(key, 'missing from the state dict');
    this.used.add(key);
    return dumpValues(t);
  }

  skip(...rel: string[]): void {
    for (const r of rel) this.used.add(this.key(r));
  }

  /** Every entry is used, recomputed by e3md, or empty. */
  checkAllUsed(): void {
    for (const [k, t] of Object.entries(this.tensors)) {
      if (this.used.has(k) || IGNORED.some((re) => re.test(k))) continue;
      if (t.shape.reduce((a, b) => a * b, 1) === 0) continue; // empty biases, the external tp weights
      throw new NequipImportError(k, `a tensor of shape [${t.shape.join(', ')}] e3md's NequIP has no place for`);
    }
  }
}
