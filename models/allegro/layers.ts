/**
 * Allegro's layers (Musaelian et al., Nat. Commun. 14, 579 (2023), Fig. 1; allegro 0.3
 * `Allegro_Module.forward`). Everything lives on edges ij, centred on atom i, so the model is
 * strictly local (interaction depth 1). With latents x, edge tensors V, harmonics Y:
 *
 *   allegro_layer_k:  x' = MLP_k(k = 0 ? z_ij : [context, scalars_{k−1}])
 *                     x  = k = 0 or no resnet ? x' : √(c_old) x + √(c_new) x'
 *                     w  = MLP_env,k(x)                         (per channel and degree)
 *                     V⁰ = w_edge ⊙ Y_ij                        (k = 0 only)
 *                     Γ_ij = Σ_{k≠j} w_ik ⊙ Y_ik / √(avg − 1)    (j itself only with selfEdgeTensorProduct)
 *                     T  = V ⊗_uuu Γ_ij;  scalars_k = the 0e part of T
 *                     V  = Linear(T) ('uuulin') or T ('p', paths already summed by weights)
 *   final_latent:     x  = √(c_old) x + √(c_new) MLP([context, scalars_{L−1}])
 *   edge_energy:      E_i = Σ_j MLP(x_ij) / √avg
 *
 * The context is the latest latent with the resnet, else every latent so far (concatenated).
 * Nothing multiplies the latents by the cutoff envelope: the MLPs have no biases and activations
 * with f(0) = 0, so everything vanishes with the two-body embedding where a neighbour leaves r_c.
 */
import { Irreps } from '../../o3/index.js';
import type { Graph, Value } from '../../onnx/index.js';
import type { Block } from '../block.js';
import { features, type Features } from '../features.js';
import { linearLayer, linearPlan } from '../linear-layer.js';
import { mlp } from '../mlp.js';
import { ModelOptionsError } from '../options.js';
import type { Parameter, ParameterSet } from '../parameters.js';
import type { AllegroSettings } from './options.js';
import { emitFirstProductPairs, emitGeneralProduct, emitScalarProduct, isScalarProduct } from './product-layer.js';
import { allegroProduct, type TensorTrack } from './tensor-track.js';
import { typeEmbeddingDim } from './two-body.js';

/** The resnet's (old, new) factors of update k = 1 … numLayers, from allegro's normalised cumulative coefficients. */
export interface ResnetFactors {
  /** Weight `latent_resnet.coefficients` (log-coefficients, trained), or undefined when fixed. */
  readonly trained?: Parameter;
  /** Fixed factors [old, new] of update k (index k − 1). */
  readonly fixed: readonly (readonly [number, number])[];
}

/**
 * Allegro's latent-resnet factors: with c = exp(p − max p) and S_k = Σ_{j≤k} c_j + 1e-12,
 * update k mixes √(S_{k−1}/S_k) of the old latent with √(c_k/S_k) of the new one.
 * @throws ModelOptionsError when the coefficients do not number numLayers + 1
 */
export function resnetFactors(params: ParameterSet, s: AllegroSettings): ResnetFactors {
  const L = s.numLayers;
  const given = s.latentResnet.coefficients;
  if (given && given.length !== L + 1) throw new ModelOptionsError('allegro', ['latentResnet', 'coefficients'], `needs numLayers + 1 = ${L + 1} entries (the two-body latent and each update), got ${given.length}`);
  const coeffs = given ?? new Array<number>(L + 1).fill(1);
  const min = Math.min(...coeffs);
  const logs = coeffs.map((c) => Math.log(c / min));
  const max = Math.max(...logs);
  const c = logs.map((p) => Math.exp(p - max));
  const sums: number[] = [];
  c.reduce((acc, x, k) => ((sums[k] = acc + x), acc + x), 0);
  const S = sums.map((x) => x + 1e-12);
  const fixed = Array.from({ length: L }, (_, j) => [Math.sqrt(S[j]! / S[j + 1]!), Math.sqrt(c[j + 1]! / S[j + 1]!)] as const);
  const trained = s.latentResnet.enabled && s.latentResnet.trainable ? params.create('latent_resnet.coefficients', [L + 1], { values: logs }) : undefined;
  return { trained, fixed };
}

/** [old, new] factors of update k (1-based) as graph values: constants, or computed from the trained log-coefficients. */
function emitResnetFactors(g: Graph, params: ParameterSet, r: ResnetFactors, k: number): [Value | number, Value | number] {
  if (!r.trained) return [r.fixed[k - 1]![0], r.fixed[k - 1]![1]];
  // A weight-only subgraph: onnxruntime evaluates it once when it loads the model.
  const c = g.exp(params.weight(g, r.trained));
  const sumTo = (j: number) => g.reduceSum(g.slice(c, 0, 0, j + 1));
  const at = (j: number) => g.reshape(g.slice(c, 0, j, j + 1), []);
  return [g.sqrt(g.div(sumTo(k - 1), sumTo(k))), g.sqrt(g.div(at(k), sumTo(k)))];
}

/** Terms l of the harmonics [E, 2l+1, 1] times per-channel weights: V_l = w_l ⊙ Y_l, as Features with `mul` channels per degree. */
function weightedHarmonics(g: Graph, sh: Value, w: Value, offset: number, lmax: number, mul: number, scale: number, irreps: Irreps): Features {
  const terms: Value[] = [];
  for (let l = 0, start = 0; l <= lmax; l++) {
    const d = 2 * l + 1;
    const wl = g.reshape(g.slice(w, 1, offset + l * mul, offset + (l + 1) * mul), ['E', 1, mul]);
    const yl = g.reshape(lmax === 0 ? sh : g.slice(sh, 1, start, start + d), ['E', d, 1]);
    terms.push(g.mul(scale === 1 ? yl : g.mul(yl, scale), wl));
    start += d;
  }
  return features(irreps, terms, 'weighted harmonics');
}

/** The scalar outputs of a product as [E, numScalarTerms · mul], path-major (path s, channel u at s·mul + u). */
function scalarsOf(g: Graph, product: Features, numScalarTerms: number): Value {
  const parts = product.terms.slice(0, numScalarTerms).map((t) => g.reshape(t, ['E', t.shape[2]!]));
  return parts.length === 1 ? parts[0]! : g.concat(parts, 1);
}

/** Inputs of a later layer's latent MLP: [context, scalars] widths. */
function contextWidth(s: AllegroSettings, k: number): number {
  return s.latentResnet.enabled ? s.latentDim : k * s.latentDim;
}

/** Layer `k` of `s.numLayers`, reading `track.inputs[k]` tensors (k > 0) and the scalars of layer k − 1 (`numScalarsIn` terms). */
export function allegroLayer(params: ParameterSet, s: AllegroSettings, track: TensorTrack, k: number, numScalarsIn: number, resnet: ResnetFactors): { block: Block; numScalarTerms: number } {
  const name = `allegro_layer${k}`;
  const mul = s.numTensorFeatures;
  const last = k === s.numLayers - 1;
  const prod = allegroProduct(track.inputs[k]!, track.env, track.outputs[k]!, mul, s.tensorsMixingMode);
  const { tp, mode, numScalarTerms } = prod;
  const envIrreps = tp.irrepsIn2;
  const numIrreps = track.env.length;
  const inWidth = k === 0 ? typeEmbeddingDim(s) : contextWidth(s, k) + numScalarsIn * mul;
  const latentMlp = mlp(params, `${name}.latent_mlp`, { widths: k === 0 ? [inWidth, ...s.twoBodyMlp.hidden, s.latentDim] : [inWidth, ...s.latentMlp.hidden, s.latentDim], activation: k === 0 ? s.twoBodyMlp.activation : s.latentMlp.activation });
  // Per channel and degree; at layer 0 also the weights that make V⁰ from the harmonics (first block).
  const numWeights = (k === 0 ? 2 : 1) * numIrreps * mul;
  const envMlp = mlp(params, `${name}.env_embed_mlp`, { widths: [s.latentDim, ...s.envEmbedMlp.hidden, numWeights], activation: s.envEmbedMlp.activation });
  const pathWeights = mode === 'p' ? params.create(`${name}.tensor_product.weights`, [tp.instructions.length]) : undefined;
  const outIrreps = new Irreps(track.outputs[k]!.terms.map((t) => ({ mul, ir: t.ir })));
  const linear = mode === 'uuulin' && !last ? linearLayer(params, `${name}.linear`, linearPlan(tp.irrepsOut, outIrreps)) : undefined;
  const envScale = s.avgNumNeighbors === null ? 1 : 1 / Math.sqrt(s.avgNumNeighbors - (s.selfEdgeTensorProduct ? 0 : 1));
  const latentIrreps = Irreps.parse(`${s.latentDim}x0e`);
  const scalarIrreps = (n: number) => Irreps.parse(`${n * mul}x0e`);
  const ctx = Irreps.parse(`${contextWidth(s, k)}x0e`);
  const irrepsIn: Record<string, Irreps> = { edge_attrs: Irreps.sphericalHarmonics(s.lmax) };
  if (k === 0) irrepsIn['edge_invariants'] = Irreps.parse(`${inWidth}x0e`);
  else Object.assign(irrepsIn, { edge_latents: latentIrreps, latent_context: ctx, edge_scalars: scalarIrreps(numScalarsIn), edge_tensors: tp.irrepsIn1 });
  const irrepsOut: Record<string, Irreps> = { edge_latents: latentIrreps, latent_context: Irreps.parse(`${contextWidth(s, k + 1)}x0e`), edge_scalars: scalarIrreps(numScalarTerms) };
  if (!last) irrepsOut['edge_tensors'] = mode === 'p' ? tp.irrepsOut : outIrreps;

  const block: Block = {
    name,
    irrepsIn,
    irrepsOut,
    emit(g, fields, inputs) {
      const sh = fields.flat('edge_attrs');
      const fresh = latentMlp.emit(g, k === 0 ? fields.flat('edge_invariants') : g.concat([fields.flat('latent_context'), fields.flat('edge_scalars')], 1));
      let latents = fresh;
      let context = fresh;
      if (k > 0 && s.latentResnet.enabled) {
        const [cOld, cNew] = emitResnetFactors(g, params, resnet, k);
        latents = g.add(g.mul(fields.flat('edge_latents'), cOld), g.mul(fresh, cNew));
        context = latents;
      } else if (k > 0) {
        context = g.concat([fields.flat('latent_context'), fresh], 1);
      }
      fields.setFlat('edge_latents', latentIrreps, latents);
      fields.setFlat('latent_context', irrepsOut['latent_context']!, context);
      // The environment weights, and at layer 0 the weights of V⁰ (the first block of columns).
      const parts = envMlp.emitParts(g, latents);
      const block = numIrreps * mul;
      const pw = pathWeights && params.weight(g, pathWeights);
      const what = `${name}.tensor_product`;
      const aroundCentre = (own: Value) => {
        // The environment of the centre, gathered back onto its edges, without the edge itself.
        const total = g.gather(g.segmentSum(own, inputs.center, 'N'), inputs.center, 0);
        return s.selfEdgeTensorProduct ? total : g.sub(total, own);
      };
      if (k === 0) {
        const own = weightedHarmonics(g, sh, g.matmul(parts.hidden, g.slice(parts.last, 1, block, 2 * block)), 0, s.lmax, mul, envScale, envIrreps);
        const env = g.scope('environment', () => features(envIrreps, own.terms.map(aroundCentre), `${name}.environment`));
        const w0 = g.reshape(g.matmul(parts.hidden, g.slice(parts.last, 1, 0, block)), ['E', numIrreps, mul]);
        const product = g.scope('tensor_product', () => emitFirstProductPairs(g, prod, sh, env, w0, pw, what));
        fields.setFlat('edge_scalars', irrepsOut['edge_scalars']!, scalarsOf(g, product, numScalarTerms));
        if (last) return;
        fields.setFeatures('edge_tensors', linear ? g.scope('linear', () => linear.emit(g, product)) : product);
        return;
      }
      const own = weightedHarmonics(g, sh, g.matmul(parts.hidden, parts.last), 0, s.lmax, mul, envScale, envIrreps);
      const env = g.scope('environment', () => features(envIrreps, own.terms.map(aroundCentre), `${name}.environment`));
      const v = fields.features('edge_tensors');
      const product = g.scope('tensor_product', () => (isScalarProduct(prod) ? emitScalarProduct(g, prod, v, env, pw, what) : emitGeneralProduct(g, prod, v, env, pw, what)));
      fields.setFlat('edge_scalars', irrepsOut['edge_scalars']!, scalarsOf(g, product, numScalarTerms));
      if (last) return;
      fields.setFeatures('edge_tensors', linear ? g.scope('linear', () => linear.emit(g, product)) : product);
    },
  };
  return { block, numScalarTerms };
}

/** The final latent update from the last layer's scalars; writes `edge_latents`. */
export function finalLatentBlock(params: ParameterSet, s: AllegroSettings, numScalarsIn: number, resnet: ResnetFactors): Block {
  const name = 'final_latent';
  const mul = s.numTensorFeatures;
  const L = s.numLayers;
  const latentMlp = mlp(params, `${name}.latent_mlp`, { widths: [contextWidth(s, L) + numScalarsIn * mul, ...s.latentMlp.hidden, s.latentDim], activation: s.latentMlp.activation });
  const latentIrreps = Irreps.parse(`${s.latentDim}x0e`);
  return {
    name,
    irrepsIn: { edge_latents: latentIrreps, latent_context: Irreps.parse(`${contextWidth(s, L)}x0e`), edge_scalars: Irreps.parse(`${numScalarsIn * mul}x0e`) },
    irrepsOut: { edge_latents: latentIrreps },
    emit(g, fields) {
      const fresh = latentMlp.emit(g, g.concat([fields.flat('latent_context'), fields.flat('edge_scalars')], 1));
      if (!s.latentResnet.enabled) return fields.setFlat('edge_latents', latentIrreps, fresh);
      const [cOld, cNew] = emitResnetFactors(g, params, resnet, L);
      fields.setFlat('edge_latents', latentIrreps, g.add(g.mul(fields.flat('edge_latents'), cOld), g.mul(fresh, cNew)));
    },
  };
}

/** `atomic_energy` = Σ_j MLP(x_ij) / √avg over the edges centred on each atom. */
export function edgeEnergyBlock(params: ParameterSet, s: AllegroSettings): Block {
  const name = 'edge_energy';
  const energyMlp = mlp(params, `${name}.mlp`, { widths: [s.latentDim, ...s.edgeEnergyMlp.hidden, 1], activation: s.edgeEnergyMlp.activation });
  const scale = s.avgNumNeighbors === null ? 1 : 1 / Math.sqrt(s.avgNumNeighbors);
  return {
    name,
    irrepsIn: { edge_latents: Irreps.parse(`${s.latentDim}x0e`) },
    irrepsOut: { atomic_energy: Irreps.parse('1x0e') },
    emit(g, fields, inputs) {
      const eij = energyMlp.emit(g, fields.flat('edge_latents'));
      fields.setFlat('atomic_energy', '1x0e', g.segmentSum(scale === 1 ? eij : g.mul(eij, scale), inputs.center, 'N'));
    },
  };
}
