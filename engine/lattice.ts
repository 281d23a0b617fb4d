/** Crystal builders for examples, tests and benchmarks. */
import { Box } from './box.js';
import { createSystem, type System } from './system.js';
import { atomicMass } from './units.js';

/** Options of `fccLattice`. */
export interface FccOptions {
  /** Number of conventional (4-atom) cubic cells along a, b, c. */
  cells: readonly [number, number, number];
  /** Cubic lattice constant, Å. */
  latticeConstant_A: number;
  /** Chemical symbol of every atom. */
  symbol: string;
  /** Mass, amu (default: the element's standard atomic weight). */
  mass_amu?: number;
}

/**
 * A periodic face-centred cubic crystal, atoms ordered cell by cell (so neighbours in space are
 * mostly neighbours in memory).
 *
 * @example
 * // The LAMMPS melt benchmark: 32,000 argon atoms at reduced density 0.8442.
 * const sys = fccLattice({ cells: [20, 20, 20], latticeConstant_A: 3.405 * Math.cbrt(4 / 0.8442), symbol: 'Ar' });
 */
export function fccLattice(options: FccOptions): System {
  const [nx, ny, nz] = options.cells;
  const a = options.latticeConstant_A;
  for (const c of options.cells) if (!Number.isInteger(c) || c < 1) throw new Error(`fccLattice: cells must be positive integers, got [${options.cells.join(', ')}]`);
  if (!(a > 0)) throw new Error(`fccLattice: latticeConstant_A must be positive, got ${a}`);
  const mass = options.mass_amu ?? atomicMass(options.symbol);
  if (mass === undefined) throw new Error(`fccLattice: no standard mass for "${options.symbol}"; give mass_amu`);
  const basis = [0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5];
  const n = 4 * nx * ny * nz;
  const positions = new Float64Array(3 * n);
  let k = 0;
  for (let x = 0; x < nx; x++) {
    for (let y = 0; y < ny; y++) {
      for (let z = 0; z < nz; z++) {
        for (let b = 0; b < 12; b += 3) {
          positions[k++] = (x + basis[b]) * a;
          positions[k++] = (y + basis[b + 1]) * a;
          positions[k++] = (z + basis[b + 2]) * a;
        }
      }
    }
  }
  return createSystem({ symbols: new Array<string>(n).fill(options.symbol), positions, masses: new Float64Array(n).fill(mass), box: Box.orthorhombic(nx * a, ny * a, nz * a) });
}
