/**
 * Equivariant features inside a model graph. A feature with irreps `32x0e+32x1o` is held as one
 * graph value per term, each shaped [B, 2l+1, mul] ("channel-last"; B is 'N' for atoms, 'E' for
 * edges). Channel-last makes every equivariant linear map a plain matmul over the last axis and
 * every gate a broadcast product, with no slicing of a long concatenated vector. The e3nn layout
 * ([B, Σ mul·(2l+1)], mul-major within a term) is produced only at the boundary (`toFlat`), so
 * numbers and weights still carry over to and from e3nn.
 */
import { Irreps, type IrrepsLike } from '../o3/index.js';
import type { Dim, Graph, Value } from '../onnx/index.js';

/** A feature field: its irreps and one value per term, term k shaped [B, 2l_k+1, mul_k]. */
export interface Features {
  readonly irreps: Irreps;
  readonly terms: readonly Value[];
}

/**
 * Checks that `terms` fit `irreps` ([B, 2l+1, mul] each) and returns the Features.
 * @throws naming `what` and the offending term
 */
export function features(irreps: IrrepsLike, terms: readonly Value[], what = 'features'): Features {
  const ir = Irreps.parse(irreps);
  if (terms.length !== ir.length) throw new Error(`${what}: ${terms.length} values for the ${ir.length} terms of ${ir}`);
  terms.forEach((v, k) => {
    const t = ir.at(k);
    const s = v.shape;
    if (s.length !== 3 || s[1] !== t.ir.dim || s[2] !== t.mul) {
      throw new Error(`${what}: term ${k} (${t.mul}x${t.ir}) must be [B, ${t.ir.dim}, ${t.mul}], got [${s.join(', ')}]`);
    }
  });
  return Object.freeze({ irreps: ir, terms: Object.freeze([...terms]) });
}

/**
 * Splits an e3nn-layout value [B, irreps.dim] into channel-last terms.
 * @example const f = fromFlat(g, x, '4x0e+2x1o', 'N');   // terms [N,1,4], [N,3,2]
 */
export function fromFlat(g: Graph, x: Value, irreps: IrrepsLike, batch: Dim): Features {
  const ir = Irreps.parse(irreps);
  const slices = ir.slices();
  const terms = ir.terms.map((t, k) => {
    const part = ir.length === 1 ? x : g.slice(x, 1, slices[k]!.start, slices[k]!.stop);
    if (t.ir.dim === 1) return g.reshape(part, [batch, 1, t.mul]);
    return g.transpose(g.reshape(part, [batch, t.mul, t.ir.dim]), [0, 2, 1]);
  });
  return features(ir, terms, 'fromFlat');
}

/** Joins channel-last terms into the e3nn layout [B, irreps.dim]. */
export function toFlat(g: Graph, f: Features, batch: Dim): Value {
  const parts = f.terms.map((v, k) => {
    const t = f.irreps.at(k);
    const mulMajor = t.ir.dim === 1 ? v : g.transpose(v, [0, 2, 1]);
    return g.reshape(mulMajor, [batch, t.mul * t.ir.dim]);
  });
  return parts.length === 1 ? parts[0]! : g.concat(parts, 1);
}

/**
 * Merges neighbouring terms with equal irreps by concatenating their channels, so the result has
 * irreps `f.irreps.simplify()` with the same e3nn layout (as e3nn's `simplify` keeps the layout).
 */
export function simplifyFeatures(g: Graph, f: Features): Features {
  const out: Value[] = [];
  const groups: Value[][] = [];
  let last: string | undefined;
  f.irreps.terms.forEach((t, k) => {
    if (t.mul === 0) return;
    const key = t.ir.toString();
    if (key === last) groups[groups.length - 1]!.push(f.terms[k]!);
    else groups.push([f.terms[k]!]);
    last = key;
  });
  for (const grp of groups) out.push(grp.length === 1 ? grp[0]! : g.concat(grp, 2));
  return features(f.irreps.simplify(), out, 'simplifyFeatures');
}

/** The channel range [start, stop) of term `k`, as a new term [B, 2l+1, stop − start]. */
export function sliceChannels(g: Graph, term: Value, start: number, stop: number): Value {
  const mul = term.shape[2] as number;
  return start === 0 && stop === mul ? term : g.slice(term, 2, start, stop);
}

/** Contributions summed per output term; see {@link termSums}. */
export interface TermSums {
  /** Whether term `k` has a contribution yet. */
  has(k: number): boolean;
  /** Adds `v` ([B, 2l+1, mul] or broadcastable to it) to term `k`. */
  add(k: number, v: Value): void;
  /** The sums as Features of the irreps, a zero term [batch, 2l+1, mul] where nothing was added. */
  features(what: string): Features;
}

/**
 * Per-term sums for maps whose paths add into shared output terms (linear maps, tensor products).
 * @example const out = termSums(g, lin.irrepsOut, 'N'); out.add(ins.iOut, y); return out.features(prefix);
 */
export function termSums(g: Graph, irreps: Irreps, batch: Dim): TermSums {
  const sums: (Value | undefined)[] = new Array(irreps.length).fill(undefined);
  return {
    has: (k) => sums[k] !== undefined,
    add(k, v) {
      sums[k] = sums[k] ? g.add(sums[k]!, v) : v;
    },
    features(what) {
      const terms = sums.map((v, k) => {
        const t = irreps.at(k);
        return v ?? g.expand(g.constant(0, [1, 1, 1]), [batch, t.ir.dim, t.mul]);
      });
      return features(irreps, terms, what);
    },
  };
}
