/**
 * The float64 evaluation of a tensor-product plan (o3's `TensorProduct.apply`, the reference the
 * graph emitters are tested against): plain loops over the plan's nonzero 3j entries. Inputs are
 * first contracted with input 2 (M[i,k] = Σ_j C[i,j,k] x2[j]), reused by every channel u of
 * input 1. The kernel only reads and writes the typed arrays it is given (no allocation per call).
 */

/** What the compiler needs to know about one instruction. */
export interface KernelInstruction {
  readonly mode: 'uvw' | 'uvu' | 'uvv' | 'uuw' | 'uuu';
  readonly hasWeight: boolean;
  readonly weightOffset: number;
  /** Start of the term in input 1, input 2 and the output (components within one sample). */
  readonly s1: number;
  readonly s2: number;
  readonly so: number;
  readonly d1: number;
  readonly d2: number;
  readonly d3: number;
  readonly mul1: number;
  readonly mul2: number;
  readonly mulOut: number;
  /** Nonzero 3j entries, already multiplied by the path coefficient. */
  readonly entries: readonly { readonly i: number; readonly j: number; readonly k: number; readonly value: number }[];
}

/** out[batch, dimOut] += TP(x1[batch, dim1], x2[batch, dim2]; weights with stride wStride per sample). */
export type TpKernel = (x1: Float64Array, x2: Float64Array, weights: Float64Array, out: Float64Array, batch: number, wStride: number) => void;

/** One instruction with its 3j entries laid out for the loops (see {@link tpKernel}). */
interface Prepared {
  readonly ins: KernelInstruction;
  /** Flat i·d3 + k of each entry (where it adds into M), its j, and its value. */
  readonly at: Int32Array;
  /** 1 where the entry is the first of its (i, k). */
  readonly first: Uint8Array;
  readonly j: Int32Array;
  readonly value: Float64Array;
  /** The output components k with a nonzero term, and for each the components i of input 1 that reach it. */
  readonly ks: Int32Array;
  readonly iStart: Int32Array;
  readonly is: Int32Array;
  /** M[i·d3 + k] = Σ_j C[i,j,k] x2[j] of the current input-2 channel. */
  readonly m: Float64Array;
  /** s_k = Σ_i x1[i] M[i,k] of the current input-1 channel. */
  readonly s: Float64Array;
}

function prepare(ins: KernelInstruction): Prepared {
  const { d1, d3 } = ins;
  const present = new Set(ins.entries.map((e) => e.i * d3 + e.k));
  const ks: number[] = [];
  const iStart: number[] = [0];
  const is: number[] = [];
  for (let k = 0; k < d3; k++) {
    const reaching = Array.from({ length: d1 }, (_, i) => i).filter((i) => present.has(i * d3 + k));
    if (reaching.length === 0) continue;
    ks.push(k);
    is.push(...reaching);
    iStart.push(is.length);
  }
  return {
    ins,
    at: Int32Array.from(ins.entries, (e) => e.i * d3 + e.k),
    first: Uint8Array.from(ins.entries, (e, n) => (ins.entries.findIndex((f) => f.i * d3 + f.k === e.i * d3 + e.k) === n ? 1 : 0)),
    j: Int32Array.from(ins.entries, (e) => e.j),
    value: Float64Array.from(ins.entries, (e) => e.value),
    ks: Int32Array.from(ks),
    iStart: Int32Array.from(iStart),
    is: Int32Array.from(is),
    m: new Float64Array(d1 * d3),
    s: new Float64Array(d3),
  };
}

/**
 * The kernel of a plan with the given per-sample dimensions: per sample and instruction, for each
 * channel of input 2 the 3j symbols are contracted with it once (M[i,k] = Σ_j C[i,j,k] x2[j]) and
 * reused by every channel u of input 1; only the nonzero 3j entries and the (i, k) pairs they
 * reach are visited. Plain loops over flat typed arrays, with scratch made once per kernel.
 * @example const k = tpKernel(ins, 12, 4, 20); k(x1, x2, w, out, batch, 0);
 */
export function tpKernel(instructions: readonly KernelInstruction[], dim1: number, dim2: number, dimOut: number): TpKernel {
  const prepared = instructions.filter((ins) => ins.entries.length > 0).map(prepare);
  return (x1, x2, weights, out, batch, wStride) => {
    for (let z = 0; z < batch; z++) {
      const b1 = z * dim1, b2 = z * dim2, bo = z * dimOut, bw = z * wStride;
      for (const p of prepared) {
        const { ins, at, first, j: js, value, ks, iStart, is, m, s } = p;
        const { mode, d1, d2, d3, mul1, mul2, mulOut } = ins;
        const wb = bw + ins.weightOffset;
        const sharedU = mode === 'uuw' || mode === 'uuu';
        // Channel t of input 2: v, or u itself for the modes that share it with input 1.
        for (let t = 0; t < (sharedU ? mul1 : mul2); t++) {
          const p2 = b2 + ins.s2 + t * d2;
          // M summed from each key's first entry (not from 0), so that a −0 stays −0.
          for (let e = 0; e < at.length; e++) {
            const term = value[e]! * x2[p2 + js[e]!]!;
            const a = at[e]!;
            m[a] = first[e] ? term : m[a]! + term;
          }
          for (let u = sharedU ? t : 0; u < (sharedU ? t + 1 : mul1); u++) {
            const p1 = b1 + ins.s1 + u * d1;
            for (let q = 0; q < ks.length; q++) {
              const k = ks[q]!;
              let sum = x1[p1 + is[iStart[q]!]!]! * m[is[iStart[q]!]! * d3 + k]!;
              for (let r = iStart[q]! + 1; r < iStart[q + 1]!; r++) sum += x1[p1 + is[r]!]! * m[is[r]! * d3 + k]!;
              s[k] = sum;
            }
            if (mode === 'uvw' || mode === 'uuw') {
              const wRow = mode === 'uvw' ? (u * mul2 + t) * mulOut : u * mulOut;
              for (let w = 0; w < mulOut; w++) {
                const c = ins.hasWeight ? weights[wb + wRow + w]! : 1;
                const po = bo + ins.so + w * d3;
                for (let q = 0; q < ks.length; q++) out[po + ks[q]!] += c * s[ks[q]!]!;
              }
            } else {
              const c = ins.hasWeight ? weights[wb + (mode === 'uuu' ? u : u * mul2 + t)]! : 1;
              const po = bo + ins.so + (mode === 'uvv' ? t : u) * d3;
              for (let q = 0; q < ks.length; q++) out[po + ks[q]!] += c * s[ks[q]!]!;
            }
          }
        }
      }
    }
  };
}
