/**
 * The named pieces integrators are assembled from (Leimkuhler & Matthews, "Molecular Dynamics",
 * Springer 2015, §7.3: the B, A and O maps). Each is a flat loop over typed arrays.
 */
import { type IntegratorState, type Rng, type System, amuA2fs2_in_eV, kB_eV_per_K } from '../engine/index.js';

/**
 * B (kick): v ← v + (dt_fs / m) F. Forces eV/Å, masses amu, velocities Å/fs; the factor
 * 1/103.64 converts (eV/Å)/amu to Å/fs².
 */
export function kick(system: System, dt_fs: number): void {
  const v = system.velocities, f = system.forces, m = system.masses;
  const c = dt_fs / amuA2fs2_in_eV;
  for (let i = 0; i < system.n; i++) {
    const s = c / m[i];
    v[3 * i] += s * f[3 * i];
    v[3 * i + 1] += s * f[3 * i + 1];
    v[3 * i + 2] += s * f[3 * i + 2];
  }
}

/**
 * B then A in one pass over the atoms: v ← v + (kick_fs / m) F, then x ← x + drift_fs v (the
 * same operations as kick, then drift, so the same bits; one pass over memory fewer, which is
 * what these loops cost on large systems).
 */
export function kickDrift(system: System, kick_fs: number, drift_fs: number): void {
  const v = system.velocities, f = system.forces, m = system.masses, x = system.positions;
  const c = kick_fs / amuA2fs2_in_eV;
  for (let i = 0; i < system.n; i++) {
    const s = c / m[i];
    v[3 * i] += s * f[3 * i];
    v[3 * i + 1] += s * f[3 * i + 1];
    v[3 * i + 2] += s * f[3 * i + 2];
    x[3 * i] += drift_fs * v[3 * i];
    x[3 * i + 1] += drift_fs * v[3 * i + 1];
    x[3 * i + 2] += drift_fs * v[3 * i + 2];
  }
}

/** A (drift): x ← x + dt_fs v. */
export function drift(system: System, dt_fs: number): void {
  const x = system.positions, v = system.velocities;
  for (let k = 0; k < x.length; k++) x[k] += dt_fs * v[k];
}

/**
 * O (Ornstein–Uhlenbeck): v ← c₁ v + √((1 − c₁²) kT/m) ξ, c₁ = exp(−γ dt), ξ ~ N(0, 1) — the exact
 * solution of dv = −γ v dt + √(2γ kT/m) dW over dt. `gamma_per_fs` is the friction γ in 1/fs.
 */
export function ornsteinUhlenbeck(system: System, dt_fs: number, gamma_per_fs: number, temperature_K: number, rng: Rng): void {
  const v = system.velocities, m = system.masses;
  const c1 = Math.exp(-gamma_per_fs * dt_fs);
  // kT/m in (Å/fs)²: kT in eV divided by m in amu·(Å/fs)² per eV.
  const c2kT = Math.sqrt(1 - c1 * c1) * Math.sqrt((kB_eV_per_K * temperature_K) / amuA2fs2_in_eV);
  for (let i = 0; i < system.n; i++) {
    const s = c2kT / Math.sqrt(m[i]);
    v[3 * i] = c1 * v[3 * i] + s * rng.normal();
    v[3 * i + 1] = c1 * v[3 * i + 1] + s * rng.normal();
    v[3 * i + 2] = c1 * v[3 * i + 2] + s * rng.normal();
  }
}

/** Throws unless every mass is positive and finite (a zero mass makes kicks infinite). */
export function checkMasses(system: System, who: string): void {
  for (let i = 0; i < system.n; i++) {
    const m = system.masses[i];
    if (!(m > 0) || !Number.isFinite(m)) throw new Error(`${who}: atom ${i} (${system.typeNames[system.typeIds[i]]}) has mass ${m} amu; masses must be positive`);
  }
}

/** Throws unless `state` is that of a deterministic scheme without extended variables (velocity Verlet). */
export function checkStatelessRestore(state: IntegratorState, who: string): void {
  const names = Object.keys(state.variables);
  if (state.rng !== null || names.length > 0) {
    throw new Error(`${who}: the saved state has ${state.rng ? 'a random-number state' : `variables ${names.join(', ')}`}, which ${who} does not use`);
  }
}

/** Scales every velocity by `factor` (a thermostat's exp(−∫v_ξ dt)). */
export function scaleVelocities(system: System, factor: number): void {
  const v = system.velocities;
  for (let k = 0; k < v.length; k++) v[k] *= factor;
}

/** Checks an integrator's `timestep_fs` (> 0, finite). */
export function checkTimestep(dt: number, who: string): void {
  if (!(dt > 0) || !Number.isFinite(dt)) throw new Error(`${who}: timestep_fs must be a positive number, got ${dt}`);
}
