/**
 * e3md/testing's finite-difference checks on plain functions: a Morse cluster with analytic forces
 * and virial passes, in float64 and in float32 arithmetic; a flipped force, a wrong component, a
 * stress-signed virial and an antisymmetric virial error fail with a message naming the culprit.
 */
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/index.js';
import { AssertionError, assertForcesMatchFiniteDifference, assertVirialMatchesFiniteStrain, energyRoundoff, FORCE_DEFAULTS } from '../../testing/index.js';

/** Eight atoms near the corners of a 2.6 Å cube, jittered (Å). */
const CLUSTER = Float64Array.from([0, 0, 0, 2.6, 0.1, 0, 0, 2.5, 0.2, 2.7, 2.6, -0.1, 0.1, 0, 2.6, 2.5, -0.2, 2.7, -0.1, 2.6, 2.5, 2.6, 2.7, 2.6], (x, k) => x + 0.05 * Math.sin(7 * k));

/**
 * Morse pairs E = D (1 − e^{−a(r − r0)})² − D, every pair, open box; forces, and the virial
 * W = −Σ_pairs r ⊗ ∂E/∂r. `round` is applied after every operation (Math.fround: float32 arithmetic).
 */
function morse(positions: Float64Array, round: (x: number) => number = (x) => x) {
  const D = 0.35, a = 1.4, r0 = 2.7;
  const n = positions.length / 3;
  const x = Float64Array.from(positions, round);
  const forces = new Float64Array(3 * n), virial = new Float64Array(9), atomic = new Float64Array(n);
  let energy_eV = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const d = [0, 1, 2].map((k) => round(x[3 * j + k]! - x[3 * i + k]!));
    const r = round(Math.sqrt(round(round(d[0]! * d[0]!) + round(d[1]! * d[1]!) + round(d[2]! * d[2]!))));
    const e = round(Math.exp(round(-a * round(r - r0))));
    const pair = round(round(D * round((1 - e) * (1 - e))) - D);
    energy_eV += pair; // summed in float64, as the engine does
    atomic[i] += pair / 2;
    atomic[j] += pair / 2;
    const dEdr = round(2 * D * a * round(e * round(1 - e)));
    const g = d.map((dk) => round(dEdr * round(dk / r))); // ∂E/∂r_ij, r_ij = x_j − x_i
    for (let k = 0; k < 3; k++) {
      forces[3 * i + k] += g[k]!;
      forces[3 * j + k] -= g[k]!;
      for (let l = 0; l < 3; l++) virial[3 * k + l] -= d[k]! * g[l]!;
    }
  }
  return { energy_eV, forces, virial, atomic };
}

describe('assertForcesMatchFiniteDifference', () => {
  it('passes analytic forces, float64 and float32 (with dtype: float32), and reports what it measured', async () => {
    const r64 = await assertForcesMatchFiniteDifference((p) => morse(p), CLUSTER);
    expect(r64.maxError).toBeLessThan(1e-7);
    expect(r64.maxAnalytic).toBeGreaterThan(0.1);
    const f32 = (p: Float64Array) => morse(p, Math.fround);
    const r32 = await assertForcesMatchFiniteDifference(f32, CLUSTER, { dtype: 'float32' });
    expect(r32.maxError).toBeGreaterThan(1e-6); // float32 noise is there, and within the float32 defaults
    // The float64 defaults (a 1e-5 Å step) drown float32 energies in rounding noise.
    await expect(assertForcesMatchFiniteDifference(f32, CLUSTER)).rejects.toThrow(AssertionError);
    expect(FORCE_DEFAULTS.float32.step_A).toBeGreaterThan(FORCE_DEFAULTS.float64.step_A);
  });

  it('fails forces of the wrong sign, naming the first atom and component', async () => {
    const flipped = (p: Float64Array) => { const r = morse(p); return { ...r, forces: r.forces.map((f) => -f) }; };
    await expect(assertForcesMatchFiniteDifference(flipped, CLUSTER)).rejects.toThrow(/^force on atom 0 component x: analytic -?[\d.e-]+ eV\/Å, finite difference -?[\d.e-]+ eV\/Å/);
  });

  it('fails one wrong component, naming it, and checks only the atoms asked for', async () => {
    const wrong = (p: Float64Array) => { const r = morse(p); r.forces[3 * 5 + 1] += 1e-3; return r; };
    await expect(assertForcesMatchFiniteDifference(wrong, CLUSTER)).rejects.toThrow(/force on atom 5 component y/);
    await expect(assertForcesMatchFiniteDifference(wrong, CLUSTER, { atoms: [0, 4, 6] })).resolves.toBeDefined();
  });

  it('names a usage error plainly', async () => {
    await expect(assertForcesMatchFiniteDifference((p) => morse(p), CLUSTER.subarray(1))).rejects.toThrow(/positions must be \[N, 3\]/);
    await expect(assertForcesMatchFiniteDifference((p) => morse(p), CLUSTER, { atoms: [8] })).rejects.toThrow(/atom 8 is not in 0..7/);
    await expect(assertForcesMatchFiniteDifference((p) => ({ energy_eV: 0, forces: p.subarray(3) }), CLUSTER)).rejects.toThrow(/returned 21 force components for 8 atoms/);
  });
});

describe('energy rounding', () => {
  /** The Morse cluster with float32 atomic energies of −400 eV each (a DFT-like per-species shift), summed in float64. */
  const shifted = (p: Float64Array) => {
    const r = morse(p, Math.fround);
    let energy_eV = 0;
    for (const e of r.atomic) energy_eV += Math.fround(-400 + e);
    return { ...r, energy_eV };
  };

  it('is estimated from the energy and allowed for: large float32 energies pass, and fail when it is ruled out', async () => {
    const report = await assertForcesMatchFiniteDifference(shifted, CLUSTER, { dtype: 'float32' });
    expect(report.energyRoundoff_eV).toBe(energyRoundoff(shifted(Float64Array.from(CLUSTER, Math.fround)).energy_eV, 8, 'float32'));
    expect(report.energyRoundoff_eV).toBeGreaterThan(1e-5);
    expect(report.maxError).toBeGreaterThan(FORCE_DEFAULTS.float32.atol); // the noise is real …
    await expect(assertForcesMatchFiniteDifference(shifted, CLUSTER, { dtype: 'float32', energyRoundoff_eV: 0 })).rejects.toThrow(/\+ 0\.00e\+0 for energy rounding, float32\)$/);
    // … and no excuse for a wrong force: a 0.2 eV/Å error is still caught.
    const wrong = (p: Float64Array) => { const r = shifted(p); r.forces[0] += 0.2; return r; };
    await expect(assertForcesMatchFiniteDifference(wrong, CLUSTER, { dtype: 'float32' })).rejects.toThrow(/^force on atom 0 component x/);
  });

  it('is tiny for float64 and moderate energies', () => {
    expect(energyRoundoff(-1e5, 192, 'float64')).toBeLessThan(4e-10);
    expect(energyRoundoff(-1e5, 192, 'float32')).toBeGreaterThan(1e-4);
  });
});

describe('assertVirialMatchesFiniteStrain', () => {
  const box = Box.open();

  it('passes the analytic virial (all nine components), float64 and float32', async () => {
    const report = await assertVirialMatchesFiniteStrain((p) => morse(p), CLUSTER, box);
    expect(report.maxError).toBeLessThan(1e-7);
    expect(report.maxAnalytic).toBeGreaterThan(0.1);
    await assertVirialMatchesFiniteStrain((p) => morse(p, Math.fround), CLUSTER, box, { dtype: 'float32' });
  });

  it('fails a virial with the stress sign (W = +Σ r ⊗ ∂E/∂r), naming xx', async () => {
    const stressSigned = (p: Float64Array) => { const r = morse(p); return { ...r, virial: r.virial.map((w) => -w) }; };
    await expect(assertVirialMatchesFiniteStrain(stressSigned, CLUSTER, box)).rejects.toThrow(/^virial component xx: analytic/);
  });

  it('fails an antisymmetric error that a symmetrized strain would not see, naming xy', async () => {
    const skewed = (p: Float64Array) => { const r = morse(p); r.virial[1] += 0.01; r.virial[3] -= 0.01; return r; };
    await expect(assertVirialMatchesFiniteStrain(skewed, CLUSTER, box)).rejects.toThrow(/^virial component xy/);
  });

  it('strains the cell with the positions (a periodic box whose energy depends on the cell)', async () => {
    // E = ½ k (V − V0)²: W = −∂E/∂ε = −k (V − V0) V δ (∂V/∂ε_ab = V δ_ab).
    const k = 1e-3, V0 = 900;
    const volumeEnergy = (_: Float64Array, b: Box) => {
      const V = b.volume, w = -k * (V - V0) * V;
      return { energy_eV: 0.5 * k * (V - V0) ** 2, virial: Float64Array.from([w, 0, 0, 0, w, 0, 0, 0, w]) };
    };
    const cell = new Box([10, 0, 0, 1, 9, 0, 0.5, -1, 11], [true, true, true]);
    await assertVirialMatchesFiniteStrain(volumeEnergy, CLUSTER, cell);
    const forgotten = (p: Float64Array, b: Box) => ({ ...volumeEnergy(p, b), virial: new Float64Array(9) });
    await expect(assertVirialMatchesFiniteStrain(forgotten, CLUSTER, cell)).rejects.toThrow(/virial component xx: analytic 0 eV/);
  });
});
