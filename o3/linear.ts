/**
 * Equivariant linear maps between irreps (e3nn 0.5's `o3.Linear`): each output term is a
 * weighted sum of the input terms carrying the same irrep, mixing multiplicities only:
 *   out[w, :] = Σ over instructions (i_in → i_out) pathWeight · Σ_u W[u, w] x[u, :]  (+ bias for 0e)
 * with pathWeight = 1/√(fan-in): fan-in = Σ mul_in over all instructions into that output
 * ('element', e3nn's default) or mul_in · their count ('path').
 * Weights are laid out instruction by instruction, each [mulIn, mulOut] row-major; the default
 * instructions connect every (i_in, i_out) pair with equal irreps, i_in outermost, as e3nn does.
 */
import { Irreps, type IrrepsLike, type Slice } from './irreps.js';

/** One path of a `Linear`. */
export interface LinearInstruction {
  readonly iIn: number;
  readonly iOut: number;
  /** [mulIn, mulOut]. */
  readonly pathShape: readonly [number, number];
  readonly pathWeight: number;
  readonly weightOffset: number;
  readonly weightNumel: number;
  /** Components of the input and output terms (within one sample). */
  readonly inSlice: Slice;
  readonly outSlice: Slice;
}

/** A bias on one scalar output term. */
export interface LinearBias {
  readonly iOut: number;
  /** Offset in the flat bias vector. */
  readonly offset: number;
  /** = the output term's multiplicity. */
  readonly numel: number;
}

/** Options of `Linear`. */
export interface LinearOptions {
  readonly irrepsIn: IrrepsLike;
  readonly irrepsOut: IrrepsLike;
  /** Explicit (iIn, iOut) paths; default all pairs with equal irreps. */
  readonly instructions?: readonly { readonly iIn: number; readonly iOut: number }[];
  /** Biases on the 0e output terms: true for all of them, or one flag per output term (default none). */
  readonly biases?: boolean | readonly boolean[];
  readonly pathNormalization?: 'element' | 'path';
}

/**
 * An equivariant linear map irrepsIn → irrepsOut (plan and float64 evaluation): weights mix the
 * multiplicities of equal irreps, optional biases sit on 0e outputs.
 * @example
 * const lin = new Linear({ irrepsIn: '4x0e+2x1o', irrepsOut: '3x0e+1x1o' });
 * lin.weightNumel === 4 * 3 + 2 * 1;
 * const y = lin.apply(x, weights); // [batch, 6]
 */
export class Linear {
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  readonly instructions: readonly LinearInstruction[];
  readonly biases: readonly LinearBias[];
  readonly weightNumel: number;
  readonly biasNumel: number;

  /** @throws naming a path whose irreps differ or whose index is out of range */
  constructor(options: LinearOptions) {
    const irIn = Irreps.parse(options.irrepsIn);
    const irOut = Irreps.parse(options.irrepsOut);
    const pathNorm = options.pathNormalization ?? 'element';
    if (pathNorm !== 'element' && pathNorm !== 'path') throw new Error(`Linear: unknown path normalization ${JSON.stringify(pathNorm)}`);
    const pairs =
      options.instructions ??
      irIn.terms.flatMap((a, iIn) => irOut.terms.flatMap((b, iOut) => (a.ir.equals(b.ir) ? [{ iIn, iOut }] : [])));
    for (const { iIn, iOut } of pairs) {
      if (!(iIn >= 0 && iIn < irIn.length)) throw new Error(`Linear: path (${iIn}, ${iOut}): input index out of range for ${irIn}`);
      if (!(iOut >= 0 && iOut < irOut.length)) throw new Error(`Linear: path (${iIn}, ${iOut}): output index out of range for ${irOut}`);
      if (!irIn.at(iIn).ir.equals(irOut.at(iOut).ir)) throw new Error(`Linear: path (${iIn}, ${iOut}) connects ${irIn.at(iIn).ir} to ${irOut.at(iOut).ir}; irreps must be equal`);
    }
    const sIn = irIn.slices();
    const sOut = irOut.slices();
    let offset = 0;
    this.instructions = Object.freeze(
      pairs.map(({ iIn, iOut }) => {
        const into = pairs.filter((q) => q.iOut === iOut);
        let x = pathNorm === 'element' ? into.reduce((s, q) => s + irIn.at(q.iIn).mul, 0) : irIn.at(iIn).mul * into.length;
        if (x === 0) x = 1;
        const pathShape: [number, number] = [irIn.at(iIn).mul, irOut.at(iOut).mul];
        const numel = pathShape[0] * pathShape[1];
        const ins = Object.freeze({ iIn, iOut, pathShape, pathWeight: 1 / Math.sqrt(x), weightOffset: offset, weightNumel: numel, inSlice: sIn[iIn], outSlice: sOut[iOut] });
        offset += numel;
        return ins;
      }),
    );
    this.weightNumel = offset;
    const flags = typeof options.biases === 'boolean' || options.biases === undefined ? irOut.terms.map((t) => (options.biases ?? false) && t.ir.isScalar()) : options.biases;
    if (flags.length !== irOut.length) throw new Error(`Linear: biases has ${flags.length} flags, expected one per output term (${irOut.length})`);
    let bOffset = 0;
    const biases: LinearBias[] = [];
    flags.forEach((f, iOut) => {
      if (!f) return;
      if (!irOut.at(iOut).ir.isScalar()) throw new Error(`Linear: a bias on output term ${iOut} (${irOut.at(iOut).ir}) would break equivariance; only 0e may have one`);
      biases.push(Object.freeze({ iOut, offset: bOffset, numel: irOut.at(iOut).mul }));
      bOffset += irOut.at(iOut).mul;
    });
    this.biases = Object.freeze(biases);
    this.biasNumel = bOffset;
    this.irrepsIn = irIn;
    this.irrepsOut = irOut;
    Object.freeze(this);
  }

  /**
   * @param x Float64Array [batch, irrepsIn.dim]
   * @param weights Float64Array [weightNumel] shared, or [batch, weightNumel] per sample
   * @param biases Float64Array [biasNumel] (required when biasNumel > 0)
   * @returns Float64Array [batch, irrepsOut.dim]
   */
  apply(x: Float64Array, weights: Float64Array, biases: Float64Array = new Float64Array(0)): Float64Array {
    const dimIn = this.irrepsIn.dim;
    const dimOut = this.irrepsOut.dim;
    const batch = dimIn === 0 ? 0 : x.length / dimIn;
    if (!Number.isInteger(batch)) throw new Error(`Linear.apply: x has length ${x.length}, not a multiple of ${dimIn}`);
    const wn = this.weightNumel;
    const wStride = weights.length === wn ? 0 : weights.length === batch * wn ? wn : -1;
    if (wStride < 0) throw new Error(`Linear.apply: weights has length ${weights.length}; expected ${wn} or ${batch}*${wn}`);
    if (biases.length !== this.biasNumel) throw new Error(`Linear.apply: biases has length ${biases.length}; expected ${this.biasNumel}`);
    const sOut = this.irrepsOut.slices();
    const out = new Float64Array(batch * dimOut);
    for (let z = 0; z < batch; z++) {
      for (const ins of this.instructions) {
        const [mulIn, mulOut] = ins.pathShape;
        const d = this.irrepsIn.at(ins.iIn).ir.dim;
        const pIn = z * dimIn + ins.inSlice.start;
        const pOut = z * dimOut + ins.outSlice.start;
        const w0 = z * wStride + ins.weightOffset;
        for (let u = 0; u < mulIn; u++) {
          for (let w = 0; w < mulOut; w++) {
            const c = ins.pathWeight * weights[w0 + u * mulOut + w];
            for (let i = 0; i < d; i++) out[pOut + w * d + i] += c * x[pIn + u * d + i];
          }
        }
      }
      for (const b of this.biases) {
        const pOut = z * dimOut + sOut[b.iOut].start;
        for (let w = 0; w < b.numel; w++) out[pOut + w] += biases[b.offset + w];
      }
    }
    return out;
  }
}
