/**
 * Where a decomposed Lennard-Jones step goes (issue 11): the LAMMPS melt's 32,000 fcc argon atoms
 * (20³ cells, 2.5σ cutoff, 0.3σ skin), split into 2 domains. Times, in one thread, the serial
 * half cell list, the bisection, one domain's ghost shell, its cell list and owned-pair filter,
 * and the LJ kernel over the whole system and over one domain's owned pairs.
 * Usage: npx tsx bench/lj-decomposition-profile.ts
 */
import { Box, createCellList, createForceOutput, fccLattice, type System } from '../engine/index.js';
import { domainBox, domainOf, gatherLocalPositions, ownedPairs, partition } from '../engine/parallel/index.js';
import { lennardJones } from '../potentials/index.js';

const sigma = 3.405, eps = 0.0104;
const c = fccLattice({ cells: [20, 20, 20], latticeConstant_A: sigma * Math.cbrt(4 / 0.8442), symbol: 'Ar', mass_amu: 39.95 });
const cutoff = 2.5 * sigma, skin = 0.3 * sigma;
const once = <T>(label: string, f: () => T): T => {
  const t = performance.now();
  const r = f();
  console.log(label.padEnd(34), `${(performance.now() - t).toFixed(1)} ms`);
  return r;
};
const mean = (f: () => void, reps = 20): number => {
  f();
  const t = performance.now();
  for (let k = 0; k < reps; k++) f();
  return (performance.now() - t) / reps;
};

for (let round = 1; round <= 2; round++) {
  console.log(`round ${round}`);
  const full = once('serial half cell list', () => createCellList({ radius_A: cutoff + skin, cutoff_A: cutoff, kind: 'half' }).build(c.positions, c.box));
  const p = once('partition (2 domains)', () => partition(c.positions, c.box, 2, { shared: true }));
  const d = once('domainOf (ghost shell)', () => domainOf(c.positions, c.box, { owner: p.owner, cut: p.cut }, 0, cutoff + skin, { shared: true }));
  const local = new Float64Array(3 * d.atoms.length);
  once('gatherLocalPositions', () => gatherLocalPositions(d, c.positions, c.box.cell, local));
  const box = domainBox(d, c.box.cell, c.box.pbc) as Box;
  const list = once(`cell list of ${d.atoms.length} local atoms`, () => createCellList({ radius_A: cutoff + skin, cutoff_A: cutoff, kind: 'half' }).build(local, box));
  const mine = once('ownedPairs', () => ownedPairs(list, d));
  const lj = lennardJones({ cutoff_A: cutoff, all: { epsilon_eV: eps, sigma_A: sigma } }, c.typeNames);
  const out = createForceOutput(c.n);
  console.log('LJ kernel, whole system'.padEnd(34), `${mean(() => { out.forces.fill(0); lj.compute(c, full, out); }).toFixed(2)} ms (${full.nPairs} pairs)`);
  const m = d.atoms.length;
  const sys: System = { n: m, positions: local, velocities: new Float64Array(0), forces: new Float64Array(0), masses: new Float64Array(0), typeIds: new Int32Array(m), typeNames: c.typeNames, box };
  const o2 = createForceOutput(m);
  console.log('LJ kernel, one domain'.padEnd(34), `${mean(() => { o2.forces.fill(0); lj.compute(sys, mine, o2); }).toFixed(2)} ms (${mine.nPairs} owned pairs)`);
}
