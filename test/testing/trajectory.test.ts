/**
 * e3md/testing's trajectory checks on synthetic series: a fluctuating but conserved energy passes,
 * a drifting one and a jumping one fail, naming the bound; a correlated temperature series around
 * its target passes, one 2 % off fails, and block averaging is what keeps correlated noise from
 * passing for precision.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/index.js';
import { AssertionError, assertEnergyConserved, assertMeanTemperature } from '../../testing/index.js';

const atoms = 64;
const times = Array.from({ length: 501 }, (_, k) => 2 * k); // 1 ps at 2 fs
/** Bounded velocity-Verlet-like wobble of the total energy, ±2e-4 eV in all. */
const wobble = (t: number) => 2e-4 * Math.sin(0.37 * t) * Math.cos(0.011 * t);
const bounds = { atoms, maxDeviation_eV_per_atom: 1e-5, maxDrift_eV_per_atom_per_ps: 1e-6 };

describe('assertEnergyConserved', () => {
  it('passes a bounded fluctuation and reports its deviation and drift per atom', () => {
    const r = assertEnergyConserved(times, times.map((t) => -123.4 + wobble(t)), bounds);
    expect(r.deviation_eV_per_atom).toBeGreaterThan(1e-6);
    expect(r.deviation_eV_per_atom).toBeLessThanOrEqual(2e-4 / atoms);
    expect(r.drift_eV_per_atom_per_ps).toBeLessThan(1e-6);
  });

  it('fails a steady drift that stays within the deviation bound', () => {
    const drifting = times.map((t) => -123.4 + wobble(t) + 1e-7 * t); // 1e-4 eV/ps over 64 atoms ≈ 1.6e-6 eV/ps per atom
    expect(() => assertEnergyConserved(times, drifting, { ...bounds, maxDeviation_eV_per_atom: 1e-3 })).toThrow(AssertionError);
    expect(() => assertEnergyConserved(times, drifting, { ...bounds, maxDeviation_eV_per_atom: 1e-3 })).toThrow(/^total energy drifts: 1\.\d+e-6 eV\/ps per atom \(least-squares slope over 501 samples\), above 0\.000001 eV\/ps$/);
  });

  it('fails a jump, naming when the energy was farthest from the start', () => {
    const jumping = times.map((t) => -123.4 + wobble(t) + (t === 600 ? 0.01 : 0));
    expect(() => assertEnergyConserved(times, jumping, { ...bounds, maxDrift_eV_per_atom_per_ps: 1 })).toThrow(/^total energy not conserved: \|E\(t\) − E\(0\)\| per atom is 1\.\d+e-4 eV at 600 fs/);
    expect(() => assertEnergyConserved(times, times.map((t) => (t === 8 ? NaN : 0)), bounds)).toThrow(/the total energy at 8 fs \(sample 4\) is NaN/);
  });

  it('names a usage error plainly', () => {
    expect(() => assertEnergyConserved([0, 1], [0, 0], bounds)).toThrow(/need ≥ 3 samples/);
    expect(() => assertEnergyConserved([0, 2, 2, 4], [0, 0, 0, 0], bounds)).toThrow(/times must increase, but sample 2 is at 2 fs after 2 fs/);
  });
});

describe('assertMeanTemperature', () => {
  /** An AR(1) series around `mean_K`: correlation time ~50 samples, 15 K fluctuations. */
  const correlated = (mean_K: number, m: number, seed: number) => {
    const rng = new Rng(seed), phi = 0.98;
    let x = 0;
    return Array.from({ length: m }, () => (x = phi * x + 15 * Math.sqrt(1 - phi * phi) * rng.normal()) + mean_K);
  };

  it('passes a correlated series around the target, with a standard error that accounts for the correlation', () => {
    const samples = correlated(300, 20_000, 1);
    const r = assertMeanTemperature(samples, 300, { sigmas: 4, blocks: 10 });
    expect(Math.abs(r.mean_K - 300)).toBeLessThan(4 * r.standardError_K);
    // The naive error of the mean, as if the samples were independent, is ~7× smaller.
    const naive = 15 / Math.sqrt(samples.length);
    expect(r.standardError_K).toBeGreaterThan(3 * naive);
  });

  it('fails a series 2 % off target, with the mean, the target and the standard error', () => {
    expect(() => assertMeanTemperature(correlated(306, 20_000, 2), 300)).toThrow(AssertionError);
    expect(() => assertMeanTemperature(correlated(306, 20_000, 2), 300)).toThrow(/^mean temperature 30[5-7]\.\d\d K vs 300 K: off by more than \d\.\d\d K \(standard error \d\.\d\d K\)/);
    // minTolerance_K widens the bound for short runs whose error estimate is itself uncertain.
    expect(assertMeanTemperature(correlated(306, 20_000, 2), 300, { minTolerance_K: 10 }).mean_K).toBeGreaterThan(303);
  });

  it('names a usage error and a non-finite sample', () => {
    expect(() => assertMeanTemperature([300, 301], 300)).toThrow(/2 samples cannot fill 10 blocks/);
    expect(() => assertMeanTemperature(new Array(100).fill(300), 300, { blocks: 1 })).toThrow(/blocks must be an integer ≥ 2/);
    expect(() => assertMeanTemperature([...new Array(50).fill(300), Infinity], 300)).toThrow(/temperature sample 50 is Infinity/);
  });
});
