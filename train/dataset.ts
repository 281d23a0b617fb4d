/**
 * Training data: structures read from extxyz files (ASE dialect, DESIGN.md §3) with their
 * reference energy and forces, each with its neighbor graph (a full directed edge list within the
 * model's cutoff) built once, since training never moves an atom. Every problem with the data —
 * a missing `energy=`, a missing `forces:R:3` column, an element the model does not know, a
 * non-finite number, a split without frames — is an InputError naming the file and line.
 */
import { atomicMass, createCellList, edgesWithin, type Box, type Edges } from '../engine/index.js';
import { InputError, readExtxyz, type XyzFrame } from '../io/index.js';

/** One labelled structure and its neighbor graph. Per-atom vectors are [n, 3] row-major. */
export interface Structure {
  /** `file:line` of the frame's atom-count line, for messages. */
  readonly source: string;
  /** The frame's `config_type=` (e.g. `'dimer'`), or `''`. */
  readonly configType: string;
  /** Number of atoms n. */
  readonly n: number;
  /** (n, 3) positions, Å. */
  readonly positions: Float64Array;
  /** (n,) index of each atom's species in the dataset's `typeNames`. */
  readonly types: Int32Array;
  /** Reference total energy, eV. */
  readonly energy_eV: number;
  /** (n, 3) reference forces, eV/Å. */
  readonly forces: Float64Array;
  /** Number of directed edges E (pairs closer than the cutoff, both directions). */
  readonly nEdges: number;
  /** (2, E) row 0 centre i, row 1 neighbour j, atom indices within this structure. */
  readonly edgeIndex: Int32Array;
  /** (E, 3) Cartesian periodic shift of each edge, Å (r_ij = pos[j] − pos[i] + shift). */
  readonly edgeShift: Float64Array;
}

/** Structures of one split (train, validation or test). */
export interface Dataset {
  /** `'train'`, `'validation'`, `'test'`: named in messages. */
  readonly name: string;
  /** Chemical symbols in type-index order, shared by every split of a run. */
  readonly typeNames: readonly string[];
  readonly structures: readonly Structure[];
  /** Σ n over structures. */
  readonly nAtoms: number;
}

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Split name used in messages (`'train'`, …). */
  readonly name: string;
  /** Species in type order; an atom of any other element is an error. */
  readonly typeNames: readonly string[];
  /** Cutoff of the neighbor graphs, Å (the model's r_max). */
  readonly rMax_A: number;
  /**
   * Keep only the first `perFileLimit` frames of each file. Dataset files grow by appending in seed
   * order, so this freezes a growing dataset: the same frames whenever it is read.
   */
  readonly perFileLimit?: number;
}

/**
 * The chemical symbols found in `files` (the first `perFileLimit` frames of each, as
 * {@link loadDataset} reads them), ordered by atomic mass (H before O), checked to be elements.
 */
export function speciesIn(files: readonly string[], perFileLimit?: number): string[] {
  const seen = new Set<string>();
  for (const file of files) {
    for (const f of framesOf(file, perFileLimit)) {
      f.symbols.forEach((s, a) => {
        if (atomicMass(s) === undefined) throw new InputError(`unknown element '${s}' (not a chemical symbol)`, { file, line: f.line + 2 + a });
        seen.add(s);
      });
    }
  }
  return [...seen].sort((a, b) => atomicMass(a)! - atomicMass(b)!);
}

/**
 * Reads every frame of `files` as labelled structures with neighbor graphs.
 * @throws InputError naming `file:line` for missing labels, unknown elements or non-finite values,
 *   and naming the split when it holds no structure at all.
 * @example
 * const train = loadDataset(['water/dimer-train.extxyz'], { name: 'train', typeNames: ['H', 'O'], rMax_A: 4 });
 * train.structures[0].nEdges; // 30 for a compact dimer
 */
export function loadDataset(files: readonly string[], options: LoadDatasetOptions): Dataset {
  return datasetOf(options.name, options.typeNames, files.length === 0 ? [] : readStructures(files, options), files);
}

/**
 * A dataset from structures already read (e.g. a subset of another split).
 * @throws InputError naming the split when `structures` is empty
 */
export function datasetOf(name: string, typeNames: readonly string[], structures: readonly Structure[], files: readonly string[] = []): Dataset {
  if (structures.length === 0) {
    throw new InputError(`the ${name} split is empty: ${files.length === 0 ? 'no structures' : `no structures in ${files.join(', ')}`}`);
  }
  return Object.freeze({ name, typeNames, structures: Object.freeze([...structures]), nAtoms: structures.reduce((s, x) => s + x.n, 0) });
}

function readStructures(files: readonly string[], options: LoadDatasetOptions): Structure[] {
  const index = new Map(options.typeNames.map((t, k) => [t, k] as const));
  const structures: Structure[] = [];
  for (const file of files) for (const frame of framesOf(file, options.perFileLimit)) structures.push(toStructure(frame, file, index, options));
  return structures;
}

/** The first `limit` frames of `file` (all when undefined). */
function framesOf(file: string, limit: number | undefined): XyzFrame[] {
  const frames = readExtxyz(file);
  return limit === undefined ? frames : frames.slice(0, limit);
}

function toStructure(frame: XyzFrame, file: string, index: ReadonlyMap<string, number>, options: LoadDatasetOptions): Structure {
  const at = (line: number, msg: string) => new InputError(msg, { file, line });
  const n = frame.symbols.length;
  if (n === 0) throw at(frame.line, 'frame has no atoms');
  if (frame.energy_eV === undefined) throw at(frame.line + 1, `frame has no energy (expected energy=… on the comment line) in the ${options.name} split`);
  if (!Number.isFinite(frame.energy_eV)) throw at(frame.line + 1, `energy=${frame.energy_eV} is not a finite number`);
  if (!frame.forces) throw at(frame.line + 1, `frame has no forces (expected a forces:R:3 column in Properties=…) in the ${options.name} split`);
  const types = new Int32Array(n);
  for (let a = 0; a < n; a++) {
    const s = frame.symbols[a]!;
    const t = index.get(s);
    if (t === undefined) {
      const known = atomicMass(s) === undefined ? 'not a chemical element' : 'not a species of the model';
      throw at(frame.line + 2 + a, `unknown element '${s}' (${known}; the model's species are ${[...index.keys()].join(', ')})`);
    }
    types[a] = t;
  }
  for (let k = 0; k < 3 * n; k++) {
    // The extxyz reader already refuses non-finite text; this guards arrays made otherwise.
    if (!Number.isFinite(frame.positions[k]!) || !Number.isFinite(frame.forces[k]!)) throw at(frame.line + 2 + Math.floor(k / 3), 'non-finite position or force');
  }
  const graph = neighborGraph(frame.positions, frame.box, options.rMax_A);
  const configType = frame.info.get('config_type');
  return Object.freeze({
    source: `${file}:${frame.line}`,
    configType: typeof configType === 'string' ? configType : '',
    n,
    positions: frame.positions,
    types,
    energy_eV: frame.energy_eV,
    forces: frame.forces,
    ...graph,
  });
}

/**
 * Directed pairs closer than `rMax_A` (periodic images included), in the engine's neighbor-list
 * order: a full list of that radius, filtered by engine's edge kernel (a training graph gains
 * nothing from edges whose envelope is zero).
 */
export function neighborGraph(positions: Float64Array, box: Box, rMax_A: number): Edges {
  return edgesWithin(createCellList({ radius_A: rMax_A, kind: 'full' }).build(positions, box), positions, rMax_A);
}
