/**
 * The gate nonlinearity (o3's `Gate` plan) on channel-last features: activated scalars pass
 * through, and each gated irrep copy is multiplied by its own activated gate scalar, a broadcast
 * product [B, 2l+1, mul] · [B, 1, mul].
 */
import type { Gate, Slice } from '../o3/index.js';
import type { Graph, Value } from '../onnx/index.js';
import { emitActivation } from './activation-layer.js';
import { features, sliceChannels, type Features } from './features.js';

/** The channel range of input components [slice.start, slice.stop) as a term value. */
function channels(g: Graph, x: Features, slice: Slice, what: string): Value {
  const sl = x.irreps.slices();
  for (let k = 0; k < x.irreps.length; k++) {
    const s = sl[k]!;
    if (slice.start >= s.start && slice.stop <= s.stop) {
      const d = x.irreps.at(k).ir.dim;
      const a = (slice.start - s.start) / d;
      const b = (slice.stop - s.start) / d;
      if (!Number.isInteger(a) || !Number.isInteger(b)) break;
      return sliceChannels(g, x.terms[k]!, a, b);
    }
  }
  throw new Error(`${what}: gate slice [${slice.start}, ${slice.stop}) does not fall on whole copies of one term of ${x.irreps}`);
}

/**
 * Applies `gate` to `x` (irreps `gate.irrepsIn`); the result has irreps `gate.irrepsOut`.
 * @example const h = emitGate(g, gatePlan, preActivation, 'layer0.gate');
 */
export function emitGate(g: Graph, gate: Gate, x: Features, what: string): Features {
  if (!x.irreps.equals(gate.irrepsIn)) throw new Error(`${what}: gate expects irreps ${gate.irrepsIn}, got ${x.irreps}`);
  const out: Value[] = gate.scalarTerms.map((t) => emitActivation(g, channels(g, x, t.input, what), t.activation, t.factor));
  if (gate.gatedTerms.length > 0) {
    const gateParts = gate.gateTerms.map((t) => emitActivation(g, channels(g, x, t.input, what), t.activation, t.factor));
    const gates = gateParts.length === 1 ? gateParts[0]! : g.concat(gateParts, 2); // [B, 1, numGates]
    for (const t of gate.gatedTerms) {
      const gated = channels(g, x, t.input, what);
      const total = gates.shape[2] as number;
      const gv = t.firstGate === 0 && t.mul === total ? gates : g.slice(gates, 2, t.firstGate, t.firstGate + t.mul);
      out.push(g.mul(gated, gv));
    }
  }
  return features(gate.irrepsOut, out, what);
}
