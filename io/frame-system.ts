/**
 * A structure frame (extxyz, POSCAR, LAMMPS data: io/structure.ts) as the engine's System: species, positions, box, velocities when the file has
 * them, and masses from the file's `masses:R:1` column or else from engine's atomic masses. One
 * converter for every reader (run, eval, benchmarks, tests), so an atom without a mass is the
 * same error everywhere instead of a silent default.
 */
import { atomicMass, createSystem, type System } from '../engine/index.js';
import { InputError } from './errors.js';
import { atomLine, type XyzFrame } from './extxyz.js';

/**
 * The System of `frame`, read from `file` (named with the line in messages).
 * @throws InputError naming the file and line of a frame without atoms, a mass that is not > 0,
 *   or an element with no known mass (and no `masses:R:1` column)
 * `shared` puts positions and forces in shared memory (worker threads read and write them in place).
 * @example const system = systemOfFrame(readExtxyz('water.extxyz')[0]!, 'water.extxyz');
 */
export function systemOfFrame(frame: XyzFrame, file: string, options: { shared?: boolean } = {}): System {
  const n = frame.symbols.length;
  if (n === 0) throw new InputError('the structure has no atoms', { file, line: frame.line });
  let masses = frame.masses;
  if (masses) {
    for (let a = 0; a < n; a++) {
      if (!(masses[a]! > 0)) throw new InputError(`atom ${a + 1} (${frame.symbols[a]}) has mass ${masses[a]}; masses must be > 0 amu`, { file, line: atomLine(frame, a) });
    }
  } else {
    masses = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      const m = atomicMass(frame.symbols[a]!);
      if (m === undefined) {
        throw new InputError(`element "${frame.symbols[a]}" has no known mass; use a chemical symbol, or give every atom a mass with a masses:R:1 column`, { file, line: atomLine(frame, a) });
      }
      masses[a] = m;
    }
  }
  return createSystem({ symbols: frame.symbols, positions: frame.positions, masses, velocities: frame.velocities, box: frame.box, shared: options.shared });
}
