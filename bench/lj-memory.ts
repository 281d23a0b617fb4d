/**
 * Memory check: 1,000,000 Lennard-Jones argon atoms (fcc, 63×63×63 cells = 1,000,188 atoms, the
 * melt benchmark's density and cutoffs), neighbor list built and a few velocity-Verlet steps run;
 * reports the process's resident set size. Goal: under 1 GB.
 *
 * Usage: npx tsx bench/lj-memory.ts [--cells 63] [--steps 3]
 * Prints one JSON object on stdout.
 */
import { amuA2fs2_in_eV, createSimulation, fccLattice, kB_eV_per_K, Rng } from '../engine/index.js';
import { maxwellBoltzmann, velocityVerlet } from '../integrators/index.js';
import { lennardJones } from '../potentials/index.js';

const sigma_A = 3.405, epsilon_eV = 0.0104, mass_amu = 39.948;
const tau_fs = sigma_A * Math.sqrt((mass_amu * amuA2fs2_in_eV) / epsilon_eV);

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(name);
  if (k < 0) return fallback;
  const v = Number(process.argv[k + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`lj-memory: ${name} needs a positive integer, got ${process.argv[k + 1]}`);
  return v;
}

const MiB = 1024 * 1024;
const cells = option('--cells', 63), steps = option('--steps', 3);
const system = fccLattice({ cells: [cells, cells, cells], latticeConstant_A: sigma_A * Math.cbrt(4 / 0.8442), symbol: 'Ar', mass_amu });
maxwellBoltzmann(system, (3.0 * epsilon_eV) / kB_eV_per_K, new Rng(87287));
const potential = lennardJones({ cutoff_A: 2.5 * sigma_A, all: { epsilon_eV, sigma_A } }, system.typeNames);
const sim = createSimulation({ system, potential, integrator: velocityVerlet({ timestep_fs: 0.005 * tau_fs }), neighbor: { skin_A: 0.3 * sigma_A } });
const t0 = performance.now();
const summary = await sim.run(steps);
const mem = process.memoryUsage();
const list = sim.neighbors.list!;
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'lj-memory',
    atoms: system.n,
    steps,
    pairs: list.nPairs,
    rss_MiB: Math.round(mem.rss / MiB),
    arrayBuffers_MiB: Math.round(mem.arrayBuffers / MiB),
    heapUsed_MiB: Math.round(mem.heapUsed / MiB),
    under1GB: mem.rss < 1e9,
    wall_s: (performance.now() - t0) / 1000,
    stepsPerSecond: summary.stepsPerSecond,
  }, null, 2)}\n`,
);
