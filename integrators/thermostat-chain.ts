/**
 * A Nosé–Hoover chain thermostat (Martyna, Klein & Tuckerman, J. Chem. Phys. 97, 2635 (1992),
 * eqs. 2.9–2.12) acting on a set of degrees of freedom through their kinetic energy, propagated
 * by the factorisation of Martyna, Tuckerman, Tobias & Klein, Mol. Phys. 87, 1117 (1996), §4.3
 * (eqs. 29–32): Suzuki–Yoshida weights around a Trotter split of the chain, exact scalings
 * exp(−v δ/4) around each thermostat kick. One chain is the whole NVT thermostat of Nosé–Hoover;
 * MTK NPT uses two, one on the particles and one on the barostat.
 *
 * Variables (thermostat k = 1 … M): position ξ_k (dimensionless), velocity v_k = p_ξk / Q_k (1/fs),
 * masses Q_1 = N_f kT τ², Q_k = kT τ² (eV fs²), as MTK's §2 and LAMMPS's fix nvt choose them.
 * Forces: G_1 = (Σ m v² − N_f kT) / Q_1, G_k = (Q_{k−1} v_{k−1}² − kT) / Q_k.
 */
import { kB_eV_per_K } from '../engine/index.js';

/** Options of a thermostat chain. */
export interface ThermostatChainOptions {
  /** Number of thermostats M (≥ 1). */
  length: number;
  /** Degrees of freedom N_f of the thermostatted kinetic energy (> 0). */
  dof: number;
  /** Target temperature, K (> 0). */
  temperature_K: number;
  /** Thermostat period τ, fs (> 0): the masses are Q_1 = N_f kT τ², Q_k = kT τ². */
  tdamp_fs: number;
  /** Suzuki–Yoshida order: 1, 3 (default) or 5 (MTK 1996 eq. 31). */
  yoshidaOrder?: 1 | 3 | 5;
}

/** A chain's state and its propagator. */
export interface ThermostatChain {
  readonly length: number;
  /** (M,) positions ξ_k. */
  readonly xi: Float64Array;
  /** (M,) velocities v_k = p_ξk / Q_k, 1/fs. */
  readonly v_per_fs: Float64Array;
  /**
   * Propagates the chain by `dt_fs` for thermostatted degrees of freedom whose Σ m v² is
   * `twoKinetic_eV` at the start, and returns the factor by which their velocities must be scaled
   * (the caller scales them: particles, or a barostat's momenta).
   */
  propagate(twoKinetic_eV: number, dt_fs: number): number;
  /** Σ ½ Q_k v_k² + N_f kT ξ_1 + kT Σ_{k≥2} ξ_k, eV: the chain's share of the conserved energy. */
  energy(): number;
  /** Writes the state into `variables` under `${prefix}_xi` and `${prefix}_v_per_fs`. */
  save(variables: Record<string, number[]>, prefix: string): void;
  /** Reads the state written by `save`; throws naming the variable when it is missing or has another chain length. */
  restore(variables: Readonly<Record<string, readonly number[]>>, prefix: string, who: string): void;
}

function yoshidaWeights(order: 1 | 3 | 5): number[] {
  if (order === 1) return [1];
  if (order === 3) {
    const w = 1 / (2 - 2 ** (1 / 3));
    return [w, 1 - 2 * w, w];
  }
  const w = 1 / (4 - 4 ** (1 / 3));
  return [w, w, 1 - 4 * w, w, w];
}

/**
 * A Nosé–Hoover chain at rest (ξ = 0, v = 0).
 *
 * @example
 * const chain = createThermostatChain({ length: 3, dof: 3 * n - 3, temperature_K: 300, tdamp_fs: 100 });
 * const s = chain.propagate(2 * kineticEnergy(system), dt / 2); // then v ← s v
 */
export function createThermostatChain(options: ThermostatChainOptions): ThermostatChain {
  const { length: M, dof, temperature_K, tdamp_fs } = options;
  if (!Number.isInteger(M) || M < 1) throw new Error(`thermostat chain: length must be a positive integer, got ${M}`);
  if (!(dof > 0)) throw new Error(`thermostat chain: needs at least one degree of freedom, got ${dof}`);
  if (!(temperature_K > 0) || !Number.isFinite(temperature_K)) throw new Error(`thermostat chain: temperature_K must be > 0, got ${temperature_K}`);
  if (!(tdamp_fs > 0) || !Number.isFinite(tdamp_fs)) throw new Error(`thermostat chain: tdamp_fs must be > 0, got ${tdamp_fs}`);
  const kT = kB_eV_per_K * temperature_K;
  const q = new Float64Array(M).fill(kT * tdamp_fs * tdamp_fs);
  q[0] *= dof;
  const xi = new Float64Array(M), v = new Float64Array(M);
  const weights = yoshidaWeights(options.yoshidaOrder ?? 3);

  /** G_k for the current velocities, with Σ m v² of the thermostatted set = twoK. */
  const force = (k: number, twoK: number): number => (k === 0 ? (twoK - dof * kT) / q[0] : (q[k - 1] * v[k - 1] * v[k - 1] - kT) / q[k]);

  return {
    length: M,
    xi,
    v_per_fs: v,
    propagate(twoKinetic_eV, dt_fs) {
      let scale = 1;
      let twoK = twoKinetic_eV;
      for (const w of weights) {
        const h = w * dt_fs;
        // Top of the chain down to the first thermostat (MTK 1996 eq. 32, first half).
        v[M - 1] += 0.5 * h * force(M - 1, twoK);
        for (let k = M - 2; k >= 0; k--) {
          const e = Math.exp(-0.25 * h * v[k + 1]);
          v[k] = (v[k] * e + 0.5 * h * force(k, twoK)) * e;
        }
        // The thermostatted velocities scale by exp(−h v_1); the positions ξ advance.
        const s = Math.exp(-h * v[0]);
        scale *= s;
        twoK *= s * s;
        for (let k = 0; k < M; k++) xi[k] += h * v[k];
        // And back up the chain, each kick with the forces of the updated velocities below it.
        for (let k = 0; k < M - 1; k++) {
          const e = Math.exp(-0.25 * h * v[k + 1]);
          v[k] = (v[k] * e + 0.5 * h * force(k, twoK)) * e;
        }
        v[M - 1] += 0.5 * h * force(M - 1, twoK);
      }
      return scale;
    },
    energy() {
      let e = dof * kT * xi[0];
      for (let k = 0; k < M; k++) e += 0.5 * q[k] * v[k] * v[k];
      for (let k = 1; k < M; k++) e += kT * xi[k];
      return e;
    },
    save(variables, prefix) {
      variables[`${prefix}_xi`] = Array.from(xi);
      variables[`${prefix}_v_per_fs`] = Array.from(v);
    },
    restore(variables, prefix, who) {
      for (const [name, into] of [[`${prefix}_xi`, xi], [`${prefix}_v_per_fs`, v]] as const) {
        const saved = Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
        if (!saved) throw new Error(`${who}: the saved state has no "${name}"`);
        if (saved.length !== M) throw new Error(`${who}: the saved "${name}" has ${saved.length} thermostats, this run's chain has ${M}`);
        into.set(saved);
      }
    },
  };
}
