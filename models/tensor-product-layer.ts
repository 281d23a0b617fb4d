/**
 * Tensor products (o3's `TensorProduct` plans) as graph ops on channel-last features.
 *
 * Convolution ('uvu', NequIP's and Allegro's): input 1 is a feature per edge [E, 2l1+1, mul],
 * input 2 the edge harmonics (multiplicity 1 per degree), weights per edge from a radial MLP.
 * For all instructions reading one term of input 1, the 3j symbols contracted with the
 * harmonics form one per-edge matrix M[e, k, i] = Σ_j c·C[i, j, k] Y[e, j] (one matmul with a
 * constant), the products with the feature are one batched matmul M @ x, and the per-edge path
 * weights multiply the result channel by channel. Summing over neighbours can happen before
 * the output is split into terms, so the split costs atoms, not edges.
 *
 * Self-connection ('uvw' with scalar input 2, e.g. one-hot species): per-species linear maps,
 * one matmul over all species followed by a one-hot-weighted sum.
 */
import { wigner3j, type TensorProduct } from '../o3/index.js';
import type { Dim, Graph, Value } from '../onnx/index.js';
import { termSums, type Features } from './features.js';
import type { MlpParts } from './mlp.js';
import type { ParameterSet } from './parameters.js';

/** Where convolution outputs are summed: edges → `numSegments` rows by `index` ([E] int64). */
export interface SegmentReduction {
  readonly index: Value;
  readonly numSegments: Dim;
  /** Multiplies the sums (e.g. 1/√avg_num_neighbors). */
  readonly scale?: number;
}

function checkConvolution(tp: TensorProduct, what: string): void {
  for (const ins of tp.instructions) {
    if (ins.mode !== 'uvu') throw new Error(`${what}: convolution instructions must be 'uvu', got '${ins.mode}'`);
  }
  tp.irrepsIn2.terms.forEach((t, k) => {
    if (t.mul !== 1) throw new Error(`${what}: input 2 term ${k} (${t.mul}x${t.ir}) must have multiplicity 1 (edge harmonics)`);
  });
}

/**
 * The 'uvu' tensor product of edge features `x` with harmonics `sh` (E, irrepsIn2.dim, e3nn
 * layout) weighted per edge by `weights` — a value (E, tp.weightNumel, e3nn weight layout), or
 * the parts of the MLP that makes them, whose last weight's columns are then repeated per output
 * row (no gather of per-edge weights) — optionally summed into segments. Returns Features of
 * irreps `tp.irrepsOut` over edges or segments.
 * @throws naming `what` when the plan is not a convolution or `x` does not match it
 */
export function emitConvolution(g: Graph, tp: TensorProduct, x: Features, sh: Value, weights: Value | MlpParts | undefined, reduce: SegmentReduction | undefined, what: string): Features {
  checkConvolution(tp, what);
  if (!x.irreps.equals(tp.irrepsIn1)) throw new Error(`${what}: input 1 must have irreps ${tp.irrepsIn1}, got ${x.irreps}`);
  const hasWeights = tp.instructions.some((i) => i.hasWeight);
  if (hasWeights && !weights) throw new Error(`${what}: the plan has ${tp.weightNumel} weights per edge but none were given`);
  const edges = sh.shape[0]!;
  const rows = reduce ? reduce.numSegments : edges;
  const sl2 = tp.irrepsIn2.slices();
  const dim2 = tp.irrepsIn2.dim;
  const sums = termSums(g, tp.irrepsOut, rows);

  tp.irrepsIn1.terms.forEach((term, i1) => {
    const group = tp.instructions.map((ins, n) => ({ ins, n })).filter((e) => e.ins.i1 === i1);
    if (group.length === 0 || term.mul === 0) return;
    const d1 = term.ir.dim;
    const mul = term.mul;
    // Rows of the stacked output: instruction k of the group occupies rows [rowStart[k], rowStart[k] + d3).
    const rowStart: number[] = [];
    let totalRows = 0;
    for (const { ins } of group) {
      rowStart.push(totalRows);
      totalRows += 2 * ins.lOut + 1;
    }
    const cBig = new Float64Array(dim2 * totalRows * d1);
    group.forEach(({ ins }, k) => {
      const c3 = wigner3j(ins.l1, ins.l2, ins.lOut);
      const d2 = 2 * ins.l2 + 1;
      const d3 = 2 * ins.lOut + 1;
      const s2 = sl2[ins.i2]!.start;
      for (let i = 0; i < d1; i++) {
        for (let j = 0; j < d2; j++) {
          for (let kk = 0; kk < d3; kk++) cBig[(s2 + j) * totalRows * d1 + (rowStart[k]! + kk) * d1 + i] = ins.pathWeight * c3[(i * d2 + j) * d3 + kk]!;
        }
      }
    });
    const m = g.reshape(g.matmul(sh, g.constant(cBig, [dim2, totalRows * d1])), [edges, totalRows, d1]);
    // For a scalar input term (d1 = 1) the product is an outer product: a broadcast multiply beats
    // E matrix products with an inner dimension of 1.
    let y = d1 === 1 ? g.mul(m, x.terms[i1]!) : g.matmul(m, x.terms[i1]!); // [E, totalRows, mul]
    if (hasWeights) {
      const ins = group.map((e) => e.ins);
      y = g.mul(y, 'hidden' in weights! ? rowWeightsFromMlp(g, weights, ins, edges, mul) : expandPathWeights(g, weights!, ins, edges, mul));
    }
    if (reduce) {
      y = g.segmentSum(y, reduce.index, reduce.numSegments);
      if (reduce.scale !== undefined && reduce.scale !== 1) y = g.mul(y, reduce.scale);
    }
    group.forEach(({ ins }, k) => {
      const d3 = 2 * ins.lOut + 1;
      sums.add(ins.out, group.length === 1 ? y : g.slice(y, 1, rowStart[k]!, rowStart[k]! + d3));
    });
  });
  return sums.features(what);
}

/** [E, Σ d3, mul]: each instruction's per-edge weights [E, mul] repeated over its output rows. */
function expandPathWeights(g: Graph, weights: Value, group: readonly TensorProduct['instructions'][number][], edges: Dim, mul: number): Value {
  const first = group[0]!.weightOffset;
  const contiguous = group.every((ins, k) => ins.hasWeight && ins.weightOffset === first + k * mul);
  if (contiguous) {
    // One slice and one gather: row r of the stacked output takes the weights of its instruction.
    const block = g.reshape(g.slice(weights, 1, first, first + group.length * mul), [edges, group.length, mul]);
    const rowIns: number[] = [];
    group.forEach((ins, k) => { for (let r = 0; r < 2 * ins.lOut + 1; r++) rowIns.push(k); });
    return g.gather(block, g.constant(rowIns, [rowIns.length], 'int64'), 1);
  }
  const parts = group.map((ins) => {
    const d3 = 2 * ins.lOut + 1;
    const w = ins.hasWeight ? g.reshape(g.slice(weights, 1, ins.weightOffset, ins.weightOffset + mul), [edges, 1, mul]) : g.expand(g.constant(1, [1, 1, 1]), [edges, 1, mul]);
    return d3 === 1 ? w : g.expand(w, [edges, d3, mul]);
  });
  return parts.length === 1 ? parts[0]! : g.concat(parts, 1);
}

/** [E, Σ d3, mul] path weights as one matmul: the MLP's last weight with its columns repeated per output row. */
function rowWeightsFromMlp(g: Graph, mlp: MlpParts, group: readonly TensorProduct['instructions'][number][], edges: Dim, mul: number): Value {
  const cols: number[] = [];
  for (const ins of group) {
    if (!ins.hasWeight) throw new Error('convolution: a weightless path cannot take MLP weights');
    for (let r = 0; r < 2 * ins.lOut + 1; r++) for (let u = 0; u < mul; u++) cols.push(ins.weightOffset + u);
  }
  const last = g.gather(mlp.last, g.constant(cols, [cols.length], 'int64'), 1); // constant-folded at load time
  return g.reshape(g.matmul(mlp.hidden, last), [edges, cols.length / mul, mul]);
}

/** A channel-last term [B, d, mul] as [d, B, mul], transposed once per term. */
function componentMajor(g: Graph, term: Value, cache: Map<number, Value>, key: number): Value {
  let v = cache.get(key);
  if (!v) {
    v = term.shape[1] === 1 ? g.reshape(term, [1, term.shape[0]!, term.shape[2]!]) : g.transpose(term, [1, 0, 2]);
    cache.set(key, v);
  }
  return v;
}

/** A 'uvw' tensor product with scalar input 2 whose weights live in a parameter set; see {@link selfConnectionLayer}. */
export interface SelfConnectionLayer {
  readonly plan: TensorProduct;
  /**
   * out[w] = Σ c·C Σ_uv W[u, v, w] x[u] a[v] for features `x` (irreps `plan.irrepsIn1`) and
   * scalar attributes `attrs` [B, irrepsIn2.dim].
   * @throws naming the prefix when `x` does not match the plan
   */
  emit(g: Graph, x: Features, attrs: Value): Features;
}

/**
 * A 'uvw' tensor product whose input 2 is scalars only (e.g. a one-hot species encoding), i.e. a
 * linear map of x whose matrix is mixed by the attributes. Creates path n's weight
 * `${prefix}.w${n}` [mul1, mul2, mulOut].
 * @throws naming `prefix` when input 2 is not all scalars or a path is not 'uvw' with weights
 * @example const sc = selfConnectionLayer(params, 'layer0.self_connection', fullyConnected(h, '2x0e', out)); sc.emit(g, x, oneHot);
 */
export function selfConnectionLayer(params: ParameterSet, prefix: string, tp: TensorProduct): SelfConnectionLayer {
  if (tp.irrepsIn2.terms.some((t) => t.ir.l !== 0)) throw new Error(`${prefix}: input 2 (${tp.irrepsIn2}) must be scalars`);
  tp.instructions.forEach((ins, n) => {
    if (ins.mode !== 'uvw' || !ins.hasWeight) throw new Error(`${prefix}: instruction ${n} must be 'uvw' with weights`);
  });
  const weights = tp.instructions.map((ins, n) => params.create(`${prefix}.w${n}`, ins.pathShape));
  const sl2 = tp.irrepsIn2.slices();
  return {
    plan: tp,
    emit(g, x, attrs) {
      if (!x.irreps.equals(tp.irrepsIn1)) throw new Error(`${prefix}: input 1 must have irreps ${tp.irrepsIn1}, got ${x.irreps}`);
      const batch = attrs.shape[0]!;
      const sums = termSums(g, tp.irrepsOut, batch);
      tp.instructions.forEach((ins, n) => {
        const [mul1, mul2, mulOut] = ins.pathShape as [number, number, number];
        // C(l, 0, l) = δ_ik / √(2l+1): the path is a scaled identity on the components.
        const c = ins.pathWeight * wigner3j(ins.l1, 0, ins.lOut)[0]!;
        const w = g.reshape(g.mul(params.weight(g, weights[n]!), c), [mul1, mul2 * mulOut]);
        const d = 2 * ins.l1 + 1;
        const xw = g.reshape(g.matmul(x.terms[ins.i1]!, w), [batch, d, mul2, mulOut]);
        const a = g.reshape(mul2 === tp.irrepsIn2.dim ? attrs : g.slice(attrs, 1, sl2[ins.i2]!.start, sl2[ins.i2]!.stop), [batch, 1, mul2, 1]);
        sums.add(ins.out, g.reduceSum(g.mul(xw, a), [2]));
      });
      return sums.features(prefix);
    },
  };
}

/**
 * A weightless 'uuu' tensor product of two per-edge (or per-atom) features with equal channel
 * counts, channel by channel (Allegro's product of edge tensors with the environment embedding):
 * out[u, k] = Σ c·C[i, j, k] x1[u, i] x2[u, j]. For each pair of input terms, the outer product
 * [B, d1·d2, mul] is contracted with all of that pair's 3j blocks in one constant matmul.
 * @throws naming `what` when a path is not a weightless 'uuu' or the inputs do not match
 */
export function emitChannelProduct(g: Graph, tp: TensorProduct, x1: Features, x2: Features, what: string): Features {
  if (!x1.irreps.equals(tp.irrepsIn1)) throw new Error(`${what}: input 1 must have irreps ${tp.irrepsIn1}, got ${x1.irreps}`);
  if (!x2.irreps.equals(tp.irrepsIn2)) throw new Error(`${what}: input 2 must have irreps ${tp.irrepsIn2}, got ${x2.irreps}`);
  const batch = x1.terms[0]!.shape[0]!;
  const sums = termSums(g, tp.irrepsOut, batch);
  const pairs = new Map<string, { i1: number; i2: number; list: { ins: TensorProduct['instructions'][number]; n: number }[] }>();
  tp.instructions.forEach((ins, n) => {
    if (ins.mode !== 'uuu' || ins.hasWeight) throw new Error(`${what}: instruction ${n} must be a weightless 'uuu' path`);
    const key = `${ins.i1},${ins.i2}`;
    if (!pairs.has(key)) pairs.set(key, { i1: ins.i1, i2: ins.i2, list: [] });
    pairs.get(key)!.list.push({ ins, n });
  });
  const cache1 = new Map<number, Value>();
  const cache2 = new Map<number, Value>();
  for (const { i1, i2, list } of pairs.values()) {
    const t1 = tp.irrepsIn1.at(i1);
    const d1 = t1.ir.dim;
    const d2 = tp.irrepsIn2.at(i2).ir.dim;
    const mul = t1.mul;
    const rows = list.reduce((s, e) => s + 2 * e.ins.lOut + 1, 0);
    const c = new Float64Array(rows * d1 * d2);
    let r0 = 0;
    for (const { ins } of list) {
      const c3 = wigner3j(ins.l1, ins.l2, ins.lOut);
      const d3 = 2 * ins.lOut + 1;
      for (let i = 0; i < d1; i++) for (let j = 0; j < d2; j++) for (let k = 0; k < d3; k++) c[(r0 + k) * d1 * d2 + i * d2 + j] = ins.pathWeight * c3[(i * d2 + j) * d3 + k]!;
      r0 += d3;
    }
    // Component-major layout: the outer product as [d1·d2, B·mul], so that all 3j blocks of the
    // pair are ONE matmul with a constant on the left ([rows, d1·d2] @ [d1·d2, B·mul]) — a large
    // GEMM rather than B tiny ones, and valid for an empty batch (a structure without edges).
    const a = componentMajor(g, x1.terms[i1]!, cache1, i1);
    const b = componentMajor(g, x2.terms[i2]!, cache2, i2);
    const outer = g.reshape(g.mul(g.reshape(a, [d1, 1, batch, mul]), g.reshape(b, [1, d2, batch, mul])), [d1 * d2, typeof batch === 'number' ? batch * mul : `${batch}*${mul}`]);
    const y = g.transpose(g.reshape(g.matmul(g.constant(c, [rows, d1 * d2]), outer), [rows, batch, mul]), [1, 0, 2]); // [B, rows, mul]

    r0 = 0;
    for (const { ins } of list) {
      const d3 = 2 * ins.lOut + 1;
      sums.add(ins.out, list.length === 1 ? y : g.slice(y, 1, r0, r0 + d3));
      r0 += d3;
    }
  }
  return sums.features(what);
}
