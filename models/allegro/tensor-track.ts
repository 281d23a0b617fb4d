/**
 * Which irreps Allegro's edge tensors carry through the layers, and the tensor-product plan of
 * each layer — allegro 0.3's bookkeeping (`Allegro_Module.__init__`), as data:
 *
 * 1. Allowed irreps: every (l, p) with l ≤ lmax and both parities (`parity`, allegro's o3_full),
 *    or only those of the harmonics (o3_restricted).
 * 2. Forward: layer k outputs the allowed irreps some path of (its input ⊗ harmonics) reaches; the
 *    last layer outputs 0e only (its tensors only feed the final latent through their scalars).
 * 3. Backward: an input irrep of a layer is kept only if it has a path to a kept output, so no
 *    layer computes a tensor nobody reads.
 *
 * Paths are listed in allegro's order (for each output irrep, each input-1 irrep, each
 * harmonic), which fixes the order of the 'p' mode's path weights and of the 'uuulin' outputs.
 */
import { Irrep, Irreps, TensorProduct, type InstructionSpec } from '../../o3/index.js';

const SCALAR = new Irrep(0, 1);

/** Irreps (multiplicity 1 each) of the edge tensors entering and leaving each layer. */
export interface TensorTrack {
  /** The harmonics 0e+1o+2e+… (multiplicity 1 each): the environment's irreps and V⁰'s. */
  readonly env: Irreps;
  /** Per layer, the irreps of its input tensors (layer 0: the harmonics). */
  readonly inputs: readonly Irreps[];
  /** Per layer, the irreps its output tensors keep (the last: 0e). */
  readonly outputs: readonly Irreps[];
}

function pathExists(a: Irreps, b: Irreps, ir: Irrep): boolean {
  return a.terms.some((t1) => b.terms.some((t2) => t1.ir.times(t2.ir).some((x) => x.equals(ir))));
}

const mul1 = (irs: readonly Irrep[]) => new Irreps(irs.map((ir) => ({ mul: 1, ir })));

/**
 * The irreps of every layer.
 * @example allegroTensorTrack(2, true, 2).outputs.map(String) // ['1x0e+1x1o+1x2e', '1x0e']
 */
export function allegroTensorTrack(lmax: number, parity: boolean, numLayers: number): TensorTrack {
  const env = Irreps.sphericalHarmonics(lmax);
  const allowed: Irrep[] = [];
  for (let l = 0; l <= lmax; l++) for (const p of [1, -1] as const) if (parity || p === (-1) ** l) allowed.push(new Irrep(l, p));
  const track: Irreps[] = [env];
  let arg = env;
  for (let k = 0; k < numLayers; k++) {
    const wanted = k === numLayers - 1 ? [SCALAR] : allowed;
    arg = mul1(wanted.filter((ir) => pathExists(arg, env, ir)));
    track.push(arg);
  }
  // Backward pruning: keep an input irrep only if it reaches something the next layer keeps.
  for (let k = numLayers - 1; k >= 0; k--) {
    const out = track[k + 1]!;
    track[k] = mul1(track[k]!.terms.map((t) => t.ir).filter((ir) => env.terms.some((e) => ir.times(e.ir).some((x) => out.terms.some((o) => o.ir.equals(x))))));
  }
  if (!track[0]!.equals(env)) throw new Error(`allegro: the harmonics ${env} are not all used by the first layer (kept ${track[0]})`);
  if (!track[numLayers]!.equals(mul1([SCALAR]))) throw new Error('allegro: the last layer reaches no scalar');
  return { env, inputs: track.slice(0, numLayers), outputs: track.slice(1) };
}

/** One layer's tensor product and what its outputs are. */
export interface AllegroProduct {
  /** Channel-wise ('uuu', weightless) product (mul x input) ⊗ (mul x harmonics) with e3nn's path normalization. */
  readonly tp: TensorProduct;
  /** 'p': the TP output irreps are the layer's output irreps, paths summed (one weight each); 'uuulin': one output term per path. */
  readonly mode: 'p' | 'uuulin';
  /** Output terms that are scalars, at the front of `tp.irrepsOut` (uuulin: the scalar paths; p: 1). */
  readonly numScalarTerms: number;
}

/**
 * The tensor product of a layer: input irreps `arg`, harmonics `env`, kept outputs `out`, each
 * with `mul` channels.
 * @throws when the first output is not the scalar (allegro extracts scalars from the front)
 */
export function allegroProduct(arg: Irreps, env: Irreps, out: Irreps, mul: number, mode: 'p' | 'uuulin'): AllegroProduct {
  const instructions: InstructionSpec[] = [];
  const outTerms: Irrep[] = [];
  let numScalarTerms = 0;
  out.terms.forEach(({ ir: irOut }, iOut) => {
    arg.terms.forEach(({ ir: ir1 }, i1) => {
      env.terms.forEach(({ ir: ir2 }, i2) => {
        if (!ir1.times(ir2).some((x) => x.equals(irOut))) return;
        if (mode === 'p') {
          instructions.push({ i1, i2, out: iOut, mode: 'uuu', hasWeight: false });
          if (irOut.equals(SCALAR)) numScalarTerms = 1;
        } else {
          instructions.push({ i1, i2, out: outTerms.length, mode: 'uuu', hasWeight: false });
          outTerms.push(irOut);
          if (irOut.equals(SCALAR)) numScalarTerms++;
        }
      });
    });
  });
  if (!out.at(0).ir.equals(SCALAR)) throw new Error(`allegro: a layer's first output irrep must be 0e, got ${out}`);
  const withMul = (irs: readonly Irrep[]) => new Irreps(irs.map((ir) => ({ mul, ir })));
  const tp = new TensorProduct({
    irrepsIn1: withMul(arg.terms.map((t) => t.ir)),
    irrepsIn2: withMul(env.terms.map((t) => t.ir)),
    irrepsOut: withMul(mode === 'p' ? out.terms.map((t) => t.ir) : outTerms),
    instructions,
  });
  return { tp, mode, numScalarTerms };
}
