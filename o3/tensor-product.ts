/**
 * Tensor products of irreps as plans (e3nn 0.5's `TensorProduct`): a list of instructions, each
 * coupling term i1 of input 1 and term i2 of input 2 into term `out` of the output through the
 * real Wigner 3j symbol, with a connection mode saying how multiplicities are wired and
 * weighted. The plan is data: the weight layout, slices and 3j tensors are exposed so that the
 * model builders can emit the same computation as graph ops; `apply` evaluates it in float64.
 *
 * Per instruction, with C = wigner3j(l1, l2, l_out), coefficient c (below), x1[u, i], x2[v, j]:
 *   uvw: out[w, k] += c Σ_uv W[u, v, w] Σ_ij C[i, j, k] x1[u, i] x2[v, j]   (fully connected)
 *   uvu: out[u, k] += c Σ_v  W[u, v]    Σ_ij C x1[u, i] x2[v, j]          (NequIP convolution)
 *   uvv: out[v, k] += c Σ_u  W[u, v]    Σ_ij C x1[u, i] x2[v, j]
 *   uuw: out[w, k] += c Σ_u  W[u, w]    Σ_ij C x1[u, i] x2[u, j]
 *   uuu: out[u, k] += c      W[u]       Σ_ij C x1[u, i] x2[u, j]          (elementwise)
 * Without a weight, W ≡ 1.
 *
 * Normalization (e3nn's, so trained weights carry over): c = √α with
 *   α = (component: 2l_out+1 | norm: (2l1+1)(2l2+1) | none: 1)
 *       / (element: Σ over instructions into the same output of in1Var·in2Var·fanIn
 *          | path: in1Var·in2Var·fanIn · (number of instructions into that output) | none: 1)
 *       · outVar · pathWeight,
 * fanIn = mul1·mul2 (uvw), mul2 (uvu), mul1 (uvv, uuw), 1 (uuu).
 */
import { Irreps, type IrrepsLike, type Slice } from './irreps.js';
import { tpKernel, type KernelInstruction, type TpKernel } from './tp-kernel.js';
import { wigner3jNonzero, wigner3j } from './wigner-3j.js';

/** How the multiplicities of an instruction are connected (e3nn's names). */
export type ConnectionMode = 'uvw' | 'uvu' | 'uvv' | 'uuw' | 'uuu';

/** Assumed normalization of the irreps features; `component` is e3nn's default. */
export type IrrepNormalization = 'component' | 'norm' | 'none';

/** How paths into one output share its variance; `element` is e3nn's default. */
export type PathNormalization = 'element' | 'path' | 'none';

/** An instruction as the user writes it. */
export interface InstructionSpec {
  /** Index of the term of input 1. */
  readonly i1: number;
  /** Index of the term of input 2. */
  readonly i2: number;
  /** Index of the term of the output. */
  readonly out: number;
  readonly mode: ConnectionMode;
  /** Whether the path has learnable weights (default true). */
  readonly hasWeight?: boolean;
  /** Extra multiplicative factor on this path before the square root (default 1). */
  readonly pathWeight?: number;
}

/** A resolved instruction: everything a kernel or a graph emitter needs. */
export interface TpInstruction {
  readonly i1: number;
  readonly i2: number;
  readonly out: number;
  readonly mode: ConnectionMode;
  readonly hasWeight: boolean;
  /** Final coefficient c = √α multiplying the path (e3nn's `path_weight` after construction). */
  readonly pathWeight: number;
  /** Shape of this path's weights: uvw [mul1, mul2, mulOut]; uvu, uvv [mul1, mul2]; uuw [mul1, mulOut]; uuu [mul1]. */
  readonly pathShape: readonly number[];
  /** Offset of this path's weights in the flat weight vector (−1 without weight). */
  readonly weightOffset: number;
  /** Number of weights (product of `pathShape`, 0 without weight). */
  readonly weightNumel: number;
  readonly l1: number;
  readonly l2: number;
  readonly lOut: number;
  /** Components of this path's term in input 1, input 2 and the output (within one sample). */
  readonly in1Slice: Slice;
  readonly in2Slice: Slice;
  readonly outSlice: Slice;
}

/** Options of `TensorProduct`. */
export interface TensorProductOptions {
  readonly irrepsIn1: IrrepsLike;
  readonly irrepsIn2: IrrepsLike;
  readonly irrepsOut: IrrepsLike;
  readonly instructions: readonly InstructionSpec[];
  readonly normalization?: {
    readonly irrep?: IrrepNormalization;
    readonly path?: PathNormalization;
    /** Variance of each term of input 1 (default 1 each). */
    readonly in1Var?: readonly number[];
    readonly in2Var?: readonly number[];
    readonly outVar?: readonly number[];
  };
}

function fanIn(mode: ConnectionMode, mul1: number, mul2: number): number {
  switch (mode) {
    case 'uvw':
      return mul1 * mul2;
    case 'uvu':
      return mul2;
    case 'uvv':
    case 'uuw':
      return mul1;
    case 'uuu':
      return 1;
  }
}

/**
 * An equivariant bilinear map irrepsIn1 × irrepsIn2 → irrepsOut given by instructions.
 *
 * @example
 * const tp = new TensorProduct({
 *   irrepsIn1: '8x0e+8x1o', irrepsIn2: '0e+1o', irrepsOut: '8x0e+8x1o',
 *   instructions: [
 *     { i1: 0, i2: 0, out: 0, mode: 'uvu' }, { i1: 1, i2: 1, out: 0, mode: 'uvu' },
 *     { i1: 0, i2: 1, out: 1, mode: 'uvu' }, { i1: 1, i2: 0, out: 1, mode: 'uvu' },
 *   ],
 * });
 * tp.weightNumel === 32;
 * const y = tp.apply(x1, x2, weights); // [batch, 32]
 */
export class TensorProduct {
  readonly irrepsIn1: Irreps;
  readonly irrepsIn2: Irreps;
  readonly irrepsOut: Irreps;
  readonly instructions: readonly TpInstruction[];
  /** Length of the flat weight vector (per sample, for per-sample weights). */
  readonly weightNumel: number;
  readonly irrepNormalization: IrrepNormalization;
  readonly pathNormalization: PathNormalization;
  private kernel: TpKernel | undefined;
  private readonly kernelInstructions: readonly KernelInstruction[];

  /** @throws naming the instruction that breaks an index, parity, triangle or multiplicity rule */
  constructor(options: TensorProductOptions) {
    const in1 = Irreps.parse(options.irrepsIn1);
    const in2 = Irreps.parse(options.irrepsIn2);
    const out = Irreps.parse(options.irrepsOut);
    const irrepNorm = options.normalization?.irrep ?? 'component';
    const pathNorm = options.normalization?.path ?? 'element';
    if (!['component', 'norm', 'none'].includes(irrepNorm)) throw new Error(`TensorProduct: unknown irrep normalization ${JSON.stringify(irrepNorm)}`);
    if (!['element', 'path', 'none'].includes(pathNorm)) throw new Error(`TensorProduct: unknown path normalization ${JSON.stringify(pathNorm)}`);
    const vars = (v: readonly number[] | undefined, n: number, name: string): readonly number[] => {
      if (v === undefined) return new Array<number>(n).fill(1);
      if (v.length !== n) throw new Error(`TensorProduct: ${name} has ${v.length} entries, expected one per term (${n})`);
      return v;
    };
    const in1Var = vars(options.normalization?.in1Var, in1.length, 'in1Var');
    const in2Var = vars(options.normalization?.in2Var, in2.length, 'in2Var');
    const outVar = vars(options.normalization?.outVar, out.length, 'outVar');

    const specs = options.instructions;
    specs.forEach((s, n) => {
      const where = `TensorProduct instruction ${n} (${s.i1}, ${s.i2}, ${s.out}, ${s.mode})`;
      if (!(s.i1 >= 0 && s.i1 < in1.length)) throw new Error(`${where}: input 1 index out of range for ${in1}`);
      if (!(s.i2 >= 0 && s.i2 < in2.length)) throw new Error(`${where}: input 2 index out of range for ${in2}`);
      if (!(s.out >= 0 && s.out < out.length)) throw new Error(`${where}: output index out of range for ${out}`);
      const a = in1.at(s.i1);
      const b = in2.at(s.i2);
      const c = out.at(s.out);
      if (a.ir.p * b.ir.p !== c.ir.p) throw new Error(`${where}: parity ${a.ir} ⊗ ${b.ir} cannot give ${c.ir}`);
      if (c.ir.l < Math.abs(a.ir.l - b.ir.l) || c.ir.l > a.ir.l + b.ir.l) throw new Error(`${where}: ${a.ir} ⊗ ${b.ir} cannot give ${c.ir} (triangle rule)`);
      const need = (ok: boolean, what: string): void => {
        if (!ok) throw new Error(`${where}: mode ${s.mode} needs ${what} (got ${a.mul}x${a.ir}, ${b.mul}x${b.ir} -> ${c.mul}x${c.ir})`);
      };
      switch (s.mode) {
        case 'uvw':
          break;
        case 'uvu':
          need(c.mul === a.mul, 'output mul = input 1 mul');
          break;
        case 'uvv':
          need(c.mul === b.mul, 'output mul = input 2 mul');
          break;
        case 'uuw':
          need(a.mul === b.mul, 'input 1 mul = input 2 mul');
          break;
        case 'uuu':
          need(a.mul === b.mul && b.mul === c.mul, 'equal multiplicities');
          break;
        default:
          throw new Error(`${where}: unknown connection mode; use uvw, uvu, uvv, uuw or uuu`);
      }
    });

    const numEl = (s: InstructionSpec): number => fanIn(s.mode, in1.at(s.i1).mul, in2.at(s.i2).mul);
    const sl1 = in1.slices();
    const sl2 = in2.slices();
    const slo = out.slices();
    let offset = 0;
    const instructions: TpInstruction[] = specs.map((s) => {
      const a = in1.at(s.i1);
      const b = in2.at(s.i2);
      const c = out.at(s.out);
      let alpha = irrepNorm === 'component' ? c.ir.dim : irrepNorm === 'norm' ? a.ir.dim * b.ir.dim : 1;
      let x = 1;
      if (pathNorm === 'element') {
        x = 0;
        for (const t of specs) if (t.out === s.out) x += in1Var[t.i1] * in2Var[t.i2] * numEl(t);
      } else if (pathNorm === 'path') {
        x = in1Var[s.i1] * in2Var[s.i2] * numEl(s) * specs.filter((t) => t.out === s.out).length;
      }
      if (x > 0) alpha /= x;
      alpha *= outVar[s.out] * (s.pathWeight ?? 1);
      const pathShape = {
        uvw: [a.mul, b.mul, c.mul],
        uvu: [a.mul, b.mul],
        uvv: [a.mul, b.mul],
        uuw: [a.mul, c.mul],
        uuu: [a.mul],
      }[s.mode];
      const hasWeight = s.hasWeight ?? true;
      const numel = hasWeight ? pathShape.reduce((p, q) => p * q, 1) : 0;
      const ins: TpInstruction = Object.freeze({
        i1: s.i1,
        i2: s.i2,
        out: s.out,
        mode: s.mode,
        hasWeight,
        pathWeight: Math.sqrt(alpha),
        pathShape: Object.freeze(pathShape),
        weightOffset: hasWeight ? offset : -1,
        weightNumel: numel,
        l1: a.ir.l,
        l2: b.ir.l,
        lOut: c.ir.l,
        in1Slice: sl1[s.i1],
        in2Slice: sl2[s.i2],
        outSlice: slo[s.out],
      });
      offset += numel;
      return ins;
    });

    this.irrepsIn1 = in1;
    this.irrepsIn2 = in2;
    this.irrepsOut = out;
    this.instructions = Object.freeze(instructions);
    this.weightNumel = offset;
    this.irrepNormalization = irrepNorm;
    this.pathNormalization = pathNorm;
    this.kernelInstructions = instructions.map((ins) => ({
      mode: ins.mode,
      hasWeight: ins.hasWeight,
      weightOffset: ins.weightOffset,
      s1: ins.in1Slice.start,
      s2: ins.in2Slice.start,
      so: ins.outSlice.start,
      d1: 2 * ins.l1 + 1,
      d2: 2 * ins.l2 + 1,
      d3: 2 * ins.lOut + 1,
      mul1: in1.at(ins.i1).mul,
      mul2: in2.at(ins.i2).mul,
      mulOut: out.at(ins.out).mul,
      entries: wigner3jNonzero(ins.l1, ins.l2, ins.lOut).map((e) => ({ ...e, value: e.value * ins.pathWeight })),
    }));
  }

  /** Component ranges of the terms of input 1, input 2 and the output. */
  slices(): { in1: Slice[]; in2: Slice[]; out: Slice[] } {
    return { in1: this.irrepsIn1.slices(), in2: this.irrepsIn2.slices(), out: this.irrepsOut.slices() };
  }

  /** The dense 3j tensor of instruction n, [2l1+1, 2l2+1, 2lOut+1] (not yet scaled by `pathWeight`). */
  wigner3j(n: number): Float64Array {
    const ins = this.instructions[n];
    if (!ins) throw new Error(`TensorProduct.wigner3j: no instruction ${n} (have ${this.instructions.length})`);
    return wigner3j(ins.l1, ins.l2, ins.lOut);
  }

  /**
   * The view of instruction n's weights inside a flat weight vector, shaped `pathShape` row-major.
   * @throws when the instruction has no weights
   */
  weightView(weights: Float64Array, n: number): Float64Array {
    const ins = this.instructions[n];
    if (!ins || !ins.hasWeight) throw new Error(`TensorProduct.weightView: instruction ${n} has no weights`);
    return weights.subarray(ins.weightOffset, ins.weightOffset + ins.weightNumel);
  }

  /**
   * Evaluates the product for a batch.
   * @param x1 Float64Array [batch, irrepsIn1.dim]
   * @param x2 Float64Array [batch, irrepsIn2.dim]
   * @param weights Float64Array [weightNumel] shared by the batch, or [batch, weightNumel] per
   *   sample (e.g. per edge from a radial network); may be omitted when weightNumel is 0
   * @returns Float64Array [batch, irrepsOut.dim]
   */
  apply(x1: Float64Array, x2: Float64Array, weights: Float64Array = new Float64Array(0)): Float64Array {
    const dim1 = this.irrepsIn1.dim;
    const dim2 = this.irrepsIn2.dim;
    const dimOut = this.irrepsOut.dim;
    if (dim1 === 0 || dim2 === 0 || x1.length % dim1 !== 0 || x2.length % dim2 !== 0) {
      throw new Error(`TensorProduct.apply: x1 (${x1.length}) and x2 (${x2.length}) must be [batch, ${dim1}] and [batch, ${dim2}]`);
    }
    const batch = x1.length / dim1;
    if (x2.length / dim2 !== batch) throw new Error(`TensorProduct.apply: x1 has batch ${batch} but x2 has ${x2.length / dim2}`);
    const wn = this.weightNumel;
    let wStride: number;
    if (weights.length === wn) wStride = 0;
    else if (weights.length === batch * wn) wStride = wn;
    else throw new Error(`TensorProduct.apply: weights has length ${weights.length}; expected ${wn} (shared) or ${batch}*${wn} (per sample)`);

    const out = new Float64Array(batch * dimOut);
    // prepared on first use: plans built only to read their layout never pay for it
    this.kernel ??= tpKernel(this.kernelInstructions, dim1, dim2, dimOut);
    this.kernel(x1, x2, weights, out, batch, wStride);
    return out;
  }
}
