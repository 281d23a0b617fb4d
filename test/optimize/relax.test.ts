/**
 * Relaxation: FIRE and L-BFGS find the LJ13 icosahedron (E = −44.326801 ε, Wales & Doye, J. Phys.
 * Chem. A 101, 5111 (1997)) from a perturbed start, an fcc crystal relaxes its cell to the analytic
 * zero-pressure lattice constant of the truncated potential, and to a target pressure; the
 * cell-filter objective's gradient is its energy's derivative.
 */
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { fccLattice } from '../../engine/lattice.js';
import { createForceOutput } from '../../engine/potential.js';
import { Rng } from '../../engine/random.js';
import { createSystem, type System } from '../../engine/system.js';
import { createCellList } from '../../engine/cell-list.js';
import { eV_per_A3_in_bar } from '../../engine/units.js';
import { relax } from '../../optimize/relax.js';
import { relaxObjective } from '../../optimize/relax-objective.js';
import { lennardJones } from '../../potentials/lennard-jones.js';

/** 13 atoms: a centre and the 12 vertices of an icosahedron at 1.1 σ, each moved 0.05 σ in a random direction. */
function perturbedIcosahedron(seed: number): System {
  const phi = (1 + Math.sqrt(5)) / 2, scale = 1.1 / Math.hypot(1, phi);
  const pos = [0, 0, 0];
  for (const s1 of [-1, 1]) for (const s2 of [-1, 1]) pos.push(0, s1 * scale, s2 * phi * scale, s1 * scale, s2 * phi * scale, 0, s2 * phi * scale, 0, s1 * scale);
  const r = new Rng(seed);
  for (let i = 0; i < 13; i++) {
    const d = [r.normal(), r.normal(), r.normal()];
    const len = Math.hypot(d[0], d[1], d[2]);
    for (let c = 0; c < 3; c++) pos[3 * i + c] += (0.05 * d[c]) / len;
  }
  return createSystem({ symbols: Array(13).fill('Ar'), positions: pos, masses: Array(13).fill(1), box: Box.open() });
}

/** LJ in reduced units: ε = 1 eV, σ = 1 Å. */
const reducedLj = (cutoff: number, shift: boolean) => lennardJones({ cutoff_A: cutoff, shift, all: { epsilon_eV: 1, sigma_A: 1 } }, ['Ar']);

/**
 * The zero-pressure fcc lattice constant of LJ truncated at r_c (forces vanish beyond r_c; a shift
 * changes no force): the root of Σ_{r<r_c} (2 σ¹² r⁻¹² − σ⁶ r⁻⁶) = 0 over the neighbours r of a site,
 * i.e. a = σ (2 S₁₂/S₆)^{1/6} with S_p = Σ |n|⁻ᵖ over the lattice vectors n (a = 1) within r_c / a.
 */
function analyticLatticeConstant(cutoff: number): number {
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  let a = 1.55;
  for (let iter = 0; iter < 50; iter++) {
    let s12 = 0, s6 = 0;
    const m = Math.ceil(cutoff / a) + 1;
    for (let i = -m; i <= m; i++) for (let j = -m; j <= m; j++) for (let k = -m; k <= m; k++) for (const b of basis) {
      const r = a * Math.hypot(i + b[0], j + b[1], k + b[2]);
      if (r === 0 || r >= cutoff) continue;
      const u = r / a;
      s12 += u ** -12;
      s6 += u ** -6;
    }
    a = (2 * s12 / s6) ** (1 / 6);
  }
  return a;
}

describe('relaxation', () => {
  it.each(['fire', 'lbfgs'] as const)('%s: the perturbed LJ13 icosahedron relaxes to E = −44.326801 ε', async (method) => {
    const system = perturbedIcosahedron(13);
    const result = await relax(system, reducedLj(10, false), { method, fmax_eV_A: 1e-6, max_steps: 2000, cell: false, pressure_bar: 0 });
    expect(result.converged).toBe(true);
    expect(result.fmax_eV_A).toBeLessThan(1e-6);
    expect(result.energy_eV).toBeCloseTo(-44.326801, 6);
    expect(Array.from(system.velocities).every((v) => v === 0)).toBe(true);
  });

  it.each(['fire', 'lbfgs'] as const)('%s: an fcc crystal relaxes its cell to the analytic zero-pressure lattice constant for r_c = 2.5 σ', async (method) => {
    const a0 = analyticLatticeConstant(2.5);
    expect(a0).toBeCloseTo(1.5496, 3); // the untruncated lattice has 1.5417 σ (nearest neighbours at 1.0902 σ)
    const system = fccLattice({ cells: [3, 3, 3], latticeConstant_A: 1.6, symbol: 'Ar' });
    const result = await relax(system, reducedLj(2.5, true), { method, fmax_eV_A: 1e-7, max_steps: 3000, cell: true, pressure_bar: 0, skin_A: 0.3 });
    expect(result.converged).toBe(true);
    const c = system.box.cell;
    for (const k of [0, 4, 8]) expect(c[k] / 3).toBeCloseTo(a0, 7);
    for (const k of [1, 2, 3, 5, 6, 7]) expect(Math.abs(c[k])).toBeLessThan(1e-7);
    expect(result.cellForce_eV).toBeLessThan(1e-7);
  });

  it('relaxes a cell to a target pressure (configurational pressure = target, cell force below fmax)', async () => {
    const system = fccLattice({ cells: [2, 2, 2], latticeConstant_A: 5.3, symbol: 'Ar' });
    const lj = lennardJones({ cutoff_A: 8.5, shift: true, all: { epsilon_eV: 0.010341, sigma_A: 3.4 } }, ['Ar']);
    const zero = await relax(fccLattice({ cells: [2, 2, 2], latticeConstant_A: 5.3, symbol: 'Ar' }), lj, { method: 'lbfgs', fmax_eV_A: 1e-6, max_steps: 500, cell: true, pressure_bar: 0 });
    const result = await relax(system, lj, { method: 'lbfgs', fmax_eV_A: 1e-6, max_steps: 500, cell: true, pressure_bar: 5000 });
    expect(result.converged).toBe(true);
    expect(result.pressure_bar).toBeCloseTo(5000, 0);
    expect(result.cellForce_eV).toBeLessThan(1e-6);
    expect(result.enthalpy_eV).toBeCloseTo(result.energy_eV + (5000 / eV_per_A3_in_bar) * system.box.volume, 10);
    expect(zero.converged).toBe(true);
    expect(system.box.volume).toBeLessThan(0.99 * 32 * 5.3 ** 3); // squeezed below the zero-pressure volume…
    expect(Math.abs(zero.pressure_bar)).toBeLessThan(1);
  });

  it('stops after the step in progress when its signal aborts (Ctrl-C), the last step reported as last', async () => {
    const abort = new AbortController();
    const seen: [number, boolean][] = [];
    const result = await relax(perturbedIcosahedron(3), reducedLj(10, false), { method: 'fire', fmax_eV_A: 1e-9, max_steps: 1000, cell: false, pressure_bar: 0 }, {
      signal: abort.signal,
      onStep: (s, last) => { seen.push([s.step, last]); if (s.step === 3) abort.abort(); },
    });
    expect(result).toMatchObject({ converged: false, aborted: true, steps: 4 });
    expect(seen[seen.length - 1]).toEqual([4, true]);
  });

  it('stops at max_steps without converging, and rejects a cell relaxation of a cluster', async () => {
    const result = await relax(perturbedIcosahedron(2), reducedLj(10, false), { method: 'fire', fmax_eV_A: 1e-9, max_steps: 5, cell: false, pressure_bar: 0 });
    expect(result).toMatchObject({ converged: false, steps: 5 });
    await expect(relax(perturbedIcosahedron(2), reducedLj(10, false), { method: 'fire', fmax_eV_A: 0.01, max_steps: 5, cell: true, pressure_bar: 0 }))
      .rejects.toThrow(/cell relaxation needs a cell periodic along a, b and c; the structure has pbc="F F F"/);
  });
});

describe('cell-filter objective', () => {
  it('its gradient is the derivative of the enthalpy, atoms and cell, in a triclinic cell under pressure', async () => {
    const system = fccLattice({ cells: [2, 2, 2], latticeConstant_A: 5.4, symbol: 'Ar' });
    const frac = system.box.toFractional(system.positions);
    system.box = new Box([10.8, 0, 0, 1.1, 10.6, 0, -0.7, 0.9, 11.0], [true, true, true]);
    system.box.toCartesian(frac, system.positions);
    const r = new Rng(9);
    for (let k = 0; k < system.positions.length; k++) system.positions[k] += 0.1 * r.normal();
    const lj = lennardJones({ cutoff_A: 8.5, shift: true, all: { epsilon_eV: 0.010341, sigma_A: 3.4 } }, ['Ar']);
    const out = createForceOutput(system.n, system.forces);
    const evaluate = async (): Promise<void> => lj.compute(system, createCellList({ radius_A: 8.5, kind: 'half' }).build(system.positions, system.box), out);
    const objective = relaxObjective(system, out, evaluate, { cell: true, pressure_bar: 3000 });
    const x = objective.initial();
    // Move off the start, so that D ≠ 1 and the D⁻ᵀ factor is exercised.
    for (let k = 0; k < 9; k++) x[3 * system.n + k] += system.n * 0.02 * (r.uniform() - 0.5);
    const g = new Float64Array(objective.dim), scratch = new Float64Array(objective.dim);
    await objective.evaluate(x, g);
    const h = 1e-6;
    const components = [0, 1, 2, 17, 40, ...Array.from({ length: 9 }, (_, k) => 3 * system.n + k)];
    for (const k of components) {
      const xp = Float64Array.from(x), xm = Float64Array.from(x);
      xp[k] += h; xm[k] -= h;
      const numeric = ((await objective.evaluate(xp, scratch)) - (await objective.evaluate(xm, scratch))) / (2 * h);
      expect(Math.abs(numeric - g[k]), `component ${k}: analytic ${g[k]}, numeric ${numeric}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(g[k]));
    }
    expect(Math.max(...components.slice(-9).map((k) => Math.abs(g[k])))).toBeGreaterThan(1e-3);
  });
});
