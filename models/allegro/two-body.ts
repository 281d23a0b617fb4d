/**
 * Allegro's two-body input (allegro 0.3 `AllegroBesselBasis` and `ProductTypeEmbedding`):
 *
 *   radial_basis:    b_n(r) = sin(w_n r) / (π x) · u(x),  x = r / r_c,  w_n = nπ / r_c (trainable)
 *   type_embedding:  z_ij = MLP_basis(b(r_ij)) ⊙ [e⁰(t_i), e¹(t_j)]
 *
 * r_c is r_max, or a cutoff per (centre, neighbour) species pair, each pair then with its own
 * frequencies. sin(w r)/(π x) tends to w_1 r_c/π = 1 (the first function) as r → 0 — the basis does
 * not carry r_max's scale, unlike NequIP's (2/r_max) sin(nπx)/r. e⁰ and e¹ are learned species
 * embeddings of half the width each.
 */
import { Irreps } from '../../o3/index.js';
import type { Graph, Value } from '../../onnx/index.js';
import type { Block } from '../block.js';
import { mlp } from '../mlp.js';
import { ModelOptionsError } from '../options.js';
import type { ParameterSet } from '../parameters.js';
import type { PotentialInputs } from '../inputs.js';
import { emitEnvelope } from '../radial.js';
import type { AllegroSettings } from './options.js';

const SCALAR = Irreps.parse('1x0e');

/**
 * The [numTypes²] cutoffs, Å, of each (centre, neighbour) pair, row-major, or undefined for one
 * cutoff r_max. @throws ModelOptionsError naming the missing or too large entry
 */
export function edgeTypeCutoffs(s: AllegroSettings): number[] | undefined {
  const table = s.radial.perEdgeTypeCutoff_A;
  if (!table) return undefined;
  const names = s.typeNames;
  const path = ['radial', 'perEdgeTypeCutoff_A'];
  for (const k of Object.keys(table)) if (!names.includes(k)) throw new ModelOptionsError('allegro', [...path, k], `is not one of the species ${names.join(', ')}`);
  const out: number[] = [];
  for (const a of names) {
    const row = table[a];
    if (row === undefined) throw new ModelOptionsError('allegro', path, `gives no cutoff for centre species '${a}'`);
    for (const b of names) {
      const rc = typeof row === 'number' ? row : row[b];
      if (rc === undefined) throw new ModelOptionsError('allegro', [...path, a], `gives no cutoff for neighbour species '${b}'`);
      if (rc > s.rMax_A) throw new ModelOptionsError('allegro', [...path, a, ...(typeof row === 'number' ? [] : [b])], `must be ≤ rMax_A (${s.rMax_A}), got ${rc}`);
      out.push(rc);
    }
  }
  return out;
}

/** (E,) int64 index t_i · numTypes + t_j of each edge's species pair. */
export function edgeTypeIndex(g: Graph, inputs: PotentialInputs, numTypes: number): Value {
  const ti = g.gather(inputs.atomTypes, inputs.center, 0);
  const tj = g.gather(inputs.atomTypes, inputs.neighbor, 0);
  return g.add(g.mul(ti, g.constant(numTypes, [], 'int64')), tj);
}

/** `edge_embedding` [E, numBasis]: allegro's Bessel basis times the envelope; creates `radial_basis.bessel_weights`. */
export function allegroRadialBlock(params: ParameterSet, s: AllegroSettings): Block {
  const name = 'radial_basis';
  const nb = s.radial.numBasis;
  const nt = s.typeNames.length;
  const cutoffs = edgeTypeCutoffs(s);
  const rc = cutoffs ?? [s.rMax_A];
  // Frequencies nπ/r_c in Å⁻¹, one row per species pair when the cutoffs differ (allegro's layout).
  const initial = rc.flatMap((c) => Array.from({ length: nb }, (_, n) => ((n + 1) * Math.PI) / c));
  const shape = cutoffs ? [nt * nt, nb] : [nb];
  const freq = s.radial.trainableFrequencies ? params.create(`${name}.bessel_weights`, shape, { values: initial }) : undefined;
  const irreps = Irreps.parse(`${nb}x0e`);
  return {
    name,
    irrepsIn: { edge_lengths: SCALAR },
    irrepsOut: { edge_embedding: irreps },
    emit(g, fields, inputs) {
      const r = fields.flat('edge_lengths');
      const w = freq ? params.weight(g, freq) : g.constant(initial, shape);
      let x: Value;
      let wEdge: Value;
      if (cutoffs) {
        const type = edgeTypeIndex(g, inputs, nt);
        x = g.mul(r, g.reshape(g.gather(g.constant(cutoffs.map((c) => 1 / c), [nt * nt]), type, 0), ['E', 1]));
        wEdge = g.gather(w, type, 0);
      } else {
        x = g.mul(r, 1 / s.rMax_A);
        wEdge = g.reshape(w, [1, nb]);
      }
      const bessel = g.div(g.sin(g.mul(r, wEdge)), g.mul(x, Math.PI));
      fields.setFlat('edge_embedding', irreps, g.mul(bessel, g.scope('cutoff', () => emitEnvelope(g, x, s.radial.cutoffP))));
    },
  };
}

/** Width of the two-body embedding (allegro: initial_scalar_embedding_dim). */
export function typeEmbeddingDim(s: AllegroSettings): number {
  const d = s.typeEmbedding.dim ?? s.twoBodyMlp.hidden[0] ?? s.latentDim;
  if (d % 2 !== 0) throw new ModelOptionsError('allegro', ['typeEmbedding', 'dim'], `must be even (half for each species of the pair), got ${d} (from ${s.typeEmbedding.dim === undefined ? 'twoBodyMlp.hidden[0] or latentDim' : 'typeEmbedding.dim'})`);
  return d;
}

/** `edge_invariants` [E, D] = MLP(edge_embedding) ⊙ [e⁰(t_i), e¹(t_j)]; creates `type_embedding.embeddings` [2, numTypes, D/2] and `type_embedding.basis_mlp.w*`. */
export function typeEmbeddingBlock(params: ParameterSet, s: AllegroSettings): Block {
  const name = 'type_embedding';
  const nt = s.typeNames.length;
  const dim = typeEmbeddingDim(s);
  const embeddings = params.create(`${name}.embeddings`, [2, nt, dim / 2]);
  const basisMlp = mlp(params, `${name}.basis_mlp`, { widths: [s.radial.numBasis, ...s.typeEmbedding.basisMlp.hidden, dim], activation: s.typeEmbedding.basisMlp.activation });
  return {
    name,
    irrepsIn: { edge_embedding: Irreps.parse(`${s.radial.numBasis}x0e`) },
    irrepsOut: { edge_invariants: Irreps.parse(`${dim}x0e`) },
    emit(g, fields, inputs) {
      const table = g.reshape(params.weight(g, embeddings), [2 * nt, dim / 2]);
      const ti = g.gather(inputs.atomTypes, inputs.center, 0);
      const tj = g.add(g.gather(inputs.atomTypes, inputs.neighbor, 0), g.constant(nt, [], 'int64'));
      const pair = g.concat([g.gather(table, ti, 0), g.gather(table, tj, 0)], 1);
      fields.setFlat('edge_invariants', `${dim}x0e`, g.mul(basisMlp.emit(g, fields.flat('edge_embedding')), pair));
    },
  };
}
