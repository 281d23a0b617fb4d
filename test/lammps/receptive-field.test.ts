import { describe, expect, it } from 'vitest';
import { Box, createCellList, createForceOutput, createSystem, type System } from '../../engine/index.js';
import { createCentreScratch, restrictCentres } from '../../cli/lammps/receptive-field.js';
import { periodicWater, potentialOf, TINY_MODELS } from '../models/helpers.js';
import { withGhosts } from './helpers.js';

const MASS: Record<string, number> = { H: 1.008, O: 15.999 };

describe.each(TINY_MODELS)('edges of a ghost graph, %s', (_arch, make) => {
  it('keeping only centres within depth − 1 hops of an owned atom changes nothing the owned energy depends on', async () => {
    const model = make();
    const cell = periodicWater();
    const g = withGhosts(cell, model.interactionDepth * model.rMax_A + 0.5);
    const symbols = Array.from(g.owner, (i) => cell.typeNames[cell.typeIds[i]!]!);
    const domain: System = createSystem({ symbols, positions: g.positions, masses: symbols.map((s) => MASS[s]!), box: Box.open() });
    const pot = await potentialOf(model, 'float64', domain.typeNames);
    const list = createCellList({ radius_A: model.rMax_A, kind: 'full' }).build(domain.positions, domain.box);
    const run = async (l: typeof list) => {
      const out = createForceOutput(domain.n);
      pot.setOwnedAtoms(cell.n);
      await pot.compute(domain, l, out);
      return { energy: out.energy_eV, forces: out.forces, virial: Float64Array.from(out.virial), edges: pot.lastEdgeCount };
    };
    const all = await run(list);
    const depth = model.interactionDepth;
    const restricted = restrictCentres(list, cell.n, depth, createCentreScratch());
    const some = await run(restricted);
    // Negative control: one hop fewer starves the outer message-passing layer.
    const tooFew = depth > 1 ? await run(restrictCentres(list, cell.n, depth - 1, createCentreScratch())) : null;
    await pot.dispose!();
    if (tooFew) expect(Math.abs(tooFew.energy - all.energy)).toBeGreaterThan(1e-6);

    expect(some.edges).toBeLessThan(all.edges / 2);
    expect(Math.abs(some.energy - all.energy)).toBeLessThan(1e-12 * Math.abs(all.energy));
    for (let k = 0; k < all.forces.length; k++) expect(Math.abs(some.forces[k]! - all.forces[k]!)).toBeLessThan(1e-12);
    for (let k = 0; k < 9; k++) expect(Math.abs(some.virial[k]! - all.virial[k]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(all.virial[k]!)));

    // Which rows kept their pairs: owned atoms always; ghosts only for message passing (depth > 1).
    const centres = new Set<number>();
    for (let r = 0; r < restricted.n; r++) if (restricted.offsets[r + 1]! > restricted.offsets[r]!) centres.add(restricted.rowAtoms[r]!);
    for (let i = 0; i < cell.n; i++) expect(centres.has(i)).toBe(true);
    const ghostCentres = [...centres].filter((i) => i >= cell.n).length;
    if (depth === 1) expect(ghostCentres).toBe(0);
    else expect(ghostCentres).toBeGreaterThan(0);
  });
});

describe('restrictCentres', () => {
  it('counts hops along listed pairs: a chain 0 — 1 — 2 — 3 keeps centres 0 … depth − 1', () => {
    const x = Float64Array.from([0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0]);
    const list = createCellList({ radius_A: 1.5, kind: 'full' }).build(x, Box.open());
    for (const depth of [1, 2, 3, 4]) {
      const r = restrictCentres(list, 1, depth, createCentreScratch());
      const kept = [];
      for (let k = 0; k < r.n; k++) if (r.offsets[k + 1]! > r.offsets[k]!) kept.push(r.rowAtoms[k]!);
      expect(kept.sort()).toEqual([0, 1, 2, 3].slice(0, depth));
      // Every kept row is the original row, pair for pair.
      expect(r.nPairs).toBe([1, 2, 2, 1].slice(0, depth).reduce((a, b) => a + b, 0));
    }
    expect(() => restrictCentres(list, 5, 1, createCentreScratch())).toThrow(/owned must be in \[0, 4\]/);
  });
});
