/**
 * One evaluation of a potential outside the run loop (`e3md eval`, training checks, tests): a
 * fresh neighbour list of the potential's cutoff and kind, and the results in arrays of their own.
 */
import { createCellList } from './cell-list.js';
import { createForceOutput, type Potential } from './potential.js';
import type { System } from './system.js';

/** Energy (eV), forces (eV/Å, [N, 3]) and virial (eV, [3, 3]) of one configuration. */
export interface SinglePoint {
  energy_eV: number;
  forces: Float64Array;
  virial: Float64Array;
}

/**
 * Evaluates `potential` once on `system` with a fresh neighbour list of radius `cutoff_A`, of the
 * kind the potential asks for (MD uses the run loop's Verlet list instead). The returned arrays
 * are new on every call: the caller may keep them.
 * @example const { energy_eV, forces } = await singlePoint(pot, system);
 */
export async function singlePoint(potential: Potential, system: System): Promise<SinglePoint> {
  // A potential with its own neighbour search (a decomposed one) lists the pairs itself.
  const list = potential.createNeighbors
    ? potential.createNeighbors({ cutoff_A: potential.cutoff_A, skin_A: 0, kind: potential.neighborKind }).build(system.positions, system.box)
    : createCellList({ radius_A: potential.cutoff_A, kind: potential.neighborKind }).build(system.positions, system.box);
  const out = createForceOutput(system.n);
  await potential.compute(system, list, out);
  return { energy_eV: out.energy_eV, forces: out.forces, virial: out.virial };
}
