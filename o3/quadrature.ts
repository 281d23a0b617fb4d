/**
 * Quadrature rules used to project onto the harmonics exactly (no fitting, no sampling noise).
 */

/** Nodes and weights of a 1-D rule: Σ w_i f(x_i) ≈ ∫ f. */
export interface Quadrature1D {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * n-point Gauss–Legendre rule on [−1, 1], exact for polynomials of degree ≤ 2n − 1. Nodes are
 * the roots of P_n found by Newton's method from the Tricomi estimate; weights
 * 2 / ((1 − x²) P_n'(x)²) (Abramowitz & Stegun 25.4.29).
 */
export function gaussLegendre(n: number): Quadrature1D {
  if (!Number.isInteger(n) || n < 1) throw new Error(`gaussLegendre: n must be a positive integer, got ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      // P_{n−1}(x), P_n(x) by the three-term recurrence, then P_n'(x)
      let pnm1 = 1;
      let pn = x;
      for (let k = 2; k <= n; k++) [pnm1, pn] = [pn, ((2 * k - 1) * x * pn - (k - 1) * pnm1) / k];
      dp = (n * (x * pn - pnm1)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

/** Points on the unit sphere with weights summing to 1: Σ w_k f(x_k) ≈ (1/4π) ∫ f dΩ. */
export interface SphereQuadrature {
  /** Float64Array [n, 3]. */
  readonly points: Float64Array;
  /** Float64Array [n], summing to 1. */
  readonly weights: Float64Array;
}

/**
 * Product rule (Gauss–Legendre in cos θ about z × uniform in φ) that integrates every
 * polynomial of degree ≤ `degree` on the sphere exactly.
 */
export function sphereQuadrature(degree: number): SphereQuadrature {
  const nt = Math.floor(degree / 2) + 1; // 2·nt − 1 ≥ degree
  const np = degree + 1; // the φ sum is exact for e^{ikφ}, |k| ≤ degree < np
  const gl = gaussLegendre(nt);
  const points = new Float64Array(nt * np * 3);
  const weights = new Float64Array(nt * np);
  let k = 0;
  for (let i = 0; i < nt; i++) {
    const t = gl.nodes[i];
    const s = Math.sqrt(1 - t * t);
    for (let j = 0; j < np; j++, k++) {
      const phi = (2 * Math.PI * (j + 0.5)) / np;
      points[3 * k] = s * Math.cos(phi);
      points[3 * k + 1] = s * Math.sin(phi);
      points[3 * k + 2] = t;
      weights[k] = gl.weights[i] / (2 * np);
    }
  }
  return { points, weights };
}
