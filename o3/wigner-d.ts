/**
 * Wigner D matrices in e3nn 0.5's real basis: the matrices D^l(R) with Y_l(R x) = D^l(R) Y_l(x)
 * for the harmonics of o3/spherical-harmonics.ts, so D^1(R) = R itself.
 *
 * Derivation: the 'component' harmonics are orthonormal for the sphere average,
 * (1/4π) ∫ Y_i Y_j dΩ = δ_ij, hence D_ij(R) = (1/4π) ∫ Y_i(R x) Y_j(x) dΩ. The integrand is a
 * polynomial of degree 2l on the sphere, so a product quadrature of that degree makes the
 * projection exact to rounding.
 */
import { sphereQuadrature } from './quadrature.js';
import { anglesToMatrix, checkOrthogonal } from './rotation.js';
import { sphericalHarmonics } from './spherical-harmonics.js';

interface Projector {
  /** Quadrature points, [n, 3]. */
  points: Float64Array;
  /** Y_l(x_k) · w_k, [n, 2l+1]. */
  weightedY: Float64Array;
}

const projectors = new Map<number, Projector>();

function projector(l: number): Projector {
  let p = projectors.get(l);
  if (!p) {
    const q = sphereQuadrature(2 * l);
    const Y = sphericalHarmonics([l], q.points);
    const d = 2 * l + 1;
    for (let k = 0; k < q.weights.length; k++) for (let j = 0; j < d; j++) Y[k * d + j] *= q.weights[k];
    p = { points: q.points, weightedY: Y };
    projectors.set(l, p);
  }
  return p;
}

/**
 * D^l of an orthogonal 3×3 matrix (row-major). An improper R (det −1) is treated as −R (the
 * rotation part): the parity sign is the caller's (see `Irreps.D`, which applies it).
 * @returns Float64Array [2l+1, 2l+1], row-major
 * @throws when R is not orthogonal
 */
export function wignerDFromMatrix(l: number, R: ArrayLike<number>): Float64Array {
  const sign = checkOrthogonal(R);
  const { points, weightedY } = projector(l);
  const n = points.length / 3;
  const rotated = new Float64Array(points.length);
  for (let k = 0; k < n; k++) {
    const x = points[3 * k];
    const y = points[3 * k + 1];
    const z = points[3 * k + 2];
    for (let a = 0; a < 3; a++) rotated[3 * k + a] = sign * (R[3 * a] * x + R[3 * a + 1] * y + R[3 * a + 2] * z);
  }
  const YR = sphericalHarmonics([l], rotated);
  const d = 2 * l + 1;
  const D = new Float64Array(d * d);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < d; i++) {
      const yi = YR[k * d + i];
      for (let j = 0; j < d; j++) D[i * d + j] += yi * weightedY[k * d + j];
    }
  }
  return D;
}

/**
 * e3nn's `wigner_D(l, α, β, γ)`: D^l(R_y(α) R_x(β) R_y(γ)) = D^l_y(α) D^l_x(β) D^l_y(γ).
 * @returns Float64Array [2l+1, 2l+1], row-major
 * @example wignerD(1, a, b, c); // equals anglesToMatrix(a, b, c)
 */
export function wignerD(l: number, alpha: number, beta: number, gamma: number): Float64Array {
  if (!Number.isInteger(l) || l < 0) throw new Error(`wignerD: l must be a non-negative integer, got ${l}`);
  return wignerDFromMatrix(l, anglesToMatrix(alpha, beta, gamma));
}
