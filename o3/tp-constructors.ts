/**
 * The common tensor-product plans, built the way e3nn and NequIP build them so that weight
 * layouts match: fully connected ('uvw'), channelwise ('uvu', NequIP's convolution) and
 * elementwise ('uuu').
 */
import { Irrep, type IrrepLike } from './irrep.js';
import { Irreps, type IrrepsLike, type MulIrrep } from './irreps.js';
import { TensorProduct, type InstructionSpec, type TensorProductOptions } from './tensor-product.js';

/** Normalization options shared by the constructors (see `TensorProduct`). */
export type TpNormalization = TensorProductOptions['normalization'];

/**
 * e3nn's `FullyConnectedTensorProduct`: every (term of in1, term of in2, term of out) allowed by
 * the selection rules, in that loop order (in1 outermost), mode 'uvw', each with weights.
 * @example fullyConnected('2x0e+1x1o', '0e+1o', '2x0e+1x1o').weightNumel === 9 // 4 + 2 + 1 + 2
 */
export function fullyConnected(irrepsIn1: IrrepsLike, irrepsIn2: IrrepsLike, irrepsOut: IrrepsLike, normalization?: TpNormalization): TensorProduct {
  const in1 = Irreps.parse(irrepsIn1);
  const in2 = Irreps.parse(irrepsIn2);
  const out = Irreps.parse(irrepsOut);
  const instructions: InstructionSpec[] = [];
  in1.terms.forEach((a, i1) =>
    in2.terms.forEach((b, i2) =>
      out.terms.forEach((c, o) => {
        if (a.ir.times(b.ir).some((ir) => ir.equals(c.ir))) instructions.push({ i1, i2, out: o, mode: 'uvw' });
      }),
    ),
  );
  return new TensorProduct({ irrepsIn1: in1, irrepsIn2: in2, irrepsOut: out, instructions, normalization });
}

/** Options of `channelwise`. */
export interface ChannelwiseOptions {
  /** Weights per path (default true; NequIP feeds them per edge from the radial network). */
  readonly hasWeight?: boolean;
  readonly normalization?: TpNormalization;
}

/**
 * NequIP's convolution tensor product ('uvu'): for every term (mul, ir1) of in1, every term ir2
 * of in2 (the edge harmonics) and every ir in ir1 ⊗ ir2 that is in `filterIrrepsOut` (or is 0e),
 * one output term (mul, ir) fed by one weighted path. The output terms are then sorted (stably)
 * and the instructions re-pointed, exactly as NequIP's InteractionBlock does, so the weight
 * layout (instruction order) is NequIP's.
 *
 * @example
 * const tp = channelwise('32x0e+32x1o', Irreps.sphericalHarmonics(2), '0e+1o+2e');
 * tp.irrepsOut.toString(); // '32x0e+32x0e+32x1o+32x1o+32x1o+32x2e+32x2e' (sorted, not simplified)
 */
export function channelwise(irrepsIn1: IrrepsLike, irrepsIn2: IrrepsLike, filterIrrepsOut: IrrepsLike, options: ChannelwiseOptions = {}): TensorProduct {
  const in1 = Irreps.parse(irrepsIn1);
  const in2 = Irreps.parse(irrepsIn2);
  const filter = Irreps.parse(filterIrrepsOut).terms.map((t) => t.ir);
  const mid: MulIrrep[] = [];
  const raw: { i1: number; i2: number; out: number }[] = [];
  in1.terms.forEach((a, i1) =>
    in2.terms.forEach((b, i2) => {
      for (const ir of a.ir.times(b.ir)) {
        if (filter.some((f) => f.equals(ir)) || ir.isScalar()) {
          raw.push({ i1, i2, out: mid.length });
          mid.push({ mul: a.mul, ir });
        }
      }
    }),
  );
  const sorted = new Irreps(mid).sort();
  const hasWeight = options.hasWeight ?? true;
  return new TensorProduct({
    irrepsIn1: in1,
    irrepsIn2: in2,
    irrepsOut: sorted.irreps,
    instructions: raw.map((r) => ({ i1: r.i1, i2: r.i2, out: sorted.p[r.out], mode: 'uvu', hasWeight })),
    normalization: options.normalization,
  });
}

/**
 * e3nn's `ElementwiseTensorProduct` ('uuu', no weights): the i-th copy of input 1 times the
 * i-th copy of input 2 for every output irrep allowed (optionally only those in `filterIrOut`).
 * Both inputs are simplified, then split so that their terms line up copy by copy; they must
 * have the same total multiplicity. The feature layout is unchanged by the split.
 */
export function elementwise(irrepsIn1: IrrepsLike, irrepsIn2: IrrepsLike, options: { readonly filterIrOut?: readonly IrrepLike[]; readonly normalization?: TpNormalization } = {}): TensorProduct {
  const in1 = Irreps.parse(irrepsIn1).simplify();
  const in2 = Irreps.parse(irrepsIn2).simplify();
  const [na, nb] = [in1.numIrreps, in2.numIrreps];
  if (na !== nb) throw new Error(`elementwise: inputs must have the same number of irreps (${irrepsIn1} has ${na}, ${irrepsIn2} has ${nb})`);
  // Split the longer term of each pair so both advance by the same multiplicity.
  const a = in1.terms.map((t) => ({ ...t }));
  const b = in2.terms.map((t) => ({ ...t }));
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x.mul < y.mul) {
      b.splice(i + 1, 0, { mul: y.mul - x.mul, ir: y.ir });
      y.mul = x.mul;
    } else if (y.mul < x.mul) {
      a.splice(i + 1, 0, { mul: x.mul - y.mul, ir: x.ir });
      x.mul = y.mul;
    }
  }
  const filter = options.filterIrOut?.map((x) => Irrep.parse(x));
  const out: MulIrrep[] = [];
  const instructions: InstructionSpec[] = [];
  a.forEach((x, i) => {
    for (const ir of x.ir.times(b[i].ir)) {
      if (filter && !filter.some((f) => f.equals(ir))) continue;
      instructions.push({ i1: i, i2: i, out: out.length, mode: 'uuu', hasWeight: false });
      out.push({ mul: x.mul, ir });
    }
  });
  return new TensorProduct({ irrepsIn1: new Irreps(a), irrepsIn2: new Irreps(b), irrepsOut: new Irreps(out), instructions, normalization: options.normalization });
}
