/**
 * Nosé–Hoover chain NVT, statistically (slow): liquid argon at the bath temperature, a conserved
 * quantity that does not drift, and velocities distributed as Maxwell–Boltzmann (component
 * deviates: Kolmogorov–Smirnov against the normal law, kurtosis; speeds: the χ₃ law's mean).
 * Run by `npm run test:slow`; it prints what it measured.
 */
import { describe, expect, it } from 'vitest';
import { fccLattice } from '../../engine/lattice.js';
import { Rng } from '../../engine/random.js';
import { createSimulation } from '../../engine/simulation.js';
import { amuA2fs2_in_eV, kB_eV_per_K } from '../../engine/units.js';
import { maxwellBoltzmann } from '../../integrators/maxwell-boltzmann.js';
import { noseHoover } from '../../integrators/nose-hoover.js';
import { lennardJones } from '../../potentials/lennard-jones.js';
import { assertEnergyConserved, assertMeanTemperature } from '../../testing/index.js';

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 via erf; |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

describe('Nosé–Hoover chain NVT (slow, statistical)', () => {
  it('liquid argon: mean temperature, no drift of the conserved quantity, Maxwell–Boltzmann velocities', async () => {
    const T = 120, n = 256, mass = 39.948;
    const sys = fccLattice({ cells: [4, 4, 4], latticeConstant_A: 5.6, symbol: 'Ar' });
    maxwellBoltzmann(sys, 2 * T, new Rng(7)); // start hot: the thermostat must bring it down
    const temperatures: number[] = [], times: number[] = [], conserved: number[] = [];
    const scaled: number[] = []; // velocity components / √(kT/m), sampled every 1 ps
    const sd = Math.sqrt((kB_eV_per_K * T) / (mass * amuA2fs2_in_eV));
    const sim = createSimulation({
      system: sys,
      potential: lennardJones({ cutoff_A: 8.5, shift: true, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } }, sys.typeNames),
      integrator: noseHoover({ timestep_fs: 4, temperature_K: T, tdamp_fs: 400, chain: 3 }),
      neighbor: { skin_A: 1 },
      observers: [{ every: 5, observe: (f) => {
        if (f.step <= 5000) return; // 20 ps equilibration
        temperatures.push(f.temperature_K);
        times.push(f.time_fs);
        conserved.push(f.conservedEnergy_eV);
        if (f.step % 250 === 0) for (const v of f.system.velocities) scaled.push(v / sd);
      } }],
    });
    await sim.run(55_000); // + 200 ps sampling
    const { mean_K, standardError_K } = assertMeanTemperature(temperatures, T, { sigmas: 4, blocks: 20 });
    const drift = assertEnergyConserved(times, conserved, { atoms: n, maxDeviation_eV_per_atom: 2e-4, maxDrift_eV_per_atom_per_ps: 1e-6 });

    // Kolmogorov–Smirnov distance of the pooled components from N(0, 1).
    const sorted = Float64Array.from(scaled).sort();
    let ks = 0;
    for (let k = 0; k < sorted.length; k++) {
      const c = normalCdf(sorted[k]);
      ks = Math.max(ks, Math.abs(c - k / sorted.length), Math.abs(c - (k + 1) / sorted.length));
    }
    let m2 = 0, m4 = 0, speeds = 0;
    for (const u of scaled) { m2 += u * u; m4 += u ** 4; }
    m2 /= scaled.length; m4 /= scaled.length;
    for (let k = 0; k < scaled.length; k += 3) speeds += Math.hypot(scaled[k], scaled[k + 1], scaled[k + 2]);
    speeds /= scaled.length / 3;
    const mbMeanSpeed = 2 * Math.sqrt(2 / Math.PI); // ⟨|u|⟩ of a 3-d standard normal vector
    console.log(
      `NHC liquid argon (${n} atoms, ${T} K, 200 ps): mean T ${mean_K.toFixed(3)} ± ${standardError_K.toFixed(3)} K; ` +
      `conserved-quantity drift ${drift.drift_eV_per_atom_per_ps.toExponential(2)} eV/atom/ps, largest deviation ${drift.deviation_eV_per_atom.toExponential(2)} eV/atom; ` +
      `velocities (${scaled.length} components): KS distance ${ks.toFixed(4)}, kurtosis ${(m4 / (m2 * m2)).toFixed(4)} (3), ⟨|v|⟩/MB ${(speeds / mbMeanSpeed).toFixed(4)}`,
    );
    assertMeanTemperature(temperatures, T, { sigmas: 0, minTolerance_K: 0.005 * T });
    // 200 samples × 768 components; frames 1 ps apart are nearly independent. The 1 % critical KS
    // distance for 153,600 independent deviates is 0.0042; allow twice that for residual correlation.
    expect(ks).toBeLessThan(0.0085);
    expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(0.05);
    // The mean speed scatters by ~0.3 % (frame-to-frame temperature fluctuations of 5 % over 200 frames).
    expect(Math.abs(speeds / mbMeanSpeed - 1)).toBeLessThan(0.01);
  });
});
