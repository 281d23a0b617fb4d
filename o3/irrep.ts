/**
 * A single irreducible representation of O(3): degree `l` and parity `p` (e3nn's `Irrep`).
 *
 * The representation of dimension 2l+1 on which a rotation R acts by the Wigner matrix D^l(R)
 * and the inversion −I by the sign `p`. Spherical harmonics of degree l carry parity (−1)^l.
 */

/** Parity of an irrep: +1 (even, written `e`) or −1 (odd, written `o`). */
export type Parity = 1 | -1;

/** Anything that names an irrep: an `Irrep`, a string such as `"1o"`, or an `[l, p]` pair. */
export type IrrepLike = Irrep | string | readonly [number, number];

const IRREP_RE = /^\s*(\d+)\s*([eoy])\s*$/;

/**
 * Irreducible representation (l, p) of O(3). Immutable; compare with `equals`.
 *
 * @example
 * const v = Irrep.parse('1o'); // a polar vector
 * v.dim === 3; v.toString() === '1o';
 */
export class Irrep {
  /** Degree, a non-negative integer. */
  readonly l: number;
  /** Parity under inversion. */
  readonly p: Parity;

  /**
   * @param l degree (integer ≥ 0)
   * @param p parity, +1 or −1
   * @throws when l is not a non-negative integer or p is not ±1
   */
  constructor(l: number, p: number) {
    if (!Number.isInteger(l) || l < 0) throw new Error(`Irrep: l must be a non-negative integer, got ${l}`);
    if (p !== 1 && p !== -1) throw new Error(`Irrep: parity must be +1 or -1, got ${p}`);
    this.l = l;
    this.p = p;
    Object.freeze(this);
  }

  /**
   * Parses `"<l><e|o|y>"`; `y` means the parity of spherical harmonics, (−1)^l.
   * Also accepts an `Irrep` (returned as is) or an `[l, p]` pair.
   * @throws with the offending text when it is not an irrep
   */
  static parse(spec: IrrepLike): Irrep {
    if (spec instanceof Irrep) return spec;
    if (Array.isArray(spec)) return new Irrep(spec[0] as number, spec[1] as number);
    const m = IRREP_RE.exec(spec as string);
    if (!m) throw new Error(`Irrep: cannot parse ${JSON.stringify(spec)}: expected e.g. "0e", "1o", "2y"`);
    const l = Number(m[1]);
    const p = m[2] === 'e' ? 1 : m[2] === 'o' ? -1 : l % 2 === 0 ? 1 : -1;
    return new Irrep(l, p);
  }

  /** Dimension 2l+1. */
  get dim(): number {
    return 2 * this.l + 1;
  }

  /** True for 0e (a true scalar). */
  isScalar(): boolean {
    return this.l === 0 && this.p === 1;
  }

  /** Same (l, p). */
  equals(other: IrrepLike): boolean {
    const o = Irrep.parse(other);
    return o.l === this.l && o.p === this.p;
  }

  /**
   * The irreps in the tensor product this ⊗ other, by increasing l:
   * l from |l1−l2| to l1+l2 with parity p1·p2 (the selection rule of the 3j symbols).
   */
  times(other: IrrepLike): Irrep[] {
    const o = Irrep.parse(other);
    const p = (this.p * o.p) as Parity;
    const out: Irrep[] = [];
    for (let l = Math.abs(this.l - o.l); l <= this.l + o.l; l++) out.push(new Irrep(l, p));
    return out;
  }

  /**
   * e3nn's ordering of irreps: by l, then odd before even (0o < 0e < 1o < 1e).
   * Negative when `this` sorts first.
   */
  compare(other: Irrep): number {
    return this.l !== other.l ? this.l - other.l : this.p - other.p;
  }

  /** `"1o"`, `"2e"`, as e3nn prints it. */
  toString(): string {
    return `${this.l}${this.p === 1 ? 'e' : 'o'}`;
  }
}
