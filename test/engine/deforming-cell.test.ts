/**
 * The Verlet list under a deforming cell (NPT, cell relaxation): while it says no rebuild is
 * needed, the pairs it holds, with shifts moved to the new cell, give exactly the forces of a
 * fresh list; it asks for a rebuild once the deformation and the atoms' own motion could have
 * brought an unlisted pair within the cutoff.
 */
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { createCellList } from '../../engine/cell-list.js';
import { fccLattice } from '../../engine/lattice.js';
import { createForceOutput } from '../../engine/potential.js';
import { Rng } from '../../engine/random.js';
import type { System } from '../../engine/system.js';
import { createVerletList } from '../../engine/verlet-list.js';
import { lennardJones } from '../../potentials/lennard-jones.js';

const CUTOFF = 6, SKIN = 1;

/** A jittered argon crystal in a sheared (triclinic) cell of 108 atoms. */
function crystal(): System {
  const s = fccLattice({ cells: [3, 3, 3], latticeConstant_A: 5.3, symbol: 'Ar' });
  const sheared = Float64Array.from([15.9, 0, 0, 1.2, 15.7, 0, -0.8, 0.9, 16.1]);
  const frac = s.box.toFractional(s.positions);
  s.box = new Box(sheared, [true, true, true]);
  s.box.toCartesian(frac, s.positions);
  const r = new Rng(3);
  for (let k = 0; k < s.positions.length; k++) s.positions[k] += 0.05 * r.normal();
  return s;
}

/** Positions and cell carried by x → x·M (an affine deformation), plus a non-affine jitter. */
function deform(s: System, m: number[], jitter_A: number, seed: number): void {
  const x = s.positions;
  for (let i = 0; i < x.length; i += 3) {
    const a = x[i], b = x[i + 1], c = x[i + 2];
    x[i] = a * m[0] + b * m[3] + c * m[6];
    x[i + 1] = a * m[1] + b * m[4] + c * m[7];
    x[i + 2] = a * m[2] + b * m[5] + c * m[8];
  }
  const r = new Rng(seed);
  for (let k = 0; k < x.length; k++) x[k] += jitter_A * (2 * r.uniform() - 1) / Math.sqrt(3);
  const h = s.box.cell, out = new Float64Array(9);
  for (let row = 0; row < 3; row++) for (let col = 0; col < 3; col++) out[3 * row + col] = h[3 * row] * m[col] + h[3 * row + 1] * m[3 + col] + h[3 * row + 2] * m[6 + col];
  s.box = s.box.withCell(out);
}

describe('Verlet list in a deforming cell', () => {
  const lj = lennardJones({ cutoff_A: CUTOFF, shift: true, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } }, ['Ar']);

  it('a followed list gives the forces, energy and virial of a fresh one until it asks for a rebuild', () => {
    const s = crystal();
    const verlet = createVerletList({ cutoff_A: CUTOFF, skin_A: SKIN, kind: 'half' });
    verlet.build(s.positions, s.box);
    const rng = new Rng(7);
    let followed = 0;
    for (let step = 1; step <= 40; step++) {
      // A compression of 0.3 % per step with random strain around it (≤ 0.1 % per component), and
      // 0.02 Å of non-affine motion per step.
      const m = [0.997, 0, 0, 0, 0.997, 0, 0, 0, 0.997].map((v) => v + 0.002 * (rng.uniform() - 0.5));
      deform(s, m, 0.02, step);
      if (verlet.needsRebuild(s.positions, s.box, step)) break;
      verlet.followBox(s.box);
      followed++;
      const a = createForceOutput(s.n), b = createForceOutput(s.n);
      lj.compute(s, verlet.list!, a);
      lj.compute(s, createCellList({ radius_A: CUTOFF + SKIN, kind: 'half' }).build(s.positions, s.box), b);
      expect(Math.abs(a.energy_eV - b.energy_eV)).toBeLessThan(1e-12 * Math.abs(b.energy_eV));
      for (let k = 0; k < a.forces.length; k++) expect(Math.abs(a.forces[k] - b.forces[k])).toBeLessThan(1e-12);
      for (let k = 0; k < 9; k++) expect(Math.abs(a.virial[k] - b.virial[k])).toBeLessThan(1e-11);
    }
    // It followed the cell for a while, and then asked for a rebuild in time.
    expect(followed).toBeGreaterThan(3);
    expect(followed).toBeLessThan(40);
  });

  it('asks for a rebuild after a large strain or shear even without any other motion, not after a small one', () => {
    const s = crystal();
    const verlet = createVerletList({ cutoff_A: CUTOFF, skin_A: SKIN, kind: 'half' });
    verlet.build(s.positions, s.box);
    const small = crystal();
    deform(small, [1.01, 0, 0, 0, 1.01, 0, 0, 0, 1.01], 0, 1); // 1 % strain: σ_min R − r_c = 1.07 Å > 0
    expect(verlet.needsRebuild(small.positions, small.box, 1)).toBe(false);
    const large = crystal();
    deform(large, [0.85, 0, 0, 0, 1, 0, 0, 0, 1], 0, 1); // 15 % compression: pairs at 7 Å come within 6 Å
    expect(verlet.needsRebuild(large.positions, large.box, 1)).toBe(true);
    const sheared = crystal();
    deform(sheared, [1, 0, 0, 0.2, 1, 0, 0, 0, 1], 0, 1);
    expect(verlet.needsRebuild(sheared.positions, sheared.box, 1)).toBe(true);
    // The skin test still sees non-affine motion in a strained cell: half the remaining margin is allowed.
    const moved = crystal();
    deform(moved, [1.01, 0, 0, 0, 1.01, 0, 0, 0, 1.01], 0, 1);
    moved.positions[0] += 0.45;
    expect(verlet.needsRebuild(moved.positions, moved.box, 1)).toBe(true); // allowed: (0.99·7 − 6)/2 = 0.465, minus the rounding of ‖M − I‖_F
  });

  it('refuses to follow a box of another periodicity', () => {
    const s = crystal();
    const verlet = createVerletList({ cutoff_A: CUTOFF, skin_A: SKIN, kind: 'half' });
    verlet.build(s.positions, s.box);
    const slab = new Box(s.box.cell, [true, true, false]);
    expect(verlet.needsRebuild(s.positions, slab, 1)).toBe(true);
    expect(() => verlet.followBox(slab)).toThrow(/periodicity/);
  });
});
