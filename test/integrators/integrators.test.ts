import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { createCellList } from '../../engine/cell-list.js';
import { Rng } from '../../engine/random.js';
import { createSystem, type System } from '../../engine/system.js';
import { degreesOfFreedom, kineticEnergy, temperatureOf } from '../../engine/thermo.js';
import { amuA2fs2_in_eV, kB_eV_per_K } from '../../engine/units.js';
import { drift, kick, kickDrift } from '../../integrators/half-steps.js';
import { langevin } from '../../integrators/langevin.js';
import { maxwellBoltzmann } from '../../integrators/maxwell-boltzmann.js';
import { velocityVerlet } from '../../integrators/velocity-verlet.js';
import type { Integrator } from '../../engine/integrator.js';
import { createForceOutput, type Potential } from '../../engine/potential.js';
import { assertMeanTemperature } from '../../testing/index.js';
import { harmonicWells } from '../harness/harmonic.js';

/** Steps `integrator` with `potential` directly (no run loop), calling `each` after every step. */
async function integrate(system: System, potential: Potential, integrator: Integrator, steps: number, each: (step: number) => void = () => {}): Promise<void> {
  const list = createCellList({ radius_A: potential.cutoff_A, kind: potential.neighborKind }).build(system.positions, system.box);
  const out = createForceOutput(system.n, system.forces);
  const force = () => potential.compute(system, list, out);
  await force();
  integrator.init(system, out);
  for (let s = 1; s <= steps; s++) {
    await integrator.step(system, force);
    each(s);
  }
}

function oscillators(n: number, mass: number): System {
  return createSystem({ symbols: Array(n).fill('Ar'), positions: new Float64Array(3 * n), masses: Array(n).fill(mass), box: Box.open() });
}

describe('velocity Verlet', () => {
  it('follows the harmonic oscillator: exactly its discrete solution, and the analytic one to O(dt²)', async () => {
    const k = 2.0, m = 39.948, dt = 1.0;
    const omega = Math.sqrt(k / (m * amuA2fs2_in_eV)); // 1/fs
    const sys = oscillators(1, m);
    sys.positions.set([0.3, -0.2, 0.1]);
    const x0 = Float64Array.from(sys.positions);
    // Störmer recurrence x_{n+1} − 2x_n + x_{n−1} = −(ω dt)² x_n with v₀ = 0 gives x_n = x₀ cos(nθ), cos θ = 1 − (ω dt)²/2.
    const theta = Math.acos(1 - (omega * dt) ** 2 / 2);
    let worstDiscrete = 0, worstAnalytic = 0;
    await integrate(sys, harmonicWells(k, new Float64Array(3)), velocityVerlet({ timestep_fs: dt }), 2000, (n) => {
      for (let c = 0; c < 3; c++) {
        worstDiscrete = Math.max(worstDiscrete, Math.abs(sys.positions[c] - x0[c] * Math.cos(n * theta)));
        worstAnalytic = Math.max(worstAnalytic, Math.abs(sys.positions[c] - x0[c] * Math.cos(n * omega * dt)));
      }
    });
    expect(worstDiscrete).toBeLessThan(1e-10); // rounding only
    // Phase error after t: ≈ ω³ dt² t / 24 per unit amplitude.
    const phase = (omega ** 3 * dt * dt * 2000 * dt) / 24;
    expect(worstAnalytic).toBeLessThan(0.3 * phase * 1.5);
    expect(worstAnalytic).toBeGreaterThan(0.3 * phase * 0.5); // the method really is second order, not exact
  });

  it('works with an asynchronous potential', async () => {
    const a = oscillators(2, 12), b = oscillators(2, 12);
    for (const s of [a, b]) s.positions.set([0.1, 0.2, 0.3, -0.1, 0, 0.05]);
    await integrate(a, harmonicWells(1, new Float64Array(6)), velocityVerlet({ timestep_fs: 0.5 }), 50);
    await integrate(b, harmonicWells(1, new Float64Array(6), { async: true }), velocityVerlet({ timestep_fs: 0.5 }), 50);
    expect(Array.from(b.positions)).toEqual(Array.from(a.positions));
  });

  it('kicks and drifts in one pass exactly as a kick, then a drift', () => {
    const rng = new Rng(3), n = 50;
    const a = oscillators(n, 1), b = oscillators(n, 1);
    for (let k = 0; k < 3 * n; k++) {
      a.positions[k] = b.positions[k] = 10 * rng.uniform();
      a.velocities[k] = b.velocities[k] = rng.normal() * 0.01;
      a.forces[k] = b.forces[k] = rng.normal();
    }
    for (let i = 0; i < n; i++) a.masses[i] = b.masses[i] = 1 + 40 * rng.uniform();
    kick(a, 0.25);
    drift(a, 0.5);
    kickDrift(b, 0.25, 0.5);
    expect(Array.from(b.velocities)).toEqual(Array.from(a.velocities));
    expect(Array.from(b.positions)).toEqual(Array.from(a.positions));
  });

  it('rejects a non-positive timestep and massless atoms', () => {
    expect(() => velocityVerlet({ timestep_fs: 0 })).toThrow(/timestep_fs/);
    expect(() => velocityVerlet({ timestep_fs: -1 })).toThrow(/timestep_fs/);
    const sys = oscillators(2, 1);
    sys.masses[1] = 0;
    expect(() => velocityVerlet({ timestep_fs: 1 }).init(sys, createForceOutput(2))).toThrow(/atom 1/);
    // maxwellBoltzmann checks before drawing: a bad mass leaves the velocities untouched.
    sys.velocities.fill(1);
    expect(() => maxwellBoltzmann(sys, 300, new Rng(1))).toThrow(/maxwellBoltzmann: atom 1/);
    expect(Array.from(sys.velocities)).toEqual(Array(6).fill(1));
  });
});

describe('Langevin BAOAB', () => {
  it('holds harmonic oscillators at the bath temperature (kinetic and configurational)', async () => {
    const n = 400, T = 300, k = 1.0, m = 20;
    const sys = oscillators(n, m);
    const integrator = langevin({ timestep_fs: 2, temperature_K: T, friction_per_ps: 20, seed: 11 });
    const kinetic: number[] = [], configurational: number[] = [];
    await integrate(sys, harmonicWells(k, new Float64Array(3 * n)), integrator, 1500, (s) => {
      if (s <= 300) return;
      kinetic.push(temperatureOf(kineticEnergy(sys), 3 * n));
      let x2 = 0;
      for (const x of sys.positions) x2 += x * x;
      configurational.push((k * x2) / (3 * n * kB_eV_per_K)); // equipartition: ⟨k x²⟩ = kT per degree of freedom
    });
    assertMeanTemperature(kinetic, T, { sigmas: 4, minTolerance_K: 2 });
    assertMeanTemperature(configurational, T, { sigmas: 4, minTolerance_K: 2 });
  });

  it('continues bit-identically from a saved random state', async () => {
    const run = async (split: boolean) => {
      const sys = oscillators(5, 10);
      sys.positions.set(Array.from({ length: 15 }, (_, i) => 0.01 * i));
      let integrator = langevin({ timestep_fs: 1, temperature_K: 100, friction_per_ps: 5, seed: 3 });
      await integrate(sys, harmonicWells(1, new Float64Array(15)), integrator, 20);
      if (split) {
        const saved = integrator.saveState();
        integrator = langevin({ timestep_fs: 1, temperature_K: 100, friction_per_ps: 5, seed: 999 });
        integrator.restoreState(saved);
      }
      await integrate(sys, harmonicWells(1, new Float64Array(15)), integrator, 20);
      return Array.from(sys.positions);
    };
    expect(await run(true)).toEqual(await run(false));
  });

  it('rejects bad options', () => {
    expect(() => langevin({ timestep_fs: 1, temperature_K: -1, friction_per_ps: 1, seed: 1 })).toThrow(/temperature_K/);
    expect(() => langevin({ timestep_fs: 1, temperature_K: 300, friction_per_ps: 0, seed: 1 })).toThrow(/friction_per_ps/);
    expect(() => langevin({ timestep_fs: 0, temperature_K: 300, friction_per_ps: 1, seed: 1 })).toThrow(/timestep_fs/);
  });
});

describe('Maxwell–Boltzmann velocities', () => {
  it('have zero total momentum, exactly the requested temperature and Gaussian components', () => {
    const n = 4000;
    const sys = createSystem({ symbols: Array(n).fill('X'), positions: new Float64Array(3 * n), masses: Array.from({ length: n }, (_, i) => (i % 2 ? 4 : 40)), box: Box.open() });
    maxwellBoltzmann(sys, 250, new Rng(1));
    const p = [0, 0, 0];
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) p[c] += sys.masses[i] * sys.velocities[3 * i + c];
    for (const c of p) expect(Math.abs(c)).toBeLessThan(1e-10);
    expect(temperatureOf(kineticEnergy(sys), degreesOfFreedom(n, true))).toBeCloseTo(250, 9);
    // Kurtosis of m^½ v: 3 for a Gaussian.
    let m2 = 0, m4 = 0;
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) {
      const u = Math.sqrt(sys.masses[i]) * sys.velocities[3 * i + c];
      m2 += u * u;
      m4 += u ** 4;
    }
    expect((m4 / (3 * n)) / (m2 / (3 * n)) ** 2).toBeCloseTo(3, 0);
  });
});
