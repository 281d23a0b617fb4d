/**
 * Seedable, splittable, serializable random numbers (STYLE.md §6): runs, restarts and domain
 * decompositions reproduce exactly. Generator: xoshiro128** (Blackman & Vigna, 2018), seeded
 * through splitmix32 so that nearby seeds give unrelated streams. Normals: Box–Muller, with the
 * spare value kept in the state so that a checkpoint taken between the two restores exactly.
 */

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Serialized generator state: four 32-bit words, and the cached normal deviate (NaN when none). */
export interface RngState {
  s: [number, number, number, number];
  spareNormal: number;
}

/** A xoshiro128** generator. Not cryptographic. */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = NaN;

  /** A generator for an integer seed (any safe integer; negative and large values are fine). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`Rng: seed must be an integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let x = splitmix32(lo ^ 0x5bd1e995);
    this.s0 = x;
    x = splitmix32(x ^ hi);
    this.s1 = x;
    x = splitmix32(x ^ lo);
    this.s2 = x;
    x = splitmix32(x ^ 0x27d4eb2f);
    this.s3 = x;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Restores a generator from `state()`. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = state.s.map((v) => v >>> 0);
    r.spare = state.spareNormal;
    return r;
  }

  /** The full state, enough to continue the exact same stream. */
  state(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spare };
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal deviate (mean 0, variance 1). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * v;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Fills `out` with standard normal deviates. */
  fillNormal(out: Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
  }

  /**
   * An independent child generator for stream `index` (a worker, a domain, a sub-task). The parent
   * is not advanced, so children do not depend on the order in which they are made.
   */
  split(index: number): Rng {
    const child = new Rng(0);
    const k = splitmix32(index >>> 0);
    child.s0 = splitmix32(this.s0 ^ k);
    child.s1 = splitmix32(this.s1 ^ child.s0);
    child.s2 = splitmix32(this.s2 ^ child.s1);
    child.s3 = splitmix32(this.s3 ^ child.s2 ^ 0x68e31da4);
    if ((child.s0 | child.s1 | child.s2 | child.s3) === 0) child.s0 = 1;
    return child;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
