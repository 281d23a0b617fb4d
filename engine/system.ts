import { Box } from './box.js';

/**
 * The state of a simulated system as a structure of typed arrays (one field, one shape, one unit).
 * Per-atom vectors are [N,3] row-major Float64Arrays.
 */
export interface System {
  /** Number of atoms N. */
  readonly n: number;
  /** (N, 3) positions, Å. */
  positions: Float64Array;
  /** (N, 3) velocities, Å/fs. */
  velocities: Float64Array;
  /** (N, 3) forces, eV/Å (written by the potential). */
  forces: Float64Array;
  /** (N,) masses, amu. */
  masses: Float64Array;
  /** (N,) index of each atom's species in `typeNames`. */
  typeIds: Int32Array;
  /** Species (chemical symbols) in order of first appearance; `typeNames[typeIds[i]]` is atom i's symbol. */
  typeNames: readonly string[];
  /** Simulation cell and periodicity. */
  box: Box;
}

/** Per-atom fields to build a System from; velocities default to zero, masses are required. */
export interface SystemInit {
  /** Chemical symbol of each atom, length N. */
  symbols: readonly string[];
  /** (N, 3) positions, Å. */
  positions: ArrayLike<number>;
  /** (N,) masses, amu. */
  masses: ArrayLike<number>;
  /** (N, 3) velocities, Å/fs; zero when absent. */
  velocities?: ArrayLike<number>;
  box: Box;
  /**
   * Allocate positions, velocities and forces on SharedArrayBuffers, so that worker threads read
   * positions and write forces in place (engine/parallel). Default false.
   */
  shared?: boolean;
}

/** Builds a System, assigning type ids in order of first appearance of each symbol. */
export function createSystem(init: SystemInit): System {
  const n = init.symbols.length;
  if (init.positions.length !== 3 * n) throw new Error(`createSystem: positions has ${init.positions.length} entries, expected 3 × ${n}`);
  if (init.masses.length !== n) throw new Error(`createSystem: masses has ${init.masses.length} entries, expected ${n}`);
  if (init.velocities && init.velocities.length !== 3 * n) {
    throw new Error(`createSystem: velocities has ${init.velocities.length} entries, expected 3 × ${n}`);
  }
  const typeNames: string[] = [];
  const typeIds = new Int32Array(n);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = init.symbols[i];
    let t = index.get(s);
    if (t === undefined) {
      t = typeNames.length;
      typeNames.push(s);
      index.set(s, t);
    }
    typeIds[i] = t;
  }
  const vector = (values?: ArrayLike<number>): Float64Array => {
    const a = init.shared ? new Float64Array(new SharedArrayBuffer(8 * 3 * n)) : new Float64Array(3 * n);
    if (values) a.set(values);
    return a;
  };
  return {
    n,
    positions: vector(init.positions),
    velocities: vector(init.velocities),
    forces: vector(),
    masses: Float64Array.from(init.masses),
    typeIds,
    typeNames,
    box: init.box,
  };
}

/** Chemical symbol of every atom, length N. */
export function symbolsOf(system: System): string[] {
  const out = new Array<string>(system.n);
  for (let i = 0; i < system.n; i++) out[i] = system.typeNames[system.typeIds[i]];
  return out;
}
