import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { createCellList } from '../../engine/cell-list.js';
import { createSystem } from '../../engine/system.js';
import { atomicMass } from '../../engine/units.js';
import { lennardJones } from '../../potentials/lennard-jones.js';
import { createForceOutput } from '../../engine/potential.js';

interface Fixture {
  cutoff_A: number; shift: boolean; species: Record<string, { epsilon_eV: number; sigma_A: number }>;
  cell: number[]; symbols: string[]; positions: number[]; energy_eV: number; forces: number[]; virial: number[];
}

// Made by tools/lj-reference/make_fixture.py with LAMMPS (lj/cut, mix arithmetic, shift yes, units metal).
const fx = JSON.parse(readFileSync(new URL('../fixtures/lj/lammps-triclinic.json', import.meta.url), 'utf8')) as Fixture;

describe('Lennard-Jones against LAMMPS', () => {
  it('matches energy, forces and virial for two species in a small triclinic box', () => {
    const system = createSystem({ symbols: fx.symbols, positions: fx.positions, masses: fx.symbols.map((s) => atomicMass(s)!), box: new Box(fx.cell, [true, true, true]) });
    const lj = lennardJones({ cutoff_A: fx.cutoff_A, shift: fx.shift, species: fx.species }, system.typeNames);
    const out = createForceOutput(system.n, system.forces);
    lj.compute(system, createCellList({ radius_A: fx.cutoff_A + 1, kind: 'half' }).build(system.positions, system.box), out);
    expect(out.energy_eV).toBeCloseTo(fx.energy_eV, 11);
    for (let k = 0; k < fx.forces.length; k++) expect(out.forces[k]).toBeCloseTo(fx.forces[k], 11);
    // LAMMPS's pressure output carries ~8 significant digits through its bar conversion.
    for (let k = 0; k < 9; k++) expect(Math.abs(out.virial[k] - fx.virial[k])).toBeLessThan(1e-7 * Math.max(1, Math.abs(fx.virial[k])));
  });
});
