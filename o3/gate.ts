/**
 * Gate nonlinearity plans (e3nn 0.5's `nn.Gate`): scalars pass through activations; every
 * higher-l feature is multiplied by its own activated gate scalar, which keeps equivariance.
 *
 *   input  = scalars ⊕ gates ⊕ gated, laid out as e3nn does: the three parts concatenated,
 *            sorted by irrep (stably) and simplified — so the parts interleave (e.g. 0o scalars
 *            first, then the 0e scalars, then the 0e gates);
 *   output = c_i·act_i(scalars) ⊕ (c_j·act_j(gates) ⊙ gated), in that order.
 *
 * `inputPlan` says where each term of each part sits in the input, `outputPlan` where it goes,
 * so a builder can emit slices, activations and products directly.
 */
import { Irrep } from './irrep.js';
import { Irreps, type IrrepsLike, type MulIrrep, type Slice } from './irreps.js';
import { normalize2mom, type Activation } from './activation.js';
import { elementwise } from './tp-constructors.js';

/**
 * One activated term: components [input.start, input.stop) → [output.start, output.stop).
 * Gates are consumed by the products, so a gate term's `output` is { start: −1, stop: −1 }.
 */
export interface GateActivatedTerm {
  readonly input: Slice;
  readonly output: Slice;
  readonly activation: Activation;
  /** Second-moment normalization constant multiplying the activation (1 when not normalized). */
  readonly factor: number;
  /** Output irrep (parity from the activation's). */
  readonly ir: Irrep;
}

/** One gated term: `mul` copies of `ir` at `input`, each multiplied by one activated gate. */
export interface GatedTerm {
  readonly input: Slice;
  readonly output: Slice;
  readonly mul: number;
  readonly ir: Irrep;
  /** Index, among all gate scalars (in the gates part's order), of the gate of copy 0. */
  readonly firstGate: number;
}

/** Options of `Gate`: one activation per term of `scalars` and of `gates`. */
export interface GateOptions {
  readonly scalars: IrrepsLike;
  readonly actScalars: readonly Activation[];
  readonly gates: IrrepsLike;
  readonly actGates: readonly Activation[];
  readonly gated: IrrepsLike;
  /**
   * Scale activations to unit second moment (default true, as e3nn), with the exact constant of
   * `normalize2mom`; or a function giving the constant per activation — e.g. e3nn's own Monte
   * Carlo estimates, to reproduce an e3nn-trained model bit for bit.
   */
  readonly normalizeActivations?: boolean | ((activation: Activation) => number);
}

function activatedIrreps(part: Irreps, acts: readonly Activation[], what: string): Irrep[] {
  if (acts.length !== part.length) throw new Error(`Gate: ${what} has ${part.length} terms but ${acts.length} activations`);
  return part.terms.map((t, i) => {
    if (t.ir.l !== 0) throw new Error(`Gate: ${what} term ${i} is ${t.ir}; ${what} must be scalars (l = 0)`);
    const a = acts[i];
    if (t.ir.p === 1) return t.ir;
    if (a.parity === 'even') return new Irrep(0, 1);
    if (a.parity === 'odd') return t.ir;
    throw new Error(`Gate: ${what} term ${i} is odd (0o) but activation ${a.name} is neither even nor odd`);
  });
}

/**
 * A gate nonlinearity plan (layout of scalars, gates and gated terms) and its float64 evaluation.
 * @example
 * const gate = new Gate({ scalars: '16x0e', actScalars: [activations.silu],
 *   gates: '8x0e', actGates: [activations.sigmoid], gated: '8x1o' });
 * gate.irrepsIn.toString();  // '24x0e+8x1o'
 * gate.irrepsOut.toString(); // '16x0e+8x1o'
 */
export class Gate {
  readonly irrepsScalars: Irreps;
  readonly irrepsGates: Irreps;
  readonly irrepsGated: Irreps;
  readonly irrepsIn: Irreps;
  readonly irrepsOut: Irreps;
  readonly scalarTerms: readonly GateActivatedTerm[];
  readonly gateTerms: readonly GateActivatedTerm[];
  readonly gatedTerms: readonly GatedTerm[];

  /** @throws when gates and gated counts differ, gates are not scalars, or a parity rule breaks */
  constructor(options: GateOptions) {
    const scalars = Irreps.parse(options.scalars);
    const gates = Irreps.parse(options.gates);
    const gated = Irreps.parse(options.gated);
    if (scalars.terms.some((t) => t.ir.l !== 0)) throw new Error(`Gate: scalars ${scalars} must all have l = 0`);
    if (gates.numIrreps !== gated.numIrreps) throw new Error(`Gate: ${gates.numIrreps} gates for ${gated.numIrreps} gated irreps (${gates} vs ${gated}); they must match`);
    const scalarsOut = activatedIrreps(scalars, options.actScalars, 'scalars');
    const gatesOut = activatedIrreps(gates, options.actGates, 'gates');
    const norm = options.normalizeActivations ?? true;
    const factorOf = (a: Activation): number => (typeof norm === 'function' ? norm(a) : norm ? normalize2mom(a.fn) : 1);

    // Input layout: e3nn's _Sortcut — the parts (each simplified) concatenated, then sorted.
    const parts = [scalars, gates, gated].map((p) => p.simplify());
    const all = Irreps.concat(...parts);
    const sorted = all.sort();
    const sortedSlices = sorted.irreps.slices();
    // Start of each original term of each part in the input; simplifying a part keeps its layout.
    const partStarts: number[][] = [];
    let t0 = 0;
    for (const p of parts) {
      partStarts.push(p.terms.map((_, i) => sortedSlices[sorted.p[t0 + i]].start));
      t0 += p.length;
    }
    // Map a component offset within a part to its input offset.
    const locate = (partIndex: number, offsetInPart: number): number => {
      const p = parts[partIndex];
      let acc = 0;
      for (let i = 0; i < p.length; i++) {
        const d = p.at(i).mul * p.at(i).ir.dim;
        if (offsetInPart < acc + d) return partStarts[partIndex][i] + offsetInPart - acc;
        acc += d;
      }
      throw new Error('Gate: internal error locating a component');
    };

    let outOffset = 0;
    const activated = (part: Irreps, acts: readonly Activation[], irs: Irrep[], partIndex: number, emitOutput: boolean): GateActivatedTerm[] => {
      let inPart = 0;
      return part.terms.map((t, i) => {
        const start = locate(partIndex, inPart);
        inPart += t.mul;
        const output = emitOutput ? { start: outOffset, stop: outOffset + t.mul } : { start: -1, stop: -1 };
        if (emitOutput) outOffset += t.mul;
        return Object.freeze({ input: { start, stop: start + t.mul }, output, activation: acts[i], factor: factorOf(acts[i]), ir: irs[i] });
      });
    };
    // Within a part, terms are contiguous in the input because sorting moves whole terms and
    // equal irreps of one (simplified) part never split.
    this.scalarTerms = Object.freeze(activated(scalars, options.actScalars, scalarsOut, 0, true));
    this.gateTerms = Object.freeze(activated(gates, options.actGates, gatesOut, 1, false));

    // Gated output irreps: e3nn multiplies gated by activated gates with an elementwise product,
    // which splits terms where gate parities change; the layout is that of `gated`.
    const gatesActivated = new Irreps(gates.terms.map((t, i) => ({ mul: t.mul, ir: gatesOut[i] })));
    const product = elementwise(gated, gatesActivated);
    const gatedTerms: GatedTerm[] = [];
    let inPart = 0;
    let gateIndex = 0;
    for (const t of product.irrepsIn1.terms) {
      const start = locate(2, inPart);
      const d = t.mul * t.ir.dim;
      gatedTerms.push(Object.freeze({ input: { start, stop: start + d }, output: { start: outOffset, stop: outOffset + d }, mul: t.mul, ir: t.ir, firstGate: gateIndex }));
      inPart += d;
      outOffset += d;
      gateIndex += t.mul;
    }
    this.gatedTerms = Object.freeze(gatedTerms);
    this.irrepsScalars = scalars;
    this.irrepsGates = gates;
    this.irrepsGated = gated;
    this.irrepsIn = sorted.irreps.simplify();
    const outTerms: MulIrrep[] = scalars.terms.map((t, i) => ({ mul: t.mul, ir: scalarsOut[i] }));
    this.irrepsOut = new Irreps([...outTerms, ...product.irrepsOut.terms]);
    Object.freeze(this);
  }

  /**
   * Evaluates the gate.
   * @param x Float64Array [batch, irrepsIn.dim]
   * @returns Float64Array [batch, irrepsOut.dim]
   */
  apply(x: Float64Array): Float64Array {
    const dimIn = this.irrepsIn.dim;
    const dimOut = this.irrepsOut.dim;
    if (dimIn === 0 || x.length % dimIn !== 0) throw new Error(`Gate.apply: x has length ${x.length}, not a multiple of ${dimIn}`);
    const batch = x.length / dimIn;
    const out = new Float64Array(batch * dimOut);
    const numGates = this.irrepsGates.numIrreps;
    const g = new Float64Array(numGates);
    for (let z = 0; z < batch; z++) {
      const bi = z * dimIn;
      const bo = z * dimOut;
      for (const t of this.scalarTerms) {
        const f = t.activation.fn;
        for (let i = t.input.start, o = t.output.start; i < t.input.stop; i++, o++) out[bo + o] = t.factor * f(x[bi + i]);
      }
      let gi = 0;
      for (const t of this.gateTerms) {
        const f = t.activation.fn;
        for (let i = t.input.start; i < t.input.stop; i++) g[gi++] = t.factor * f(x[bi + i]);
      }
      for (const t of this.gatedTerms) {
        const d = t.ir.dim;
        for (let u = 0; u < t.mul; u++) {
          const gate = g[t.firstGate + u];
          for (let k = 0; k < d; k++) out[bo + t.output.start + u * d + k] = gate * x[bi + t.input.start + u * d + k];
        }
      }
    }
    return out;
  }
}
