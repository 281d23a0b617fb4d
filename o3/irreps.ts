/**
 * Direct sums of irreps with multiplicities: e3nn's `Irreps`, written `"16x0e+8x1o+4x2e"`.
 *
 * A feature vector with irreps `16x0e+8x1o` is laid out as 16 scalars followed by 8 vectors of
 * 3 components each (mul-major: copy u of a 1o occupies components [16 + 3u, 16 + 3u + 3)),
 * exactly as e3nn lays it out so that tensors and weights carry over.
 */
import { Irrep, type IrrepLike, type Parity } from './irrep.js';
import { checkOrthogonal } from './rotation.js';
import { wignerDFromMatrix } from './wigner-d.js';

/** One term `mul x ir` of an `Irreps`. */
export interface MulIrrep {
  /** Multiplicity (number of copies, ≥ 0). */
  readonly mul: number;
  /** The irrep. */
  readonly ir: Irrep;
}

/** Half-open range [start, stop) of components. */
export interface Slice {
  readonly start: number;
  readonly stop: number;
}

/** Result of `Irreps.sort()`: `p[old] = new` and `inv[new] = old` (e3nn's names). */
export interface SortResult {
  readonly irreps: Irreps;
  readonly p: readonly number[];
  readonly inv: readonly number[];
}

/** What `Irreps.filter` keeps: listed irreps, everything but listed irreps, or a predicate. */
export type IrrepsFilter =
  | { readonly keep: readonly IrrepLike[] }
  | { readonly drop: readonly IrrepLike[] }
  | ((term: MulIrrep, index: number) => boolean);

/** Anything accepted where irreps are expected. */
export type IrrepsLike = Irreps | string | readonly (MulIrrep | readonly [number, IrrepLike])[];

const TERM_RE = /^\s*(?:(\d+)\s*x\s*)?(\d+\s*[eoy])\s*$/;

/**
 * An immutable direct sum of irreps.
 *
 * @example
 * const irreps = Irreps.parse('16x0e+8x1o+4x2e');
 * irreps.dim === 60; irreps.lmax === 2; irreps.toString() === '16x0e+8x1o+4x2e';
 * irreps.slices()[1]; // { start: 16, stop: 40 }
 */
export class Irreps {
  /** The terms, in order. */
  readonly terms: readonly MulIrrep[];

  /** @param terms the `mul x ir` terms; use `Irreps.parse` for strings */
  constructor(terms: readonly MulIrrep[]) {
    for (const t of terms) {
      if (!Number.isInteger(t.mul) || t.mul < 0) throw new Error(`Irreps: multiplicity must be a non-negative integer, got ${t.mul} for ${t.ir}`);
    }
    this.terms = Object.freeze(terms.map((t) => Object.freeze({ mul: t.mul, ir: t.ir })));
    Object.freeze(this);
  }

  /**
   * Parses `"16x0e + 8x1o + 2e"` (a missing multiplicity means 1; `y` parity means (−1)^l; the
   * empty string is the empty sum). Also accepts an `Irreps` or a list of `[mul, irrep]` pairs.
   * @throws naming the term that does not parse
   */
  static parse(spec: IrrepsLike): Irreps {
    if (spec instanceof Irreps) return spec;
    if (typeof spec !== 'string') {
      return new Irreps(
        spec.map((t) =>
          Array.isArray(t) ? { mul: t[0] as number, ir: Irrep.parse(t[1] as IrrepLike) } : { mul: (t as MulIrrep).mul, ir: Irrep.parse((t as MulIrrep).ir) },
        ),
      );
    }
    if (spec.trim() === '') return new Irreps([]);
    return new Irreps(
      spec.split('+').map((term) => {
        const m = TERM_RE.exec(term);
        if (!m) throw new Error(`Irreps: cannot parse term ${JSON.stringify(term.trim())} in ${JSON.stringify(spec)}: expected e.g. "16x0e"`);
        return { mul: m[1] === undefined ? 1 : Number(m[1]), ir: Irrep.parse(m[2]!.replace(/\s+/g, '')) };
      }),
    );
  }

  /**
   * Irreps of the spherical harmonics 0..lmax: `1x0e+1x1o+1x2e+…` for p = −1 (vectors), or all
   * even for p = +1 (pseudovectors).
   */
  static sphericalHarmonics(lmax: number, p: Parity = -1): Irreps {
    if (!Number.isInteger(lmax) || lmax < 0) throw new Error(`Irreps.sphericalHarmonics: lmax must be a non-negative integer, got ${lmax}`);
    const terms: MulIrrep[] = [];
    for (let l = 0; l <= lmax; l++) terms.push({ mul: 1, ir: new Irrep(l, p ** l) });
    return new Irreps(terms);
  }

  /** Concatenation (direct sum) of several irreps, in order. */
  static concat(...parts: IrrepsLike[]): Irreps {
    return new Irreps(parts.flatMap((p) => Irreps.parse(p).terms));
  }

  /** Number of terms (e3nn's `len(irreps)`). */
  get length(): number {
    return this.terms.length;
  }

  /** Total dimension Σ mul·(2l+1). */
  get dim(): number {
    let d = 0;
    for (const t of this.terms) d += t.mul * t.ir.dim;
    return d;
  }

  /** Total multiplicity Σ mul (e3nn's `num_irreps`). */
  get numIrreps(): number {
    let n = 0;
    for (const t of this.terms) n += t.mul;
    return n;
  }

  /** Alias of `numIrreps` with e3nn's spelling. */
  get num_irreps(): number {
    return this.numIrreps;
  }

  /** Largest l; throws on the empty sum, which has none. */
  get lmax(): number {
    if (this.terms.length === 0) throw new Error('Irreps.lmax: the empty irreps has no lmax');
    return Math.max(...this.terms.map((t) => t.ir.l));
  }

  /** The i-th term. */
  at(i: number): MulIrrep {
    const t = this.terms[i];
    if (t === undefined) throw new Error(`Irreps: index ${i} out of range for ${this} (${this.terms.length} terms)`);
    return t;
  }

  /** Total multiplicity of one irrep (e3nn's `count`). */
  count(ir: IrrepLike): number {
    const target = Irrep.parse(ir);
    let n = 0;
    for (const t of this.terms) if (t.ir.equals(target)) n += t.mul;
    return n;
  }

  /** Whether some term (with mul > 0) is this irrep. */
  has(ir: IrrepLike): boolean {
    return this.count(ir) > 0;
  }

  /** Component ranges of each term, in order. */
  slices(): Slice[] {
    const out: Slice[] = [];
    let start = 0;
    for (const t of this.terms) {
      const stop = start + t.mul * t.ir.dim;
      out.push({ start, stop });
      start = stop;
    }
    return out;
  }

  /** Merges neighbouring equal irreps and drops zero multiplicities; does not sort. */
  simplify(): Irreps {
    const out: { mul: number; ir: Irrep }[] = [];
    for (const t of this.terms) {
      const last = out[out.length - 1];
      if (last && last.ir.equals(t.ir)) last.mul += t.mul;
      else if (t.mul > 0) out.push({ mul: t.mul, ir: t.ir });
    }
    return new Irreps(out);
  }

  /** Drops terms of multiplicity zero. */
  removeZeroMultiplicities(): Irreps {
    return new Irreps(this.terms.filter((t) => t.mul > 0));
  }

  /**
   * Stable sort by irrep (l, then odd before even), as e3nn sorts.
   * @returns the sorted irreps, `p` (old index → new index) and `inv` (new → old)
   */
  sort(): SortResult {
    const inv = this.terms.map((_, i) => i).sort((a, b) => this.terms[a]!.ir.compare(this.terms[b]!.ir) || a - b);
    const p = new Array<number>(inv.length);
    inv.forEach((old, nu) => (p[old] = nu));
    return { irreps: new Irreps(inv.map((i) => this.terms[i]!)), p, inv };
  }

  /** Keeps the terms that pass a filter: `{ keep: ['0e', '1o'] }`, `{ drop: [...] }` or a predicate. */
  filter(f: IrrepsFilter): Irreps {
    let pred: (t: MulIrrep, i: number) => boolean;
    if (typeof f === 'function') pred = f;
    else if ('keep' in f) {
      const keep = f.keep.map((x) => Irrep.parse(x));
      pred = (t) => keep.some((k) => k.equals(t.ir));
    } else {
      const drop = f.drop.map((x) => Irrep.parse(x));
      pred = (t) => !drop.some((k) => k.equals(t.ir));
    }
    return new Irreps(this.terms.filter(pred));
  }

  /** This followed by `other` (direct sum). */
  concat(other: IrrepsLike): Irreps {
    return Irreps.concat(this, other);
  }

  /** Same terms in the same order. */
  equals(other: IrrepsLike): boolean {
    const o = Irreps.parse(other);
    return o.terms.length === this.terms.length && this.terms.every((t, i) => t.mul === o.terms[i]!.mul && t.ir.equals(o.terms[i]!.ir));
  }

  /**
   * The representation matrix of a 3×3 orthogonal matrix R (row-major, proper or improper):
   * block diagonal, mul copies of p^k·D^l(R·det R) per term, where k = 1 for improper R.
   * @returns Float64Array [dim, dim], row-major
   */
  D(R: ArrayLike<number>): Float64Array {
    const dim = this.dim;
    const out = new Float64Array(dim * dim);
    const improper = checkOrthogonal(R) < 0;
    const cache = new Map<number, Float64Array>();
    let offset = 0;
    for (const { mul, ir } of this.terms) {
      let d = cache.get(ir.l);
      if (!d) {
        d = wignerDFromMatrix(ir.l, R);
        cache.set(ir.l, d);
      }
      const sign = improper && ir.p === -1 ? -1 : 1;
      const n = ir.dim;
      for (let u = 0; u < mul; u++, offset += n) {
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[(offset + i) * dim + offset + j] = sign * d[i * n + j]!;
      }
    }
    return out;
  }

  /** e3nn's format: `"1x1o+2x0e"` (multiplicity always written; the empty sum is `""`). */
  toString(): string {
    return this.terms.map((t) => `${t.mul}x${t.ir}`).join('+');
  }
}
