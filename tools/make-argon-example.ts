/**
 * Makes examples/argon/argon.extxyz: liquid argon as in Rahman's first MD study (Phys. Rev. 136,
 * A405 (1964)): 864 atoms at 1.374 g/cm³ and about 94 K, with ε/kB = 120 K, σ = 3.4 Å.
 * An fcc crystal is melted with Langevin dynamics at 300 K, then cooled to 94.4 K, with e3md's
 * own engine. Run: `npx tsx tools/make-argon-example.ts` (a few seconds).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulation, fccLattice, Rng, symbolsOf } from '../engine/index.js';
import { langevin, maxwellBoltzmann } from '../integrators/index.js';
import { formatExtxyz } from '../io/extxyz-write.js';
import { lennardJones } from '../potentials/index.js';

const amu_g = 1.66053906660e-24;
const density_g_cm3 = 1.374;
const n = 864;
const L_A = Math.cbrt((n * 39.948 * amu_g) / density_g_cm3) * 1e8;
const system = fccLattice({ cells: [6, 6, 6], latticeConstant_A: L_A / 6, symbol: 'Ar' });
const potential = lennardJones({ cutoff_A: 8.5, shift: true, all: { epsilon_eV: 120 * 8.617333262e-5, sigma_A: 3.4 } }, system.typeNames);
maxwellBoltzmann(system, 300, new Rng(1));

async function stage(temperature_K: number, steps: number, seed: number): Promise<void> {
  const sim = createSimulation({ system, potential, integrator: langevin({ timestep_fs: 5, temperature_K, friction_per_ps: 5, seed }) });
  await sim.run(steps);
  const f = await sim.frame();
  process.stdout.write(`T target ${temperature_K} K: T = ${f.temperature_K.toFixed(1)} K, PE = ${f.potentialEnergy_eV.toFixed(3)} eV\n`);
}

await stage(300, 2000, 2); // melt
await stage(94.4, 4000, 3); // cool to Rahman's state point
system.box.wrap(system.positions);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'argon', 'argon.extxyz');
writeFileSync(out, formatExtxyz(
  { symbols: symbolsOf(system), positions: system.positions, velocities: system.velocities, box: system.box, info: { source: 'tools/make-argon-example.ts' } },
));
process.stdout.write(`wrote ${out}: ${n} atoms, box ${L_A.toFixed(3)} Å\n`);
