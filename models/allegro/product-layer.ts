/**
 * Allegro's channel-wise tensor product T = V ⊗_uuu Γ as graph ops, in the cheapest form the
 * layer allows (all three compute the same numbers):
 *
 * - first layer: V⁰_l = w_l ⊙ Y_l is a weight per channel times the harmonics, so
 *   T[u, k] = Σ_l w_l[u] Σ_ij C[k, i, j] Y_l[i] Γ[u, j] is a convolution of Γ with the harmonics —
 *   per edge one small matrix M = C·Y times Γ ([rows, d] @ [d, mul], tensor-product-layer's
 *   emitConvolution, as NequIP's), with the weights w_l[u] applied per output row. Neither V⁰ nor
 *   an outer product [d1·d2] per channel is ever formed;
 * - scalar outputs only (the last layer): every path is C(l, l, 0) ∝ δ_ij, an inner product
 *   Σ_m V_lm Γ_lm per channel;
 * - otherwise: the outer product of each pair of terms contracted with its 3j blocks
 *   (emitChannelProduct).
 *
 * In mode 'p' the shared path weights multiply the paths; both ways they are weights times
 * constants, which onnxruntime folds when it loads the model.
 */
import { Irreps, TensorProduct, wigner3j, type TpInstruction } from '../../o3/index.js';
import type { Graph, Value } from '../../onnx/index.js';
import { termSums, type Features } from '../features.js';
import type { MlpParts } from '../mlp.js';
import { emitChannelProduct, emitConvolution } from '../tensor-product-layer.js';
import type { AllegroProduct } from './tensor-track.js';

/** s with C(l2, l1, l3)[j, i, k] = s · C(l1, l2, l3)[i, j, k] (±1 for e3nn's real 3j symbols). @throws if they are not so related */
function swapSign(l1: number, l2: number, l3: number): number {
  const a = wigner3j(l1, l2, l3);
  const b = wigner3j(l2, l1, l3);
  const [d1, d2, d3] = [2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1];
  let dot = 0;
  for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++) dot += a[(i * d2 + j) * d3 + k]! * b[(j * d1 + i) * d3 + k]!;
  const s = Math.sign(dot);
  for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++) {
    if (Math.abs(a[(i * d2 + j) * d3 + k]! - s * b[(j * d1 + i) * d3 + k]!) > 1e-12) throw new Error(`allegro: 3j(${l1}, ${l2}, ${l3}) is not ±3j(${l2}, ${l1}, ${l3}) transposed`);
  }
  return s;
}

/** Per-path factors [P] as a graph value: sign (constant) times the 'p' weights when given. */
function pathFactors(g: Graph, signs: readonly number[], pathWeights: Value | undefined): Value {
  const s = g.constant(signs, [signs.length]);
  return pathWeights ? g.mul(pathWeights, s) : s;
}

/**
 * The first layer's product. `sh` [E, Σ(2l+1)] harmonics; `env` Γ per edge; `edgeWeights` the
 * environment MLP split before its last layer, whose last weight's columns (l·mul + u) give w_l[u].
 */
export function emitFirstProduct(g: Graph, prod: AllegroProduct, sh: Value, env: Features, edgeWeights: MlpParts, pathWeights: Value | undefined, what: string): Features {
  const { tp } = prod;
  const mul = tp.irrepsIn1.at(0).mul;
  const harmonics = new Irreps(tp.irrepsIn1.terms.map((t) => ({ mul: 1, ir: t.ir })));
  // The same paths with the inputs swapped: Γ is input 1 (channels), the harmonics input 2.
  const conv = new TensorProduct({
    irrepsIn1: tp.irrepsIn2,
    irrepsIn2: harmonics,
    irrepsOut: tp.irrepsOut,
    instructions: tp.instructions.map((ins) => ({ i1: ins.i2, i2: ins.i1, out: ins.out, mode: 'uvu' as const })),
  });
  conv.instructions.forEach((c, n) => {
    if (Math.abs(c.pathWeight - tp.instructions[n]!.pathWeight) > 1e-14 * tp.instructions[n]!.pathWeight) throw new Error(`${what}: path ${n} normalization differs between the product and its convolution form`);
  });
  const signs = tp.instructions.map((ins) => swapSign(ins.l1, ins.l2, ins.lOut));
  // Weights of path n, channel u: w_{l1(n)}[u] · sign_n (· p-weight_n), as columns of the last matmul.
  const cols = tp.instructions.flatMap((ins) => Array.from({ length: mul }, (_, u) => ins.i1 * mul + u));
  const perCol = g.gather(pathFactors(g, signs, pathWeights), g.constant(cols.map((_, q) => Math.floor(q / mul)), [cols.length], 'int64'), 0);
  const last = g.mul(g.gather(edgeWeights.last, g.constant(cols, [cols.length], 'int64'), 1), g.reshape(perCol, [1, cols.length]));
  return emitConvolution(g, conv, env, sh, { hidden: edgeWeights.hidden, last }, undefined, what);
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
