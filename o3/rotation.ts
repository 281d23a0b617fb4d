/**
 * Rotations of 3-space in e3nn 0.5's conventions: Euler angles (α, β, γ) mean
 * R = R_y(α) · R_x(β) · R_y(γ) (γ about y applied first, then β about x, then α about y), with
 * right-handed rotation matrices acting on column vectors. Matrices are 3×3 row-major arrays.
 */

/** A source of uniform random numbers in [0, 1), e.g. `seededUniform(7)` or `Math.random`. */
export type UniformSource = () => number;

/**
 * A tiny seeded uniform generator (splitmix32 → mulberry32-style mixing) for tests and random
 * rotations; o3 owns it so that it imports nothing else of e3md. Not cryptographic.
 * @example const rand = seededUniform(42); rand(); // 0.… in [0, 1)
 */
export function seededUniform(seed: number): UniformSource {
  if (!Number.isSafeInteger(seed)) throw new Error(`seededUniform: seed must be an integer, got ${seed}`);
  let s = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const hi = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    s = (s + 0x6d2b79f5) >>> 0;
    let u = s;
    u = Math.imul(u ^ (u >>> 15), u | 1);
    u ^= u + Math.imul(u ^ (u >>> 7), u | 61);
    return hi + ((u ^ (u >>> 14)) >>> 0) / 18446744073709551616;
  };
}

/** Rotation by `angle` (radians) about x: [[1,0,0],[0,c,−s],[0,s,c]]. */
export function matrixX(angle: number): Float64Array {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return Float64Array.of(1, 0, 0, 0, c, -s, 0, s, c);
}

/** Rotation by `angle` (radians) about y: [[c,0,s],[0,1,0],[−s,0,c]]. */
export function matrixY(angle: number): Float64Array {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return Float64Array.of(c, 0, s, 0, 1, 0, -s, 0, c);
}

/** Rotation by `angle` (radians) about z: [[c,−s,0],[s,c,0],[0,0,1]]. */
export function matrixZ(angle: number): Float64Array {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return Float64Array.of(c, -s, 0, s, c, 0, 0, 0, 1);
}

/** Product A·B of two 3×3 row-major matrices. */
export function matmul3(A: ArrayLike<number>, B: ArrayLike<number>): Float64Array {
  const C = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) C[3 * i + j] = A[3 * i] * B[j] + A[3 * i + 1] * B[3 + j] + A[3 * i + 2] * B[6 + j];
  }
  return C;
}

/** Transpose of a 3×3 row-major matrix (the inverse of a rotation). */
export function transpose3(A: ArrayLike<number>): Float64Array {
  return Float64Array.of(A[0], A[3], A[6], A[1], A[4], A[7], A[2], A[5], A[8]);
}

/** Determinant of a 3×3 row-major matrix. */
export function det3(A: ArrayLike<number>): number {
  return (
    A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) + A[2] * (A[3] * A[7] - A[4] * A[6])
  );
}

/**
 * Checks that R is a 3×3 orthogonal matrix (RᵀR = I within `tol`) and returns its determinant (±1).
 * @throws naming the worst deviation when R is not orthogonal
 */
export function checkOrthogonal(R: ArrayLike<number>, tol = 1e-6): 1 | -1 {
  if (R.length !== 9) throw new Error(`expected a 3x3 matrix (9 numbers), got ${R.length}`);
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dot = R[i] * R[j] + R[3 + i] * R[3 + j] + R[6 + i] * R[6 + j];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  if (!(worst <= tol)) throw new Error(`matrix is not orthogonal: |RᵀR − I| reaches ${worst.toExponential(2)}`);
  return det3(R) > 0 ? 1 : -1;
}

/**
 * R = R_y(α) R_x(β) R_y(γ), e3nn's `angles_to_matrix`.
 * @returns Float64Array [3, 3] row-major
 * @example anglesToMatrix(Math.PI / 2, 0, 0); // rotates z onto x
 */
export function anglesToMatrix(alpha: number, beta: number, gamma: number): Float64Array {
  return matmul3(matmul3(matrixY(alpha), matrixX(beta)), matrixY(gamma));
}

/**
 * Angles (α, β) of the direction of a nonzero vector: v/|v| = R_y(α) R_x(β) ŷ, i.e.
 * β = acos(ŷ·v̂) ∈ [0, π] and α = atan2(x, z) ∈ (−π, π].
 */
export function vectorToAngles(x: number, y: number, z: number): [number, number] {
  const r = Math.hypot(x, y, z);
  if (!(r > 0)) throw new Error('vectorToAngles: zero or non-finite vector has no direction');
  return [Math.atan2(x, z), Math.acos(Math.min(1, Math.max(-1, y / r)))];
}

/**
 * Euler angles (α, β, γ) of a rotation matrix, inverse of `anglesToMatrix` (α, γ ∈ (−π, π],
 * β ∈ [0, π]). The rotation carries ŷ to R ŷ, which fixes α and β; γ is what remains.
 * @throws when R is not a proper rotation
 */
export function matrixToAngles(R: ArrayLike<number>): [number, number, number] {
  if (checkOrthogonal(R) < 0) throw new Error('matrixToAngles: matrix is improper (det = −1); pass −R');
  const [alpha, beta] = vectorToAngles(R[1], R[4], R[7]);
  const rest = matmul3(transpose3(anglesToMatrix(alpha, beta, 0)), R); // = R_y(γ)
  return [alpha, beta, Math.atan2(rest[2], rest[0])];
}

/**
 * A rotation drawn uniformly from SO(3) (Haar measure), from a unit quaternion with four
 * Gaussian components (Box–Muller on `rand`).
 * @returns Float64Array [3, 3] row-major, det +1
 */
export function randomRotation(rand: UniformSource): Float64Array {
  const g = (): number => {
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  let w = 0;
  let x = 0;
  let y = 0;
  let z = 0;
  let n = 0;
  while (!(n > 1e-12)) {
    [w, x, y, z] = [g(), g(), g(), g()];
    n = Math.hypot(w, x, y, z);
  }
  w /= n;
  x /= n;
  y /= n;
  z /= n;
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  );
}

/** A uniformly random element of O(3): a random rotation, negated (inversion composed) when `improper`. */
export function randomOrthogonal(rand: UniformSource, improper: boolean): Float64Array {
  const R = randomRotation(rand);
  if (improper) for (let i = 0; i < 9; i++) R[i] = -R[i];
  return R;
}
