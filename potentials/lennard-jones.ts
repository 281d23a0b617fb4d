/**
 * Lennard-Jones 12-6: E(r) = 4ε[(σ/r)¹² − (σ/r)⁶] − E_shift for r < r_c, per species pair, with
 * Lorentz–Berthelot mixing (σ_ij = (σ_i + σ_j)/2, ε_ij = √(ε_i ε_j); Lorentz, Ann. Phys. 248, 127
 * (1881); Berthelot, C. R. Acad. Sci. 126, 1703 (1898)). With `shift` the energy is shifted to zero
 * at the cutoff (forces unchanged), which removes the energy jump as pairs cross r_c.
 *
 * The kernel (lj-kernel/, in WebAssembly) runs over a half list, LAMMPS-style: per centre, a
 * shift-free loop over the pairs with image 0, then a loop over the few pairs that cross a
 * periodic boundary. The virial comes from Σ_atoms x ⊗ F plus a correction for the imaged pairs
 * ("virial_fdotr"), so the pair loop carries no virial accumulators.
 */
import type { NeighborList, System } from '../engine/index.js';
import type { ForceOutput, Potential } from '../engine/index.js';
import type { DomainPotential } from '../engine/parallel/index.js';
import { createLjKernel } from './lj-kernel/index.js';

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

  // The pair loop runs in WebAssembly (lj-kernel/wat.ts: the same operations in the same order as
  // the JavaScript loop it replaced, so the same bits, about 1.5× faster). Energy and the
  // virial come back through `acc` (no allocation per step).
  const kernel = createLjKernel({ nTypes: nt, lj1, lj2, lj3, lj4, eShift }, rc * rc);
  const acc = new Float64Array(10);

  function compute(system: System, list: NeighborList, out: ForceOutput): void {
    if (list.kind !== 'half') throw new Error(`lennard-jones: needs a half neighbor list, got a ${list.kind} one`);
    if (list.n !== system.n) throw new Error(`lennard-jones: the neighbor list has ${list.n} atoms, the system ${system.n}`);
    if (list.radius_A < rc) throw new Error(`lennard-jones: the neighbor list radius ${list.radius_A} Å is shorter than the cutoff ${rc} Å`);
    kernel.run(system.positions, system.typeIds, list, out.forces, acc);
    symmetrized(acc, out.virial);
    out.energy_eV = acc[0];
  }

  return { name: 'lennard-jones', cutoff_A: rc, neighborKind: 'half', compute };
}

/** The potential as a domain worker evaluates it (engine/parallel): pairs reach one cutoff, so the interaction depth is 1. */
export function lennardJonesDomainPotential(options: LennardJonesOptions, typeNames: readonly string[]): DomainPotential {
  return { ...lennardJones(options, typeNames), interactionDepth: 1 };
}

/**
 * The virial W = Σ_pairs r_ij ⊗ F_j = Σ_atoms x ⊗ f + Σ_imaged shift ⊗ F_j, which the kernel sums
 * into acc[1..9] (O(N) instead of a tensor accumulation per pair: LAMMPS's virial_fdotr), into `w`
 * symmetrized: the exact virial of a pair potential is symmetric, so the antisymmetric part is rounding.
 */
function symmetrized(acc: Float64Array, w: Float64Array): void {
  w[0] = acc[1]; w[4] = acc[5]; w[8] = acc[9];
  w[1] = w[3] = 0.5 * (acc[2] + acc[4]);
  w[2] = w[6] = 0.5 * (acc[3] + acc[7]);
  w[5] = w[7] = 0.5 * (acc[6] + acc[8]);
}
