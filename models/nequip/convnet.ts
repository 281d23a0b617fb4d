/**
 * One NequIP interaction layer (nequip 0.5's `ConvNetLayer` around an `InteractionBlock`):
 *
 *   x_j  ← Linear(h_j)                                   (linear_1, self-interaction)
 *   m_ij ← TP_uvu(x_j, Y(r̂_ij); w = MLP(B(r_ij)))       (convolution, weights from the radial MLP)
 *   y_i  ← Linear(Σ_j m_ij / √avg_neighbors)             (linear_2)
 *        + TP_uvw(h_i, one_hot_i)                        (self-connection, per species)
 *   h_i' ← Gate(y_i)  (+ h_i when the irreps agree: resnet)
 *
 * The hidden irreps keep only the terms a tensor-product path can reach from the input, and the
 * gate's scalars decide whether gates are 0e or 0o — exactly NequIP's construction, so that the
 * weight layout of each piece matches NequIP's.
 */
import { channelwise, fullyConnected, Gate, Irrep, Irreps, type Activation, type MulIrrep } from '../../o3/index.js';
import type { Block } from '../block.js';
import { activationByName, secondMomentFactor } from '../activation-layer.js';
import { features, simplifyFeatures } from '../features.js';
import { emitGate } from '../gate-layer.js';
import { linearLayer, linearPlan } from '../linear-layer.js';
import { mlp } from '../mlp.js';
import type { ParameterSet } from '../parameters.js';
import { emitConvolution, selfConnectionLayer } from '../tensor-product-layer.js';
import type { NequipSettings } from './options.js';

/** Whether some ir1 ∈ a and ir2 ∈ b couple to `ir` (nequip's `tp_path_exists`). */
export function tpPathExists(a: Irreps, b: Irreps, ir: Irrep): boolean {
  return a.terms.some((x) => b.terms.some((y) => x.ir.times(y.ir).some((z) => z.equals(ir))));
}

/** NequIP's hidden irreps: numFeatures copies of each l ≤ lmax, even parity first, then odd. */
export function hiddenIrreps(s: NequipSettings): Irreps {
  const terms: MulIrrep[] = [];
  for (const p of s.parity ? [1, -1] : [1]) for (let l = 0; l <= s.lmax; l++) terms.push({ mul: s.numFeatures, ir: new Irrep(l, s.parity ? p : (-1) ** l) });
  return new Irreps(terms);
}

function act(s: Required<{ even: string; odd: string }>, p: number): Activation {
  return activationByName(p === 1 ? s.even : s.odd);
}

/**
 * The layer `index` reading node features with irreps `irrepsIn`; creates its parameters under
 * `layer{index}_convnet`.
 */
export function convNetLayer(params: ParameterSet, s: NequipSettings, index: number, irrepsIn: Irreps): Block {
  const name = `layer${index}_convnet`;
  const numTypes = s.typeNames.length;
  const nodeAttrs = Irreps.parse(`${numTypes}x0e`);
  const edgeAttrs = Irreps.sphericalHarmonics(s.lmax);
  const numBasis = s.radial.numBasis;
  const edgeEmbedding = Irreps.parse(`${numBasis}x0e`);

  const hidden = hiddenIrreps(s);
  const scalars = new Irreps(hidden.terms.filter((t) => t.ir.l === 0 && tpPathExists(irrepsIn, edgeAttrs, t.ir)));
  const gated = new Irreps(hidden.terms.filter((t) => t.ir.l > 0 && tpPathExists(irrepsIn, edgeAttrs, t.ir)));
  const gateIr = tpPathExists(irrepsIn, edgeAttrs, new Irrep(0, 1)) ? new Irrep(0, 1) : new Irrep(0, -1);
  const gates = new Irreps(gated.terms.map((t) => ({ mul: t.mul, ir: gateIr })));
  const gate = new Gate({
    scalars,
    actScalars: scalars.terms.map((t) => act(s.nonlinearity.scalars, t.ir.p)),
    gates,
    actGates: gates.terms.map((t) => act(s.nonlinearity.gates, t.ir.p)),
    gated,
    normalizeActivations: (a) => s.activationFactors?.[a.name as keyof typeof s.activationFactors] ?? secondMomentFactor(a),
  });
  const convOut = gate.irrepsIn;

  const tp = channelwise(irrepsIn, edgeAttrs, convOut);
  const mid = tp.irrepsOut.simplify();
  const mlpWidths = [numBasis, ...new Array<number>(s.radialMlp.layers).fill(s.radialMlp.neurons), tp.weightNumel];
  const resnet = s.resnet && irrepsIn.equals(gate.irrepsOut);
  const neighborScale = s.avgNumNeighbors === null ? 1 : 1 / Math.sqrt(s.avgNumNeighbors);

  const linear1 = linearLayer(params, `${name}.linear_1`, linearPlan(irrepsIn, irrepsIn));
  const radialMlp = mlp(params, `${name}.radial_mlp`, { widths: mlpWidths, activation: s.radialMlp.activation, factor: s.activationFactors?.[s.radialMlp.activation] });
  const linear2 = linearLayer(params, `${name}.linear_2`, linearPlan(mid, convOut));
  const selfConnection = selfConnectionLayer(params, `${name}.self_connection`, fullyConnected(irrepsIn, nodeAttrs, convOut));

  return {
    name,
    irrepsIn: { node_features: irrepsIn, node_attrs: nodeAttrs, edge_attrs: edgeAttrs, edge_embedding: edgeEmbedding },
    irrepsOut: { node_features: gate.irrepsOut },
    emit(g, fields, inputs) {
      const h = fields.features('node_features');
      const attrs = fields.flat('node_attrs');
      // Outputs for `outputAtoms` only (a staged chunk's centres), else for every atom.
      const rows = inputs.outputAtoms;
      const hOut = rows ? features(h.irreps, h.terms.map((t) => g.gather(t, rows, 0)), `${name}: output atoms' features`) : h;
      const attrsOut = rows ? g.gather(attrs, rows, 0) : attrs;
      const x = g.scope('linear_1', () => linear1.emit(g, h));
      const weights = g.scope('radial_mlp', () => radialMlp.emitParts(g, fields.flat('edge_embedding')));
      const conv = g.scope('convolution', () => {
        const xj = features(x.irreps, x.terms.map((t) => g.gather(t, inputs.neighbor, 0)), `${name}: neighbour features`);
        const reduce = { index: inputs.center, numSegments: rows ? rows.shape[0]! : 'N' };
        const summed = emitConvolution(g, tp, xj, fields.flat('edge_attrs'), weights, reduce, `${name}.convolution`);
        // linear_2 reads NequIP's simplified irreps: neighbouring equal terms become one term.
        return simplifyFeatures(g, summed);
      });
      // 1/√avg_num_neighbors is applied through linear_2's weights.
      const y = g.scope('linear_2', () => linear2.emit(g, conv, neighborScale));
      const sc = g.scope('self_connection', () => selfConnection.emit(g, hOut, attrsOut));
      const pre = features(convOut, y.terms.map((t, k) => g.add(t, sc.terms[k]!)), `${name}: pre-activation`);
      let out = g.scope('gate', () => emitGate(g, gate, pre, `${name}.gate`));
      if (resnet) out = features(out.irreps, out.terms.map((t, k) => g.add(t, hOut.terms[k]!)), `${name}: resnet`);
      fields.setFeatures('node_features', out);
    },
  };
}
