/**
 * Allegro's channel-wise tensor product T = V ⊗_uuu Γ as graph ops, in the cheapest form the
 * layer allows (all three compute the same numbers):
 *
 * - first layer: V⁰_l = w_l ⊙ Y_l is a weight per channel times the harmonics, so for each pair
 *   of terms T[u, m] = Σ_j M[m, j] (w_l[u] Γ_j[u]) with M = c·C·Y_l one small matrix per edge
 *   ([rows, d2] @ [d2, mul], a batched matmul). Neither V⁰ nor an outer product [d1·d2] per
 *   channel is ever formed (0.39 MFLOP per edge for allegro's minimal network, against 0.66 for
 *   the convolution form with per-row weights, in the same time);
 * - scalar outputs only (the last layer): every path is C(l, l, 0) ∝ δ_ij, an inner product
 *   Σ_m V_lm Γ_lm per channel;
 * - otherwise: the outer product of each pair of terms contracted with its 3j blocks
 *   (emitChannelProduct).
 *
 * In mode 'p' the shared path weights multiply the paths; both ways they are weights times
 * constants, which onnxruntime folds when it loads the model.
 */
import { wigner3j, type TpInstruction } from '../../o3/index.js';
import type { Graph, Value } from '../../onnx/index.js';
import { termSums, type Features } from '../features.js';
import { emitChannelProduct } from '../tensor-product-layer.js';
import type { AllegroProduct } from './tensor-track.js';

/**
 * The first layer's product from the environment Γ (per term, [E, 2l+1, mul]) and V⁰'s weights
 * `w` [E, numIrreps, mul] (w_l[u]), one pair of input terms (l1, l2) at a time:
 *
 *   x'_{l1 l2} = w_{l1} ⊙ Γ_{l2}                                 [E, d2, mul]
 *   T_p = M_p x'_{l1 l2},  M_p[m, j] = Σ_i c_p C[i, j, m] Y_{l1}[i]   one batched matmul per pair, rows (path, m)
 *
 * M of every pair comes from one matmul of the harmonics with a constant (in mode 'p' with the
 * path weights folded in). Returns one term per path ('uuulin': `tp.irrepsOut`) or the sums into
 * each output irrep ('p').
 */
export function emitFirstProductPairs(g: Graph, prod: AllegroProduct, sh: Value, env: Features, w: Value, pathWeights: Value | undefined, what: string): Features {
  const { tp } = prod;
  const mul = tp.irrepsIn1.at(0).mul;
  const harm = tp.irrepsIn1;
  const dimY = harm.dim / mul;
  const offY = harm.terms.map((_, k) => harm.terms.slice(0, k).reduce((n, t) => n + t.ir.dim, 0));
  // Pairs (i1, i2) in first-appearance order, each with its paths.
  const pairs: { i1: number; i2: number; paths: number[] }[] = [];
  tp.instructions.forEach((ins, n) => {
    const pr = pairs.find((q) => q.i1 === ins.i1 && q.i2 === ins.i2);
    if (pr) pr.paths.push(n);
    else pairs.push({ i1: ins.i1, i2: ins.i2, paths: [n] });
  });
  // Column blocks of the big constant: pair q holds [rows_q, d2] = Σ over its paths of d_out rows.
  const sizes = pairs.map((pr) => pr.paths.reduce((r, n) => r + 2 * tp.instructions[n]!.lOut + 1, 0) * (2 * tp.instructions[pr.paths[0]!]!.l2 + 1));
  const colStart = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  const P = tp.instructions.length;
  const K = new Float64Array(P * dimY * total);
  pairs.forEach((pr, q) => {
    let r0 = 0;
    for (const n of pr.paths) {
      const ins = tp.instructions[n]!;
      const c3 = wigner3j(ins.l1, ins.l2, ins.lOut);
      const [d1, d2, d3] = [2 * ins.l1 + 1, 2 * ins.l2 + 1, 2 * ins.lOut + 1];
      for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let m = 0; m < d3; m++) {
        K[(n * dimY + offY[ins.i1]! + i) * total + colStart[q]! + (r0 + m) * d2 + j] = ins.pathWeight * c3[(i * d2 + j) * d3 + m]!;
      }
      r0 += d3;
    }
  });
  const big = pathWeights ? g.reshape(g.matmul(g.reshape(pathWeights, [1, P]), g.constant(K, [P, dimY * total])), [dimY, total]) : g.constant(sumRows(K, P), [dimY, total]);
  const M = g.matmul(sh, big); // [E, total]
  const sums = termSums(g, tp.irrepsOut, 'E');
  pairs.forEach((pr, q) => {
    const d2 = 2 * tp.instructions[pr.paths[0]!]!.l2 + 1;
    const rows = sizes[q]! / d2;
    const Mq = g.reshape(g.slice(M, 1, colStart[q]!, colStart[q]! + sizes[q]!), ['E', rows, d2]);
    const wl = g.reshape(g.slice(w, 1, pr.i1, pr.i1 + 1), ['E', 1, mul]);
    const y = g.matmul(Mq, g.mul(env.terms[pr.i2]!, wl)); // [E, rows, mul]
    let r0 = 0;
    for (const n of pr.paths) {
      const d3 = 2 * tp.instructions[n]!.lOut + 1;
      sums.add(tp.instructions[n]!.out, pr.paths.length === 1 ? y : g.slice(y, 1, r0, r0 + d3));
      r0 += d3;
    }
  });
  return sums.features(what);
}

function sumRows(K: Float64Array, P: number): Float64Array {
  const n = K.length / P;
  const out = new Float64Array(n);
  for (let p = 0; p < P; p++) for (let q = 0; q < n; q++) out[q]! += K[p * n + q]!;
  return out;
}

/** Whether every path of the product is C(l, l, 0): scalar outputs from equal irreps. */
export function isScalarProduct(prod: AllegroProduct): boolean {
  const { tp } = prod;
  return tp.instructions.every((ins) => ins.lOut === 0 && tp.irrepsIn1.at(ins.i1).ir.equals(tp.irrepsIn2.at(ins.i2).ir));
}

/** C(l, l, 0) = c·δ_ij: returns c. @throws if it is not a multiple of the identity */
function diagonal(l: number): number {
  const c3 = wigner3j(l, l, 0);
  const d = 2 * l + 1;
  const c = c3[0]!;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (Math.abs(c3[i * d + j]! - (i === j ? c : 0)) > 1e-12) throw new Error(`allegro: 3j(${l}, ${l}, 0) is not diagonal`);
  return c;
}

/** The scalar-only product (see {@link isScalarProduct}): per path pathWeight · c_l · Σ_m V_lm Γ_lm. */
export function emitScalarProduct(g: Graph, prod: AllegroProduct, v: Features, env: Features, pathWeights: Value | undefined, what: string): Features {
  const { tp } = prod;
  if (!isScalarProduct(prod)) throw new Error(`${what}: not every path is a scalar product of equal irreps`);
  const batch = v.terms[0]!.shape[0]!;
  const sums = termSums(g, tp.irrepsOut, batch);
  tp.instructions.forEach((ins: TpInstruction, n) => {
    const a = v.terms[ins.i1]!;
    const b = env.terms[ins.i2]!;
    const dot = a.shape[1] === 1 ? g.mul(a, b) : g.reduceSum(g.mul(a, b), [1], true); // [B, 1, mul]
    const c = ins.pathWeight * diagonal(ins.l1);
    sums.add(ins.out, g.mul(dot, pathWeights ? g.mul(g.reshape(g.slice(pathWeights, 0, n, n + 1), [1, 1, 1]), c) : c));
  });
  return sums.features(what);
}

/** The general product: outer products of term pairs contracted with their 3j blocks. */
export function emitGeneralProduct(g: Graph, prod: AllegroProduct, v: Features, env: Features, pathWeights: Value | undefined, what: string): Features {
  return emitChannelProduct(g, prod.tp, v, env, what, pathWeights);
}
