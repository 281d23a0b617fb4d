/**
 * The LAMMPS melt (LAMMPS's bench/in.lj; here bench/lammps/in.lj-melt) in real argon units, shared
 * by the Lennard-Jones benchmarks: fcc argon at reduced density 0.8442, T* = 3.0 initial
 * (Maxwell–Boltzmann, seed 87287), cutoff 2.5σ, skin 0.3σ, steps of 0.005τ.
 */
import { amuA2fs2_in_eV, createSystem, fccLattice, kB_eV_per_K, Rng, type System } from '../engine/index.js';
import { maxwellBoltzmann } from '../integrators/index.js';

export const MELT = (() => {
  const sigma_A = 3.405, epsilon_eV = 0.0104, mass_amu = 39.948;
  const tau_fs = sigma_A * Math.sqrt((mass_amu * amuA2fs2_in_eV) / epsilon_eV);
  return {
    sigma_A, epsilon_eV, mass_amu,
    /** The LJ time unit τ = σ √(m/ε), fs. */
    tau_fs,
    timestep_fs: 0.005 * tau_fs,
    cutoff_A: 2.5 * sigma_A,
    skin_A: 0.3 * sigma_A,
    /** The fcc lattice constant at ρ* = 0.8442, Å. */
    latticeConstant_A: sigma_A * Math.cbrt(4 / 0.8442),
    /** The initial temperature T* = 3.0, K. */
    temperature_K: (3.0 * epsilon_eV) / kB_eV_per_K,
  } as const;
})();

/** The potential's options as `lennardJones` (and input.json's "lennard-jones", with `kind`) take them. */
export const meltPotentialOptions = { cutoff_A: MELT.cutoff_A, all: { epsilon_eV: MELT.epsilon_eV, sigma_A: MELT.sigma_A } };

/**
 * The melt of `cells`³ fcc cells (4 atoms each; 20 → 32,000 atoms) with its initial velocities; in
 * shared memory (createSystem `shared`) for a worker pool when `shared`.
 */
export function meltSystem(cells: number, options: { shared?: boolean; velocities?: boolean } = {}): System {
  const crystal = fccLattice({ cells: [cells, cells, cells], latticeConstant_A: MELT.latticeConstant_A, symbol: 'Ar', mass_amu: MELT.mass_amu });
  const system = options.shared
    ? createSystem({ symbols: new Array(crystal.n).fill('Ar'), positions: crystal.positions, masses: crystal.masses, box: crystal.box, shared: true })
    : crystal;
  if (options.velocities ?? true) maxwellBoltzmann(system, MELT.temperature_K, new Rng(87287));
  return system;
}
