/**
 * Lennard-Jones 12-6: E(r) = 4ε[(σ/r)¹² − (σ/r)⁶] − E_shift for r < r_c, per species pair, with
 * Lorentz–Berthelot mixing (σ_ij = (σ_i + σ_j)/2, ε_ij = √(ε_i ε_j); Lorentz, Ann. Phys. 248, 127
 * (1881); Berthelot, C. R. Acad. Sci. 126, 1703 (1898)). With `shift` the energy is shifted to zero
 * at the cutoff (forces unchanged), which removes the energy jump as pairs cross r_c.
 *
 * The kernel runs over a half list, LAMMPS-style: per centre, a shift-free loop over the pairs
 * with image 0, then a loop over the few pairs that cross a periodic boundary. The virial comes
 * from Σ_atoms x ⊗ F plus a correction for the imaged pairs ("virial_fdotr"), so the pair loop
 * carries no virial accumulators.
 */
import type { NeighborList } from '../engine/neighbor-list.js';
import type { System } from '../engine/system.js';
import type { ForceOutput, Potential } from './potential.js';

/** ε and σ of one species. */
export interface LennardJonesParameters {
  /** Well depth ε, eV (≥ 0). */
  epsilon_eV: number;
  /** Zero-crossing distance σ, Å (> 0). */
  sigma_A: number;
}

/** Options of the Lennard-Jones potential: one parameter set for all atoms, or one per species. */
export interface LennardJonesOptions {
  /** Cutoff r_c, Å. */
  cutoff_A: number;
  /** Shift energies to zero at the cutoff (default false, as LAMMPS's lj/cut). */
  shift?: boolean;
  /** Parameters for every atom, unless `species` names the atom's species. */
  all?: LennardJonesParameters;
  /** Parameters by chemical symbol, mixed by Lorentz–Berthelot. */
  species?: Readonly<Record<string, LennardJonesParameters>>;
}

/** The mixed parameter tables, indexed by ti × nTypes + tj. */
export interface LennardJonesTable {
  nTypes: number;
  epsilon_eV: Float64Array;
  sigma_A: Float64Array;
}

/**
 * Mixed ε, σ tables for the species `typeNames` (System.typeNames order). Throws a message naming
 * the species when one has no parameters or bad ones.
 *
 * @example
 * lennardJonesTable({ cutoff_A: 8.5, species: { Ar: { epsilon_eV: 0.0104, sigma_A: 3.405 } } }, ['Ar']);
 */
export function lennardJonesTable(options: LennardJonesOptions, typeNames: readonly string[]): LennardJonesTable {
  const nt = typeNames.length;
  const eps = new Float64Array(nt), sig = new Float64Array(nt);
  for (let t = 0; t < nt; t++) {
    const name = typeNames[t];
    const own = options.species && Object.prototype.hasOwnProperty.call(options.species, name) ? options.species[name] : undefined;
    const p = own ?? options.all;
    if (!p) {
      const given = options.species ? Object.keys(options.species).join(', ') : 'none';
      throw new Error(`lennard-jones: no parameters for species "${name}" (parameters given for: ${given})`);
    }
    if (!(p.epsilon_eV >= 0) || !Number.isFinite(p.epsilon_eV)) throw new Error(`lennard-jones: epsilon_eV of "${name}" must be ≥ 0, got ${p.epsilon_eV}`);
    if (!(p.sigma_A > 0) || !Number.isFinite(p.sigma_A)) throw new Error(`lennard-jones: sigma_A of "${name}" must be > 0, got ${p.sigma_A}`);
    eps[t] = p.epsilon_eV;
    sig[t] = p.sigma_A;
  }
  const table: LennardJonesTable = { nTypes: nt, epsilon_eV: new Float64Array(nt * nt), sigma_A: new Float64Array(nt * nt) };
  for (let a = 0; a < nt; a++) {
    for (let b = 0; b < nt; b++) {
      table.epsilon_eV[a * nt + b] = Math.sqrt(eps[a] * eps[b]);
      table.sigma_A[a * nt + b] = 0.5 * (sig[a] + sig[b]);
    }
  }
  return table;
}

/**
 * A Lennard-Jones potential for systems whose species are `typeNames` (System.typeNames).
 *
 * @example
 * const lj = lennardJones({ cutoff_A: 8.5, shift: true, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } }, system.typeNames);
 */
export function lennardJones(options: LennardJonesOptions, typeNames: readonly string[]): Potential {
  const rc = options.cutoff_A;
  if (!(rc > 0) || !Number.isFinite(rc)) throw new Error(`lennard-jones: cutoff_A must be a positive number, got ${rc}`);
  const table = lennardJonesTable(options, typeNames);
  const nt = table.nTypes;
  // Per pair type: force factors lj1, lj2 (F·r/r² = r⁻⁶(lj1 r⁻⁶ − lj2) r⁻²), energy factors lj3, lj4, shift.
  const lj1 = new Float64Array(nt * nt), lj2 = new Float64Array(nt * nt), lj3 = new Float64Array(nt * nt), lj4 = new Float64Array(nt * nt), eShift = new Float64Array(nt * nt);
  for (let k = 0; k < nt * nt; k++) {
    const e = table.epsilon_eV[k], s6 = table.sigma_A[k] ** 6;
    lj1[k] = 48 * e * s6 * s6;
    lj2[k] = 24 * e * s6;
    lj3[k] = 4 * e * s6 * s6;
    lj4[k] = 4 * e * s6;
    const q = s6 / rc ** 6;
    eShift[k] = options.shift ? 4 * e * (q * q - q) : 0;
  }
  const rc2 = rc * rc;

  function compute(system: System, list: NeighborList, out: ForceOutput): void {
    if (list.kind !== 'half') throw new Error(`lennard-jones: needs a half neighbor list, got a ${list.kind} one`);
    if (list.n !== system.n) throw new Error(`lennard-jones: the neighbor list has ${list.n} atoms, the system ${system.n}`);
    if (list.radius_A < rc) throw new Error(`lennard-jones: the neighbor list radius ${list.radius_A} Å is shorter than the cutoff ${rc} Å`);
    const x = system.positions, f = out.forces, type = system.typeIds;
    const { offsets, firstImaged, neighbors, images, imageShifts } = list;
    const n = system.n;
    f.fill(0);
    let energy = 0;
    // Virial correction of imaged pairs: Σ shift ⊗ F_j.
    let cxx = 0, cxy = 0, cxz = 0, cyx = 0, cyy = 0, cyz = 0, czx = 0, czy = 0, czz = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
      const row = type[i] * nt;
      let fxi = 0, fyi = 0, fzi = 0;
      const mid = firstImaged[i], end = offsets[i + 1];
      for (let p = offsets[i]; p < mid; p++) {
        const j = neighbors[p];
        const dx = x[3 * j] - xi, dy = x[3 * j + 1] - yi, dz = x[3 * j + 2] - zi;
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 >= rc2) continue;
        const t = row + type[j];
        const r2inv = 1 / r2;
        const r6inv = r2inv * r2inv * r2inv;
        const fpair = r6inv * (lj1[t] * r6inv - lj2[t]) * r2inv;
        energy += r6inv * (lj3[t] * r6inv - lj4[t]) - eShift[t];
        const fx = fpair * dx, fy = fpair * dy, fz = fpair * dz;
        f[3 * j] += fx;
        f[3 * j + 1] += fy;
        f[3 * j + 2] += fz;
        fxi -= fx;
        fyi -= fy;
        fzi -= fz;
      }
      for (let p = mid; p < end; p++) {
        const j = neighbors[p];
        const s = 3 * images[p];
        const sx = imageShifts[s], sy = imageShifts[s + 1], sz = imageShifts[s + 2];
        const dx = x[3 * j] - xi + sx, dy = x[3 * j + 1] - yi + sy, dz = x[3 * j + 2] - zi + sz;
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 >= rc2) continue;
        const t = row + type[j];
        const r2inv = 1 / r2;
        const r6inv = r2inv * r2inv * r2inv;
        const fpair = r6inv * (lj1[t] * r6inv - lj2[t]) * r2inv;
        energy += r6inv * (lj3[t] * r6inv - lj4[t]) - eShift[t];
        const fx = fpair * dx, fy = fpair * dy, fz = fpair * dz;
        f[3 * j] += fx;
        f[3 * j + 1] += fy;
        f[3 * j + 2] += fz;
        fxi -= fx;
        fyi -= fy;
        fzi -= fz;
        cxx += sx * fx; cxy += sx * fy; cxz += sx * fz;
        cyx += sy * fx; cyy += sy * fy; cyz += sy * fz;
        czx += sz * fx; czy += sz * fy; czz += sz * fz;
      }
      f[3 * i] += fxi;
      f[3 * i + 1] += fyi;
      f[3 * i + 2] += fzi;
    }
    // W = Σ_pairs r ⊗ F_j = Σ_atoms x ⊗ f + Σ_imaged shift ⊗ F_j.
    let wxx = cxx, wxy = cxy, wxz = cxz, wyx = cyx, wyy = cyy, wyz = cyz, wzx = czx, wzy = czy, wzz = czz;
    for (let i = 0; i < n; i++) {
      const px = x[3 * i], py = x[3 * i + 1], pz = x[3 * i + 2];
      const fx = f[3 * i], fy = f[3 * i + 1], fz = f[3 * i + 2];
      wxx += px * fx; wxy += px * fy; wxz += px * fz;
      wyx += py * fx; wyy += py * fy; wyz += py * fz;
      wzx += pz * fx; wzy += pz * fy; wzz += pz * fz;
    }
    const w = out.virial;
    // The exact virial of a pair potential is symmetric; average away rounding asymmetry.
    w[0] = wxx; w[4] = wyy; w[8] = wzz;
    w[1] = w[3] = 0.5 * (wxy + wyx);
    w[2] = w[6] = 0.5 * (wxz + wzx);
    w[5] = w[7] = 0.5 * (wyz + wzy);
    out.energy_eV = energy;
  }

  return { name: 'lennard-jones', cutoff_A: rc, neighborKind: 'half', compute };
}
