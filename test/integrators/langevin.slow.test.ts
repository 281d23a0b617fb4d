import { describe, it } from 'vitest';
import { fccLattice } from '../../engine/lattice.js';
import { Rng } from '../../engine/random.js';
import { createSimulation } from '../../engine/simulation.js';
import { langevin } from '../../integrators/langevin.js';
import { maxwellBoltzmann } from '../../integrators/maxwell-boltzmann.js';
import { lennardJones } from '../../potentials/lennard-jones.js';
import { assertMeanTemperature } from '../../testing/index.js';

describe('Langevin BAOAB (slow, statistical)', () => {
  it('holds liquid argon at the bath temperature: mean within 4 standard errors and 0.5%', async () => {
    // 256 atoms of liquid argon (fcc 4×4×4 at 5.6 Å, well above the melting point at 140 K).
    const sys = fccLattice({ cells: [4, 4, 4], latticeConstant_A: 5.6, symbol: 'Ar' });
    maxwellBoltzmann(sys, 140, new Rng(5));
    const T = 140;
    const samples: number[] = [];
    const sim = createSimulation({
      system: sys,
      potential: lennardJones({ cutoff_A: 8.5, shift: true, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } }, sys.typeNames),
      integrator: langevin({ timestep_fs: 5, temperature_K: T, friction_per_ps: 5, seed: 2024 }),
      neighbor: { skin_A: 1 },
      observers: [{ every: 5, observe: (f) => { if (f.step > 2000) samples.push(f.temperature_K); } }],
    });
    await sim.run(42_000); // 10 ps equilibration + 200 ps sampling
    const { mean_K, standardError_K } = assertMeanTemperature(samples, T, { sigmas: 4, blocks: 20 });
    console.log(`Langevin liquid argon: mean ${mean_K.toFixed(3)} K ± ${standardError_K.toFixed(3)} K (target ${T} K)`);
    assertMeanTemperature(samples, T, { sigmas: 0, minTolerance_K: 0.005 * T });
  });
});
