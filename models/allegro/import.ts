/**
 * A model trained with allegro 0.3 (nequip 0.6), brought over as an e3md Allegro with the same
 * weights. The input is the record `tools/nequip-reference.py weights` writes from a training
 * directory or a deployed file: the config, the state dict (float64 values) and the constants the
 * state dict lacks (e3nn's Monte-Carlo `normalize2mom` factors).
 *
 * Layout differences, handled here (weights are permuted or rescaled, never approximated):
 * - per-channel weights: allegro orders environment weights (channel, degree) and tensor-product
 *   scalars (channel, path); e3md orders both degree- or path-major;
 * - e3md's MLPs use the exact second moment of the activation where e3nn uses a Monte-Carlo
 *   estimate (silu: 1.67918 vs 1.67653): the ratio goes into the next layer's weight;
 * - the global energy scale goes into the per-species scales and shifts;
 * - the last layer's tensor linear map of 'uuulin' models is dropped: allegro computes it but
 *   never reads its output.
 */
import { activations } from '../../o3/index.js';
import { secondMomentFactor } from '../activation-layer.js';
import { dumpValues, type NequipDump } from '../nequip/index.js';
import type { PotentialModel } from '../model.js';
import type { AllegroOptions } from './options.js';
import { createAllegro } from './model.js';
import { allegroProduct, allegroTensorTrack } from './tensor-track.js';

/** A state-dict tensor: row-major float64 values. */
export interface ReferenceTensor {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

/** What `tools/nequip-reference.py weights` writes (or {@link allegroRecordFromDump} makes of `e3md model import`'s dump). */
export interface NequipModelRecord {
  readonly config: Readonly<Record<string, unknown>>;
  readonly state_dict: Readonly<Record<string, ReferenceTensor>>;
  /** `normalize2mom.<activation>`: e3nn's factor for that activation. */
  readonly constants: Readonly<Record<string, number>>;
  /**
   * Per MLP (state-dict prefix, e.g. `allegro.latents.1`), the factors its generated code applies
   * to each layer (1/√fan_in times the activation constant), or for a linear MLP folded into one
   * matrix the one factor on its first weight. Exact where `constants` is e3nn's estimate on the
   * CPU: preferred when present.
   */
  readonly alphas?: Readonly<Record<string, { readonly values: readonly number[]; readonly folded: boolean }>>;
}

/**
 * The record of an allegro model from the dump `e3md model import` reads (tools/nequip-dump.py):
 * tensors decoded, type names from the metadata, MLP factors from the modules' code.
 */
export function allegroRecordFromDump(dump: NequipDump): NequipModelRecord {
  const state: Record<string, ReferenceTensor> = {};
  for (const [k, t] of Object.entries(dump.state_dict)) state[k] = { shape: t.shape, values: Array.from(dumpValues(t)) };
  const alphas: Record<string, { values: number[]; folded: boolean }> = {};
  for (const m of dump.modules) {
    const a = m.attrs['mlp_alphas'];
    if (Array.isArray(a) && m.path.endsWith('._forward')) alphas[m.path.slice(m.path.startsWith(ROOT) ? ROOT.length : 0, -'._forward'.length)] = { values: a as number[], folded: m.attrs['mlp_folded'] === true };
  }
  const names = dump.metadata['type_names'];
  const config = { ...dump.config, ...(dump.config['type_names'] === undefined && names ? { type_names: names.split(' ') } : {}) };
  const constants = Object.fromEntries(Object.entries(dump.constants).map(([k, v]) => [`normalize2mom.${k}`, v]));
  return { config, state_dict: state, constants, alphas };
}

const ROOT = 'model.model.func.';

function fail(what: string): never {
  throw new Error(`allegro import: ${what}`);
}

/** nequip's activation names → o3's. */
function activationOf(config: Readonly<Record<string, unknown>>, key: string): 'silu' | 'ssp' | 'identity' {
  const v = key in config ? config[key] : 'silu'; // ScalarMLPFunction's default
  if (v === null) return 'identity';
  if (v === 'silu' || v === 'ssp') return v;
  return fail(`${key}: nonlinearity ${JSON.stringify(v)} is not supported (silu, ssp or null)`);
}

/**
 * The e3md Allegro equal to the allegro 0.3 model in `record`.
 * @throws naming the config key or state-dict entry e3md cannot represent
 * @example const model = allegroFromRecord(JSON.parse(readFileSync('weights.json', 'utf8')));
 */
export function allegroFromRecord(record: NequipModelRecord): PotentialModel {
  const c = record.config;
  const sd = record.state_dict;
  const get = (name: string): ReferenceTensor => sd[ROOT + name] ?? sd[name] ?? fail(`the state dict has no '${name}'`);
  const has = (name: string) => ROOT + name in sd;
  const builders = (c['model_builders'] as string[] | undefined) ?? [];
  const known = new Set(['allegro.model.Allegro', 'PerSpeciesRescale', 'ForceOutput', 'StressForceOutput', 'RescaleEnergyEtc']);
  if (builders[0] !== 'allegro.model.Allegro') fail(`model_builders must start with allegro.model.Allegro, got ${JSON.stringify(builders)}`);
  for (const b of builders) if (!known.has(b)) fail(`model_builders: '${b}' is not supported (${[...known].join(', ')})`);
  const refuse = (key: string, ok: (v: unknown) => boolean, why: string) => { if (key in c && !ok(c[key])) fail(`${key} = ${JSON.stringify(c[key])}: ${why}`); };
  refuse('use_original_normalized_basis', (v) => !v, 'only AllegroBesselBasis is supported');
  refuse('weight_individual_irreps', (v) => v !== false, 'environment weights must be per irrep');
  refuse('normalize_edge_energy_sum', (v) => v !== false, 'the edge-energy sum is divided by √avg_num_neighbors');
  refuse('parity', (v) => v === 'o3_full' || v === 'o3_restricted', "parity 'so3' is not supported");
  refuse('tensors_mixing_mode', (v) => v === 'p' || v === 'uuulin', 'only p and uuulin are supported');
  const typeNames = (c['type_names'] as string[] | undefined) ?? fail('config has no type_names');
  const nt = typeNames.length;
  const numLayers = Number(c['num_layers']);
  const lmax = Number(c['l_max']);
  const mul = Number(c['num_tensor_features']);
  const mode = (c['tensors_mixing_mode'] as 'p' | 'uuulin' | undefined) ?? 'uuulin';
  const resnet = c['latent_resnet'] !== false;
  const parity = c['parity'] === 'o3_full';
  const mlpWidths = (prefix: string): number[] => {
    const w: number[] = [];
    for (let k = 0; has(`${prefix}._forward._weight_${k}`); k++) {
      const s = get(`${prefix}._forward._weight_${k}`).shape;
      if (k === 0) w.push(s[0]!);
      w.push(s[1]!);
    }
    if (w.length < 2) fail(`no MLP weights under '${prefix}'`);
    return w;
  };
  const twoBody = mlpWidths('allegro.latents.0');
  const latentDim = twoBody.at(-1)!;
  const later = numLayers > 1 ? mlpWidths('allegro.latents.1') : mlpWidths('allegro.final_latent');
  if (later.at(-1) !== latentDim) fail(`the two-body latent (${latentDim}) and later latents (${later.at(-1)}) differ in width; e3md has one latentDim`);
  const basisMlp = mlpWidths('typeembed.basis_mlp');
  if (basisMlp.length !== 2) fail('typeembed.basis_mlp: only a single linear map is supported');
  const envMlp = mlpWidths('allegro.env_embed_mlps.0');
  const edgeMlp = mlpWidths('edge_eng._module');
  const bessel = get('radial_basis.bessel_weights');
  const perType = c['per_edge_type_cutoff'] as Record<string, number | Record<string, number>> | null | undefined;
  const acts = {
    twoBody: activationOf(c, 'two_body_latent_mlp_nonlinearity'),
    latent: activationOf(c, 'latent_mlp_nonlinearity'),
    env: activationOf(c, 'env_embed_mlp_nonlinearity'),
    edge: activationOf(c, 'edge_eng_mlp_nonlinearity'),
  };
  const resnetParams = get('allegro._latent_resnet_coefficients_params').values;
  const trainableResnet = c['latent_resnet_coefficients_learnable'] === true;
  // RescaleOutput: a global scale of energies and forces (a zero-length tensor when absent).
  const globalScale = sd['model.scale_by']?.values ?? [];
  if ((sd['model.shift_by']?.values.length ?? 0) > 0) fail('a global energy shift (global_rescale_shift) is not size-extensive and is not supported');
  const g = globalScale.length ? globalScale[0]! : 1;
  const speciesScales = has('per_species_rescale.scales') ? get('per_species_rescale.scales').values : [];
  const speciesShifts = has('per_species_rescale.shifts') ? get('per_species_rescale.shifts').values : [];
  const avg = c['avg_num_neighbors'];
  if (avg !== null && avg !== undefined && typeof avg !== 'number') fail(`avg_num_neighbors = ${JSON.stringify(avg)} must be a number (as in a trained model's config)`);
  const options: AllegroOptions = {
    typeNames,
    rMax_A: Number(c['r_max']),
    numLayers,
    lmax,
    numTensorFeatures: mul,
    parity,
    latentDim,
    radial: {
      numBasis: bessel.shape.at(-1)!,
      trainableFrequencies: c['AllegroBesselBasis_trainable'] !== false,
      cutoffP: c['PolynomialCutoff_p'] === undefined ? 6 : Number(c['PolynomialCutoff_p']),
      ...(perType ? { perEdgeTypeCutoff_A: perType } : {}),
    },
    typeEmbedding: { dim: basisMlp[1]!, basisMlp: { hidden: [], activation: 'identity' } },
    twoBodyMlp: { hidden: twoBody.slice(1, -1), activation: acts.twoBody },
    tensorsMixingMode: mode,
    selfEdgeTensorProduct: c['self_edge_tensor_product'] === true,
    envEmbedMlp: { hidden: envMlp.slice(1, -1), activation: acts.env },
    latentMlp: { hidden: later.slice(1, -1), activation: acts.latent },
    latentResnet: { enabled: resnet, coefficients: resnetParams.map(Math.exp), trainable: trainableResnet },
    edgeEnergyMlp: { hidden: edgeMlp.slice(1, -1), activation: acts.edge },
    avgNumNeighbors: avg ?? null,
    scaleShift: {
      scales: speciesScales.length ? speciesScales.map((s) => g * s) : g,
      shifts: speciesShifts.length ? speciesShifts.map((b) => g * b) : 0,
    },
  };
  const model = createAllegro(options);
  const params = model.parameters;
  const set = (name: string, values: ArrayLike<number>) => {
    const p = params.get(name);
    if (p.data.length !== values.length) fail(`'${name}' has ${p.data.length} values in e3md, ${values.length} in the record`);
    p.data.set(values);
  };
  // e3md's MLP weight k ≥ 1 follows the exact second-moment factor of the activation; allegro's the
  // Monte-Carlo one — read from its code (alphas) when the record has it, else from the constants.
  const mc = (act: string) => (act === 'identity' ? 1 : record.constants[`normalize2mom.${act}`] ?? fail(`the record has neither the MLPs' factors nor normalize2mom.${act}`));
  /** allegro's factor of layer k over e3md's (e3md: 1/√fan_in, times the exact constant after an activation; a linear MLP is one product). */
  const layerRatio = (from: string, act: 'silu' | 'ssp' | 'identity', widths: readonly number[], k: number): number => {
    const a = record.alphas?.[from];
    if (act === 'identity' && widths.length > 2) {
      if (!a) return 1; // 1/Π√fan_in on both sides
      if (!a.folded) fail(`${from}: a linear MLP whose code is not folded into one matrix`);
      return k === 0 ? a.values[0]! * widths.slice(0, -1).reduce((p, d) => p * Math.sqrt(d), 1) : 1;
    }
    const e3md = (k === 0 ? 1 : secondMomentFactor(activations[act])) / Math.sqrt(widths[k]!);
    if (a) {
      if (a.values.length !== widths.length - 1) fail(`${from}: ${a.values.length} layer factors in its code for ${widths.length - 1} layers`);
      return a.values[k]! / e3md;
    }
    return k === 0 ? 1 : mc(act) / secondMomentFactor(activations[act]);
  };
  /** Copies an MLP, permuting the input rows of w0 and the output columns of the last weight. */
  const copyMlp = (from: string, to: string, act: 'silu' | 'ssp' | 'identity', rowOf?: (r: number) => number, colOf?: (c: number) => number) => {
    const widths = mlpWidths(from);
    for (let k = 0; k + 1 < widths.length; k++) {
      const src = get(`${from}._forward._weight_${k}`).values;
      const [n, m] = [widths[k]!, widths[k + 1]!];
      const out = new Float64Array(n * m);
      const f = layerRatio(from, act, widths, k);
      for (let r = 0; r < n; r++) {
        for (let q = 0; q < m; q++) {
          const rr = k === 0 && rowOf ? rowOf(r) : r;
          const qq = k === widths.length - 2 && colOf ? colOf(q) : q;
          out[rr * m + qq] = src[r * m + q]! * f;
        }
      }
      set(`${to}.w${k}`, out);
    }
  };
  if (params.has('radial_basis.bessel_weights')) set('radial_basis.bessel_weights', bessel.values);
  set('type_embedding.embeddings', get('typeembed.type_embeddings').values);
  copyMlp('typeembed.basis_mlp', 'type_embedding.basis_mlp', 'identity');
  const track = allegroTensorTrack(lmax, parity, numLayers);
  const nr = track.env.length;
  // allegro: environment weights column b·(mul·nr) + u·nr + r; e3md: b·(nr·mul) + r·mul + u.
  const envCol = (q: number) => {
    const b = Math.floor(q / (mul * nr));
    const u = Math.floor((q % (mul * nr)) / nr);
    const r = q % nr;
    return b * nr * mul + r * mul + u;
  };
  let scalarsIn = 0;
  const ctx = (k: number) => (resnet ? latentDim : k * latentDim);
  // allegro: scalar input row ctx + u·nS + s; e3md: ctx + s·mul + u.
  const scalarRow = (k: number, nS: number) => (r: number) => {
    if (r < ctx(k)) return r;
    const q = r - ctx(k);
    return ctx(k) + (q % nS) * mul + Math.floor(q / nS);
  };
  for (let k = 0; k < numLayers; k++) {
    const prod = allegroProduct(track.inputs[k]!, track.env, track.outputs[k]!, mul, mode);
    copyMlp(`allegro.latents.${k}`, `allegro_layer${k}.latent_mlp`, k === 0 ? acts.twoBody : acts.latent, k === 0 ? undefined : scalarRow(k, scalarsIn));
    copyMlp(`allegro.env_embed_mlps.${k}`, `allegro_layer${k}.env_embed_mlp`, acts.env, undefined, envCol);
    if (mode === 'p') set(`allegro_layer${k}.tensor_product.weights`, get(`allegro.tps.${k}.w`).values);
    if (mode === 'uuulin' && k < numLayers - 1) copyLinear(k, prod.tp.irrepsOut.simplify().terms.map((t) => t.mul / mul));
    scalarsIn = prod.numScalarTerms;
  }
  copyMlp('allegro.final_latent', 'final_latent.latent_mlp', acts.latent, scalarRow(numLayers, scalarsIn));
  copyMlp('edge_eng._module', 'edge_energy.mlp', acts.edge);
  if (params.has('latent_resnet.coefficients')) set('latent_resnet.coefficients', resnetParams);
  return model;

  /** allegro's strided linear: per output irrep, w[v, u, q] over its paths q → e3md's weight of path n (its q-th) [mul, mul] at [u, v]. */
  function copyLinear(k: number, pathsPerOutput: readonly number[]): void {
    const w = get(`allegro.linears.${k}.w`).values;
    let offset = 0;
    let n = 0;
    pathsPerOutput.forEach((paths) => {
      for (let q = 0; q < paths; q++, n++) {
        const out = new Float64Array(mul * mul);
        for (let v = 0; v < mul; v++) for (let u = 0; u < mul; u++) out[u * mul + v] = w[offset + (v * mul + u) * paths + q]!;
        set(`allegro_layer${k}.linear.w${n}`, out);
      }
      offset += paths * mul * mul;
    });
    if (offset !== w.length) fail(`allegro.linears.${k}.w has ${w.length} values, the layer's paths need ${offset}`);
  }
}
