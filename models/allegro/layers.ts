/**
 * Allegro's blocks (Musaelian et al., Nat. Commun. 14, 579 (2023), Fig. 1): everything lives on
 * edges ij, centred on atom i, so the model is strictly local (interaction depth 1).
 *
 *   two_body_latent:  x_ij = u(r_ij) · MLP([onehot_i, onehot_j, B(r_ij)]),  V_ij = w(x_ij) ⊙ Y(r̂_ij)
 *   allegro_layer_k:  Γ_i = Σ_k w_k(x_ik) ⊙ Y(r̂_ik) / √avg            (environment of the centre)
 *                     T_ij = V_ij ⊗_uuu Γ_i                            (channel-wise tensor product)
 *                     x_ij ← u(r_ij) · (x_ij + MLP([x_ij, scalars(T_ij)])) / √2
 *                     V_ij ← Linear(T_ij)                              (not in the last layer)
 *   edge_energy:      E_i = Σ_j u(r_ij) · MLP(x_ij) / √avg
 *
 * Simplifications against allegro 0.2, on purpose: the latent resnet mixes with fixed 1/√2
 * weights instead of trained ones, and the environment weights are one linear map per layer.
 */
import { Irrep, Irreps, TensorProduct, type InstructionSpec, type MulIrrep } from '../../o3/index.js';
import type { Graph, Value } from '../../onnx/index.js';
import type { Block } from '../block.js';
import { features, simplifyFeatures, type Features } from '../features.js';
import { linearLayer, linearPlan } from '../linear-layer.js';
import { mlp } from '../mlp.js';
import type { ParameterSet } from '../parameters.js';
import { emitPolynomialCutoff } from '../radial.js';
import { emitChannelProduct } from '../tensor-product-layer.js';
import type { AllegroSettings } from './options.js';

const SCALAR = Irreps.parse('1x0e');

/** mul copies of each harmonic degree: the irreps of V⁰ and of Γ. */
export function shChannels(lmax: number, mul: number): Irreps {
  return new Irreps(Irreps.sphericalHarmonics(lmax).terms.map((t) => ({ mul, ir: t.ir })));
}

/** (E, mul) per-edge weights of each harmonic degree times Y_l: channel-last terms [E, 2l+1, mul]. */
function weightedHarmonics(g: Graph, w: Value, sh: Value, lmax: number, mul: number): Value[] {
  const edges = sh.shape[0]!;
  const terms: Value[] = [];
  for (let l = 0, start = 0; l <= lmax; l++) {
    const d = 2 * l + 1;
    const wl = g.reshape(g.slice(w, 1, l * mul, (l + 1) * mul), [edges, 1, mul]);
    const yl = g.reshape(lmax === 0 ? sh : g.slice(sh, 1, start, start + d), [edges, d, 1]);
    terms.push(g.mul(yl, wl));
    start += d;
  }
  return terms;
}

/** `edge_latents` and the first `edge_tensors`. */
export function twoBodyBlock(params: ParameterSet, s: AllegroSettings): Block {
  const name = 'two_body_latent';
  const nt = s.typeNames.length;
  const nb = s.radial.numBasis;
  const mul = s.numTensorFeatures;
  const widths = [2 * nt + nb, ...s.twoBodyMlp.hidden, s.latentDim];
  const tensors = shChannels(s.lmax, mul);
  const twoBodyMlp = mlp(params, `${name}.mlp`, { widths, activation: s.twoBodyMlp.activation });
  const envW = params.create(`${name}.env_w`, [s.latentDim, (s.lmax + 1) * mul]);
  return {
    name,
    irrepsIn: { node_attrs: Irreps.parse(`${nt}x0e`), edge_embedding: Irreps.parse(`${nb}x0e`), edge_attrs: Irreps.sphericalHarmonics(s.lmax), edge_lengths: SCALAR },
    irrepsOut: { edge_latents: Irreps.parse(`${s.latentDim}x0e`), edge_tensors: tensors },
    emit(g, fields, inputs) {
      const attrs = fields.flat('node_attrs');
      const input = g.concat([g.gather(attrs, inputs.center, 0), g.gather(attrs, inputs.neighbor, 0), fields.flat('edge_embedding')], 1);
      const u = emitPolynomialCutoff(g, fields.flat('edge_lengths'), s.rMax_A, s.radial.cutoffP);
      const latents = g.mul(twoBodyMlp.emit(g, input), u);
      fields.setFlat('edge_latents', `${s.latentDim}x0e`, latents);
      const w = g.matmul(latents, g.mul(params.weight(g, envW), 1 / Math.sqrt(s.latentDim)));
      fields.setFeatures('edge_tensors', features(tensors, weightedHarmonics(g, w, fields.flat('edge_attrs'), s.lmax, mul), name));
    },
  };
}

/** The channel-wise product plan V ⊗ Γ, outputs sorted, keeping l ≤ lmax (and parity (−1)^l unless `parity`); only scalars when `scalarsOnly`. */
export function allegroProduct(irrepsV: Irreps, irrepsEnv: Irreps, lmax: number, parity: boolean, scalarsOnly: boolean): TensorProduct {
  const mid: MulIrrep[] = [];
  const raw: { i1: number; i2: number; out: number }[] = [];
  irrepsV.terms.forEach((a, i1) => irrepsEnv.terms.forEach((b, i2) => {
    for (const ir of a.ir.times(b.ir)) {
      if (ir.l > lmax || (!parity && ir.p !== (-1) ** ir.l)) continue;
      if (scalarsOnly && !(ir.l === 0 && ir.p === 1)) continue;
      raw.push({ i1, i2, out: mid.length });
      mid.push({ mul: a.mul, ir });
    }
  }));
  const sorted = new Irreps(mid).sort();
  const instructions: InstructionSpec[] = raw.map((r) => ({ i1: r.i1, i2: r.i2, out: sorted.p[r.out]!, mode: 'uuu', hasWeight: false }));
  return new TensorProduct({ irrepsIn1: irrepsV, irrepsIn2: irrepsEnv, irrepsOut: sorted.irreps, instructions });
}

/** Allegro layer `index` (0-based) of `s.numLayers`, reading edge tensors with irreps `irrepsV`. */
export function allegroLayer(params: ParameterSet, s: AllegroSettings, index: number, irrepsV: Irreps): Block {
  const name = `allegro_layer${index}`;
  const last = index === s.numLayers - 1;
  const mul = s.numTensorFeatures;
  const env = shChannels(s.lmax, mul);
  const tp = allegroProduct(irrepsV, env, s.lmax, s.parity, last);
  const mid = tp.irrepsOut.simplify();
  const scalarTerms = mid.terms.map((t, k) => ({ t, k })).filter(({ t }) => t.ir.equals(new Irrep(0, 1)));
  const numScalars = scalarTerms.reduce((n, { t }) => n + t.mul, 0);
  if (numScalars === 0) throw new Error(`${name}: the product ${irrepsV} ⊗ ${env} has no scalar output`);
  const outIrreps = new Irreps(mid.terms.map((t) => ({ mul, ir: t.ir })));
  const widths = [s.latentDim + numScalars, ...s.latentMlp.hidden, s.latentDim];
  const envW = params.create(`${name}.env_w`, [s.latentDim, (s.lmax + 1) * mul]);
  const latentMlp = mlp(params, `${name}.latent_mlp`, { widths, activation: s.latentMlp.activation });
  const linear = last ? undefined : linearLayer(params, `${name}.linear`, linearPlan(mid, outIrreps));
  const latentIrreps = Irreps.parse(`${s.latentDim}x0e`);
  const envScale = s.avgNumNeighbors === null ? 1 : 1 / Math.sqrt(s.avgNumNeighbors);

  return {
    name,
    irrepsIn: { edge_latents: latentIrreps, edge_tensors: irrepsV, edge_attrs: Irreps.sphericalHarmonics(s.lmax), edge_lengths: SCALAR },
    irrepsOut: last ? { edge_latents: latentIrreps } : { edge_latents: latentIrreps, edge_tensors: outIrreps },
    emit(g, fields, inputs) {
      const latents = fields.flat('edge_latents');
      const edges = latents.shape[0]!;
      // Environment of each centre, gathered back onto its edges. 1/√avg goes into the weight.
      const w = g.matmul(latents, g.mul(params.weight(g, envW), envScale / Math.sqrt(s.latentDim)));
      const perEdge = weightedHarmonics(g, w, fields.flat('edge_attrs'), s.lmax, mul);
      const gamma = g.scope('environment', () => features(env, perEdge.map((t) => g.gather(g.segmentSum(t, inputs.center, 'N'), inputs.center, 0)), `${name}.environment`));
      const product: Features = g.scope('tensor_product', () => simplifyFeatures(g, emitChannelProduct(g, tp, fields.features('edge_tensors'), gamma, `${name}.tensor_product`)));
      const scalars = scalarTerms.map(({ t, k }) => g.reshape(product.terms[k]!, [edges, t.mul]));
      const u = emitPolynomialCutoff(g, fields.flat('edge_lengths'), s.rMax_A, s.radial.cutoffP);
      const update = latentMlp.emit(g, g.concat([latents, ...scalars], 1));
      fields.setFlat('edge_latents', latentIrreps, g.mul(g.add(latents, update), g.mul(u, Math.SQRT1_2)));
      if (linear) fields.setFeatures('edge_tensors', g.scope('linear', () => linear.emit(g, product)));
    },
  };
}

/** `atomic_energy` = Σ_j u(r_ij) · MLP(x_ij) / √avg over the edges centred on each atom. */
export function edgeEnergyBlock(params: ParameterSet, s: AllegroSettings): Block {
  const name = 'edge_energy';
  const widths = [s.latentDim, ...s.edgeEnergyMlp.hidden, 1];
  const energyMlp = mlp(params, `${name}.mlp`, { widths, activation: s.edgeEnergyMlp.activation });
  const scale = s.avgNumNeighbors === null ? 1 : 1 / Math.sqrt(s.avgNumNeighbors);
  return {
    name,
    irrepsIn: { edge_latents: Irreps.parse(`${s.latentDim}x0e`), edge_lengths: SCALAR },
    irrepsOut: { atomic_energy: SCALAR },
    emit(g, fields, inputs) {
      const u = emitPolynomialCutoff(g, fields.flat('edge_lengths'), s.rMax_A, s.radial.cutoffP);
      const eij = g.mul(energyMlp.emit(g, fields.flat('edge_latents')), g.mul(u, scale));
      fields.setFlat('atomic_energy', SCALAR, g.segmentSum(eij, inputs.center, 'N'));
    },
  };
}
