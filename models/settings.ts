/**
 * Checks both builders (NequIP, Allegro) make of the options they share: species, cutoff and
 * neighbour normalization. Messages start with the architecture's name, so they name the builder
 * and the option.
 */

/** Options every builder takes, as given (defaults not yet filled in). */
export interface SharedOptions {
  readonly typeNames: readonly string[];
  readonly rMax_A?: number;
  readonly avgNumNeighbors?: number | null;
}

/** {@link SharedOptions} with defaults filled in (r_max 5 Å, avgNumNeighbors 20). */
export interface SharedSettings {
  readonly typeNames: readonly string[];
  readonly rMax_A: number;
  readonly avgNumNeighbors: number | null;
}

const SYMBOL_RE = /^[A-Z][a-z]?$/;

/**
 * `v` when it is an integer ≥ `min`.
 * @throws `<arch>: <what> must be an integer ≥ <min>, got <v>`
 * @example positiveInt('nequip', o.numLayers ?? 4, 'numLayers')
 */
export function positiveInt(arch: string, v: number, what: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`${arch}: ${what} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/**
 * Checks the shared options and fills their defaults; `typeNames` comes back as a frozen copy.
 * @throws naming the option: no species, a string that is not a chemical symbol, duplicates, a
 *   non-positive r_max or avgNumNeighbors
 * @example const { typeNames, rMax_A, avgNumNeighbors } = sharedSettings('allegro', options);
 */
export function sharedSettings(arch: string, o: SharedOptions): SharedSettings {
  if (!o || !Array.isArray(o.typeNames) || o.typeNames.length === 0) throw new Error(`${arch}: typeNames must list at least one chemical symbol`);
  o.typeNames.forEach((t) => {
    if (!SYMBOL_RE.test(t)) throw new Error(`${arch}: typeNames entry '${t}' is not a chemical symbol`);
  });
  if (new Set(o.typeNames).size !== o.typeNames.length) throw new Error(`${arch}: typeNames has duplicates (${o.typeNames.join(', ')})`);
  const rMax_A = o.rMax_A ?? 5;
  if (!(rMax_A > 0) || !Number.isFinite(rMax_A)) throw new Error(`${arch}: rMax_A must be a positive number of Å, got ${rMax_A}`);
  const avgNumNeighbors = o.avgNumNeighbors === undefined ? 20 : o.avgNumNeighbors;
  if (avgNumNeighbors !== null && !(avgNumNeighbors > 0)) throw new Error(`${arch}: avgNumNeighbors must be positive or null, got ${avgNumNeighbors}`);
  return { typeNames: Object.freeze([...o.typeNames]), rMax_A, avgNumNeighbors };
}
