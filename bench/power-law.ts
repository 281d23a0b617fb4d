/**
 * Power-law fit of a learning curve, error ≈ a · N^(−β): ordinary least squares of ln(error) on
 * ln(N), with the textbook standard error of the slope (e.g. Montgomery & Runger, Applied
 * Statistics and Probability for Engineers, §11-4):
 *
 *   β = −Sxy / Sxx,   se(β) = √( SSR / (n − 2) / Sxx ),   Sxx = Σ (x − x̄)²,  x = ln N, y = ln error.
 *
 * The standard error assumes independent, equally scattered log errors; with the few sizes of a
 * learning curve it says how well the slope is pinned by these points, not how it would vary with
 * other seeds (that would need repeated runs).
 */

/** A fitted power law. */
export interface PowerLawFit {
  /** Exponent β of error ∝ N^(−β). */
  readonly beta: number;
  /** Standard error of β (NaN with fewer than three points). */
  readonly betaStdErr: number;
  /** Prefactor a of error = a · N^(−β), in the error's unit. */
  readonly prefactor: number;
  /** Points in the fit. */
  readonly points: number;
  /** RMS of the log residuals (ln units). */
  readonly rmsLogResidual: number;
}

/**
 * Fits error = a · N^(−β) to positive (N, error) pairs.
 * @throws when fewer than two points, or any N or error ≤ 0, or all N equal
 * @example fitPowerLaw([100, 200, 400], [40, 28.3, 20]).beta // ≈ 0.5
 */
export function fitPowerLaw(sizes: readonly number[], errors: readonly number[]): PowerLawFit {
  const n = sizes.length;
  if (n !== errors.length) throw new Error(`fitPowerLaw: ${n} sizes but ${errors.length} errors`);
  if (n < 2) throw new Error(`fitPowerLaw: needs at least two points, got ${n}`);
  sizes.forEach((s, k) => {
    if (!(s > 0) || !(errors[k]! > 0)) throw new Error(`fitPowerLaw: sizes and errors must be positive, got (${s}, ${errors[k]})`);
  });
  const x = sizes.map(Math.log);
  const y = errors.map(Math.log);
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0;
  for (let k = 0; k < n; k++) {
    sxx += (x[k]! - mx) ** 2;
    sxy += (x[k]! - mx) * (y[k]! - my);
  }
  if (!(sxx > 0)) throw new Error('fitPowerLaw: every size is the same');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssr = 0;
  for (let k = 0; k < n; k++) ssr += (y[k]! - intercept - slope * x[k]!) ** 2;
  return {
    beta: -slope,
    betaStdErr: n > 2 ? Math.sqrt(ssr / (n - 2) / sxx) : NaN,
    prefactor: Math.exp(intercept),
    points: n,
    rmsLogResidual: Math.sqrt(ssr / n),
  };
}
