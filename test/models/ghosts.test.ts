/**
 * The energy_mask contract for domain decomposition (DESIGN.md §5, §7): owned atoms plus a shell
 * of ghost atoms interactionDepth · r_max thick, in an open box, reproduce the periodic system to
 * 1e-10 relative — the masked energy, the owned atoms' energies, and the forces once ghost forces
 * are added back to their owners — and ghosts beyond that reach feel exactly zero force.
 * NequIP needs a two-cutoff shell, Allegro one.
 */
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/index.js';
import { evaluate, periodicWater, potentialOf, relErr, systemOf, TINY_MODELS } from './helpers.js';

describe.each(TINY_MODELS)('%s with ghost atoms', (_arch, make) => {
  it('owned atoms plus a ghost shell of depth · r_max reproduce the periodic energies, forces and virial', async () => {
    const model = make();
    const cell = periodicWater();
    const L = 5;
    const pot = await potentialOf(model, 'float64', cell.typeNames);
    const ref = await evaluate(pot, cell);

    /** Owned atoms first, then every periodic image within `shell` Å of the owned region; `owner` maps each atom to its cell atom. */
    const domainOf = (shell: number) => {
      const reach = Math.ceil(shell / L);
      const symbols: string[] = [];
      const pos: number[] = [];
      const owner: number[] = [];
      const symbolOf = (k: number) => cell.typeNames[cell.typeIds[k]!]!;
      for (let k = 0; k < cell.n; k++) { symbols.push(symbolOf(k)); pos.push(...cell.positions.subarray(3 * k, 3 * k + 3)); owner.push(k); }
      for (let a = -reach; a <= reach; a++) for (let b = -reach; b <= reach; b++) for (let c = -reach; c <= reach; c++) {
        if (a === 0 && b === 0 && c === 0) continue;
        for (let k = 0; k < cell.n; k++) {
          const p = [cell.positions[3 * k]! + a * L, cell.positions[3 * k + 1]! + b * L, cell.positions[3 * k + 2]! + c * L];
          // Distance from the image to the owned region (the atoms' bounding box lies within [−1, 6]³).
          if (Math.hypot(...p.map((x) => Math.max(0, -1 - x, x - 6))) > shell) continue;
          symbols.push(symbolOf(k)); pos.push(...p); owner.push(k);
        }
      }
      return { system: systemOf(symbols, pos, Box.open()), owner };
    };
    const { system: domain, owner } = domainOf(model.interactionDepth * model.rMax_A + 0.3);
    pot.setOwnedAtoms(cell.n);
    const got = await evaluate(pot, domain);
    if (model.interactionDepth > 1) {
      // Negative control: one cutoff of ghosts is too thin for a message-passing model.
      const thin = await evaluate(pot, domainOf(model.rMax_A + 0.3).system);
      expect(Math.abs(thin.energy - ref.energy)).toBeGreaterThan(1e-6);
    }
    pot.setOwnedAtoms(null);
    expect(domain.n).toBeGreaterThan(10 * cell.n);
    expect(Math.abs(got.energy - ref.energy) / Math.abs(ref.energy)).toBeLessThan(1e-10);
    expect(relErr(got.atomic.subarray(0, cell.n), ref.atomic)).toBeLessThan(1e-10);
    const folded = new Float64Array(3 * cell.n);
    owner.forEach((k, i) => { for (let x = 0; x < 3; x++) folded[3 * k + x]! += got.forces[3 * i + x]!; });
    expect(relErr(folded, ref.forces)).toBeLessThan(1e-10);
    expect(relErr(got.virial, ref.virial)).toBeLessThan(1e-10);
    // A ghost's force is −∂(owned energy)/∂x, and an owned atom's energy depends only on atoms within
    // depth · r_max of it: ghosts farther than that from every owned atom feel exactly nothing, and
    // ghosts within one r_max of an owned atom (its direct neighbours) feel something.
    const reach = model.interactionDepth * model.rMax_A;
    const far: number[] = [], near: number[] = [];
    for (let g = cell.n; g < domain.n; g++) {
      let closest = Infinity;
      for (let k = 0; k < cell.n; k++) closest = Math.min(closest, Math.hypot(...[0, 1, 2].map((x) => domain.positions[3 * g + x]! - domain.positions[3 * k + x]!)));
      if (closest > reach) far.push(g);
      else if (closest < model.rMax_A - 0.5) near.push(g);
    }
    const forceOn = (g: number) => Math.hypot(got.forces[3 * g]!, got.forces[3 * g + 1]!, got.forces[3 * g + 2]!);
    expect(far.length, 'ghosts beyond the reach').toBeGreaterThan(10);
    expect(near.length, 'ghosts next to owned atoms').toBeGreaterThan(10);
    expect(far.map(forceOn).filter((f) => f !== 0), 'forces on far ghosts').toEqual([]);
    expect(Math.min(...near.map(forceOn)), 'smallest force on a near ghost').toBeGreaterThan(1e-8);
    await pot.dispose!();
  });
});
