/**
 * The energy landscape a relaxation walks on, as an Objective over a flat vector. Atoms only:
 * x = positions (Å), gradient −F. With the cell (after ASE's UnitCellFilter; Tadmor, Smith,
 * Bernstein & Kaxiras, Phys. Rev. B 59, 235 (1999) for the deformation-gradient variables):
 * the cell is H = H₀ D with D the deformation gradient from the starting cell H₀, positions are
 * r_i = u_i D with u_i the atom's position carried back to H₀, and the coordinates are
 * x = [u_1 … u_N, N·D] — scaled by N so that the cell's generalised force (D⁻ᵀ(PV − W)/N, per
 * atom) compares with atomic forces; the step cap measures cell rows by how far a lattice vector moves.
 * The energy is the enthalpy E + P V; with rows as vectors and W the virial,
 *
 *   ∂/∂u_i = −F_i Dᵀ,   ∂/∂D = D⁻ᵀ (P V 1 − W)   (a strain D → D(1 + ε) changes E by −W : ε).
 *
 * At a minimum the forces vanish and W = P V 1: the configurational stress is the target pressure.
 */
import { type ForceOutput, type System, eV_per_A3_in_bar } from '../engine/index.js';
import type { Objective } from './objective.js';

/** Recomputes `out` for the system's current positions and box. */
export type Evaluate = () => Promise<void>;

/** What a relaxation reports about the physical state after an evaluation. */
export interface RelaxMeasures {
  /** Potential energy, eV. */
  energy_eV: number;
  /** E + P V, eV (the minimised quantity; = energy without the cell). */
  enthalpy_eV: number;
  /** Largest atomic force, eV/Å. */
  fmax_eV_A: number;
  /** Largest |P V δ_ab − W_ab| / N, eV: the cell's residual force per atom (NaN without the cell). */
  cellForce_eV: number;
  /** Configurational pressure tr W / 3V, bar (NaN without a volume). */
  pressure_bar: number;
}

/** A relaxation objective with its measures. */
export interface RelaxObjective extends Objective {
  /** The starting coordinates. */
  initial(): Float64Array;
  /** Measures at the last evaluated point. */
  readonly measures: RelaxMeasures;
}

/**
 * The objective for `system` (positions, and the cell when `cell` is true), its forces from
 * `evaluate` into `out`.
 *
 * @example
 * const objective = relaxObjective(system, out, evaluate, { cell: true, pressure_bar: 0 });
 */
export function relaxObjective(system: System, out: ForceOutput, evaluate: Evaluate, options: { cell: boolean; pressure_bar: number }): RelaxObjective {
  const n = system.n;
  const withCell = options.cell;
  const p = options.pressure_bar / eV_per_A3_in_bar;
  const h0 = Float64Array.from(system.box.cell);
  const d = new Float64Array(9), dInvT = new Float64Array(9), cell = new Float64Array(9), m = new Float64Array(9);
  const measures: RelaxMeasures = { energy_eV: NaN, enthalpy_eV: NaN, fmax_eV_A: NaN, cellForce_eV: NaN, pressure_bar: NaN };
  let lastCell: Float64Array | null = null;

  function measure(): void {
    const f = out.forces;
    let fmax2 = 0;
    for (let i = 0; i < 3 * n; i += 3) fmax2 = Math.max(fmax2, f[i] * f[i] + f[i + 1] * f[i + 1] + f[i + 2] * f[i + 2]);
    const volume = system.box.volume, w = out.virial;
    measures.energy_eV = out.energy_eV;
    measures.enthalpy_eV = out.energy_eV + (withCell ? p * volume : 0);
    measures.fmax_eV_A = Math.sqrt(fmax2);
    measures.pressure_bar = volume > 0 ? ((w[0] + w[4] + w[8]) / (3 * volume)) * eV_per_A3_in_bar : NaN;
    let cellForce = 0;
    for (let k = 0; k < 9; k++) cellForce = Math.max(cellForce, Math.abs((k % 4 === 0 ? p * volume : 0) - w[k]) / n);
    measures.cellForce_eV = withCell ? cellForce : NaN;
  }

  // A unit change of a cell row of x (N·D) moves that lattice vector by about |H₀ row| / N Å.
  const tripleScale = new Float64Array(n + (withCell ? 3 : 0)).fill(1);
  for (let row = 0; row < (withCell ? 3 : 0); row++) tripleScale[n + row] = Math.hypot(h0[3 * row], h0[3 * row + 1], h0[3 * row + 2]) / n;
  return {
    dim: 3 * n + (withCell ? 9 : 0),
    tripleScale,
    measures,
    initial() {
      const x = new Float64Array(3 * n + (withCell ? 9 : 0));
      x.set(system.positions);
      if (withCell) { x[3 * n] = n; x[3 * n + 4] = n; x[3 * n + 8] = n; }
      return x;
    },
    async evaluate(x, gradient) {
      const r = system.positions;
      if (!withCell) {
        r.set(x.subarray(0, 3 * n));
        await evaluate();
        for (let k = 0; k < 3 * n; k++) gradient[k] = -out.forces[k];
        measure();
        return measures.enthalpy_eV;
      }
      for (let k = 0; k < 9; k++) d[k] = x[3 * n + k] / n;
      for (let i = 0; i < 3 * n; i += 3) {
        const a = x[i], b = x[i + 1], c = x[i + 2];
        r[i] = a * d[0] + b * d[3] + c * d[6];
        r[i + 1] = a * d[1] + b * d[4] + c * d[7];
        r[i + 2] = a * d[2] + b * d[5] + c * d[8];
      }
      for (let row = 0; row < 3; row++) {
        for (let col = 0; col < 3; col++) cell[3 * row + col] = h0[3 * row] * d[col] + h0[3 * row + 1] * d[3 + col] + h0[3 * row + 2] * d[6 + col];
      }
      // A new Box only when the cell really moved, so the neighbor list keeps its fast path.
      if (!lastCell || cell.some((v, k) => v !== lastCell![k])) {
        system.box = system.box.withCell(cell);
        lastCell = Float64Array.from(cell);
      }
      await evaluate();
      const f = out.forces, w = out.virial, volume = system.box.volume;
      for (let i = 0; i < 3 * n; i += 3) {
        // −F Dᵀ: (F Dᵀ)_a = Σ_b F_b D_ab.
        gradient[i] = -(f[i] * d[0] + f[i + 1] * d[1] + f[i + 2] * d[2]);
        gradient[i + 1] = -(f[i] * d[3] + f[i + 1] * d[4] + f[i + 2] * d[5]);
        gradient[i + 2] = -(f[i] * d[6] + f[i + 1] * d[7] + f[i + 2] * d[8]);
      }
      inverseTranspose(d, dInvT);
      for (let k = 0; k < 9; k++) m[k] = (k % 4 === 0 ? p * volume : 0) - w[k];
      for (let row = 0; row < 3; row++) {
        for (let col = 0; col < 3; col++) {
          const g = dInvT[3 * row] * m[col] + dInvT[3 * row + 1] * m[3 + col] + dInvT[3 * row + 2] * m[6 + col];
          gradient[3 * n + 3 * row + col] = g / n;
        }
      }
      measure();
      return measures.enthalpy_eV;
    },
  };
}

/** out = (m⁻¹)ᵀ for a 3 × 3 row-major m. */
function inverseTranspose(m: Float64Array, out: Float64Array): void {
  const det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  // Cofactor matrix / det is the inverse transpose.
  out[0] = (m[4] * m[8] - m[5] * m[7]) / det;
  out[1] = (m[5] * m[6] - m[3] * m[8]) / det;
  out[2] = (m[3] * m[7] - m[4] * m[6]) / det;
  out[3] = (m[2] * m[7] - m[1] * m[8]) / det;
  out[4] = (m[0] * m[8] - m[2] * m[6]) / det;
  out[5] = (m[1] * m[6] - m[0] * m[7]) / det;
  out[6] = (m[1] * m[5] - m[2] * m[4]) / det;
  out[7] = (m[2] * m[3] - m[0] * m[5]) / det;
  out[8] = (m[0] * m[4] - m[1] * m[3]) / det;
}
