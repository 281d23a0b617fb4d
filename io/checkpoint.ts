/**
 * Checkpoints as a protobuf message (schema embedded below): everything engine/observer.ts's
 * SimulationState holds — step, positions, velocities, box, the integrator's state (RNG, thermostat
 * and barostat variables) and the neighbor-list reference positions and cell — plus the species,
 * masses and integrator settings, so a restart can check it continues the same system. Fields
 * 17 and 18 were added for NPT and Nosé–Hoover runs; files without them (older e3md) read as
 * before, with no extended variables and the reference cell equal to the cell. Written to a
 * temporary file and renamed, so a run killed while writing keeps the previous checkpoint intact.
 */
import { createRequire } from 'node:module';
import type * as Protobuf from 'protobufjs';
import { Box, type IntegratorState, type SimulationState, type RngState } from '../engine/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { InputError, readInputFile } from './errors.js';

/** The checkpoint schema (proto3). Field numbers are a file format: never reuse or renumber them. */
export const CHECKPOINT_PROTO = `
syntax = "proto3";
package e3md;

// A restartable snapshot of an MD run. Per-atom vectors are (N, 3) row-major.
message Checkpoint {
  string format = 1;                      // always "e3md.checkpoint"
  uint32 version = 2;                     // 1
  uint64 step = 3;                        // MD steps done
  uint32 n_atoms = 4;
  repeated string type_names = 5;         // species in order of first appearance
  repeated int32 type_ids = 6;            // (N,) index into type_names
  repeated double masses = 7;             // (N,) amu
  repeated double positions = 8;          // (N, 3) Å, exactly as in memory
  repeated double velocities = 9;         // (N, 3) Å/fs
  repeated double cell = 10;              // (3, 3) lattice vectors as rows, Å
  repeated bool pbc = 11;                 // periodic flag per lattice vector
  RngState rng = 12;                      // integrator random state; absent for deterministic integrators
  repeated double neighbor_reference = 13; // (N, 3) Å, positions at the last neighbor-list build
  string integrator = 14;                 // integrator name, e.g. "langevin"
  double timestep_fs = 15;
  repeated sint32 images = 16;            // (N, 3) periodic image flags: unwrapped = positions + images · cell; empty in older files
  repeated IntegratorVariable integrator_variables = 17; // thermostat / barostat variables (nose-hoover, npt)
  repeated double neighbor_reference_cell = 18; // (3, 3) Å, cell at the last neighbor-list build; absent: equal to cell
}

// One named extended-system variable of the integrator (e.g. "thermostat_xi"), float64 values.
message IntegratorVariable {
  string name = 1;
  repeated double values = 2;
}

// xoshiro128** state of engine/random.ts.
message RngState {
  repeated uint32 s = 1;                  // four 32-bit words
  bool has_spare_normal = 2;              // a cached Box–Muller deviate is pending
  double spare_normal = 3;
}
`;

const FORMAT = 'e3md.checkpoint';
const VERSION = 1;
let checkpointType: Protobuf.Type | undefined;

/** The message type, parsed on the first read or write: runs without checkpoints never load protobufjs. */
function checkpointMessage(): Protobuf.Type {
  checkpointType ??= (createRequire(import.meta.url)('protobufjs') as typeof Protobuf).parse(CHECKPOINT_PROTO).root.lookupType('e3md.Checkpoint');
  return checkpointType;
}

/** A checkpoint: the simulation state plus what identifies the system and integrator it belongs to. */
export interface Checkpoint {
  state: SimulationState;
  /** Species names in order of first appearance (System.typeNames). */
  typeNames: readonly string[];
  /** (N,) species index of each atom. */
  typeIds: Int32Array;
  /** (N,) masses, amu. */
  masses: Float64Array;
  /** Integrator name (`Integrator.name`). */
  integrator: string;
  timestep_fs: number;
}

/**
 * Serializes a checkpoint to protobuf bytes.
 *
 * @example
 * const bytes = encodeCheckpoint({ state: sim.state(), typeNames, typeIds, masses, integrator: 'langevin', timestep_fs: 1 });
 */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const s = c.state;
  const n = c.typeIds.length;
  for (const [name, arr, len] of [['positions', s.positions, 3 * n], ['velocities', s.velocities, 3 * n], ['neighborReference', s.neighborReference, 3 * n], ['masses', c.masses, n], ['images', s.images ?? new Int32Array(3 * n), 3 * n]] as const) {
    if (arr.length !== len) throw new Error(`encodeCheckpoint: ${name} has ${arr.length} entries, expected ${len} for ${n} atoms`);
  }
  const rng = s.integrator?.rng ?? null;
  const variables = Object.entries(s.integrator?.variables ?? {}).map(([name, values]) => ({ name, values: Array.from(values) }));
  const CheckpointType = checkpointMessage();
  const message = CheckpointType.fromObject({
    format: FORMAT,
    version: VERSION,
    step: s.step,
    nAtoms: n,
    typeNames: [...c.typeNames],
    typeIds: Array.from(c.typeIds),
    masses: Array.from(c.masses),
    positions: Array.from(s.positions),
    velocities: Array.from(s.velocities),
    cell: Array.from(s.box.cell),
    pbc: [...s.box.pbc],
    rng: rng ? { s: rng.s, hasSpareNormal: !Number.isNaN(rng.spareNormal), spareNormal: Number.isNaN(rng.spareNormal) ? 0 : rng.spareNormal } : undefined,
    neighborReference: Array.from(s.neighborReference),
    images: s.images ? Array.from(s.images) : [],
    integrator: c.integrator,
    timestepFs: c.timestep_fs,
    integratorVariables: variables,
    neighborReferenceCell: s.neighborReferenceBox.sameCell(s.box) ? [] : Array.from(s.neighborReferenceBox.cell),
  });
  return CheckpointType.encode(message).finish();
}

interface DecodedMessage {
  format: string; version: number; step: number; nAtoms: number; typeNames: string[]; typeIds: number[];
  masses: number[]; positions: number[]; velocities: number[]; cell: number[]; pbc: boolean[];
  rng?: { s: number[]; hasSpareNormal: boolean; spareNormal: number };
  neighborReference: number[]; integrator: string; timestepFs: number; images: number[];
  integratorVariables: { name: string; values: number[] }[]; neighborReferenceCell: number[];
}

/**
 * Parses checkpoint bytes. @param file named in error messages.
 * @throws InputError when the bytes are not an e3md checkpoint or are inconsistent.
 */
export function decodeCheckpoint(bytes: Uint8Array, file = '<checkpoint>'): Checkpoint {
  const CheckpointType = checkpointMessage();
  let m: DecodedMessage;
  try {
    m = CheckpointType.toObject(CheckpointType.decode(bytes), { longs: Number, defaults: true, arrays: true }) as DecodedMessage;
  } catch (e) {
    throw new InputError(`not an e3md checkpoint (protobuf decoding failed: ${(e as Error).message})`, { file });
  }
  if (m.format !== FORMAT) throw new InputError('not an e3md checkpoint (format field missing)', { file });
  if (m.version !== VERSION) throw new InputError(`checkpoint version ${m.version} is not supported (this e3md reads version ${VERSION})`, { file });
  const n = m.nAtoms;
  const need = (name: string, arr: unknown[], len: number): void => {
    if (arr.length !== len) throw new InputError(`corrupt checkpoint: ${name} has ${arr.length} entries, expected ${len} for ${n} atoms`, { file });
  };
  need('positions', m.positions, 3 * n);
  need('velocities', m.velocities, 3 * n);
  need('neighbor_reference', m.neighborReference, 3 * n);
  need('type_ids', m.typeIds, n);
  need('masses', m.masses, n);
  if (m.images.length !== 0) need('images', m.images, 3 * n);
  if (m.cell.length !== 9 || m.pbc.length !== 3) throw new InputError('corrupt checkpoint: cell must have 9 entries and pbc 3', { file });
  if (m.neighborReferenceCell.length !== 0 && m.neighborReferenceCell.length !== 9) throw new InputError('corrupt checkpoint: neighbor_reference_cell must have 9 entries', { file });
  if (m.typeIds.some((t) => t < 0 || t >= m.typeNames.length)) throw new InputError('corrupt checkpoint: a type id is out of range', { file });
  let rng: RngState | null = null;
  if (m.rng) {
    if (m.rng.s.length !== 4) throw new InputError('corrupt checkpoint: RNG state must have 4 words', { file });
    rng = { s: [m.rng.s[0], m.rng.s[1], m.rng.s[2], m.rng.s[3]], spareNormal: m.rng.hasSpareNormal ? m.rng.spareNormal : NaN };
  }
  const variables: Record<string, number[]> = {};
  for (const v of m.integratorVariables) {
    if (Object.prototype.hasOwnProperty.call(variables, v.name)) throw new InputError(`corrupt checkpoint: integrator variable "${v.name}" appears twice`, { file });
    variables[v.name] = v.values;
  }
  const integrator: IntegratorState = { rng, variables };
  const box = new Box(m.cell, [m.pbc[0], m.pbc[1], m.pbc[2]]);
  // The same Box object when the cell has not moved since the build: the run then takes the
  // unchanged-cell path exactly as the uninterrupted run did.
  const neighborReferenceBox = m.neighborReferenceCell.length === 0 ? box : box.withCell(m.neighborReferenceCell);
  return {
    state: {
      step: m.step,
      positions: Float64Array.from(m.positions),
      velocities: Float64Array.from(m.velocities),
      box,
      integrator,
      neighborReference: Float64Array.from(m.neighborReference),
      neighborReferenceBox: neighborReferenceBox.sameCell(box) ? box : neighborReferenceBox,
      images: m.images.length ? Int32Array.from(m.images) : new Int32Array(3 * n),
    },
    typeNames: m.typeNames,
    typeIds: Int32Array.from(m.typeIds),
    masses: Float64Array.from(m.masses),
    integrator: m.integrator,
    timestep_fs: m.timestepFs,
  };
}

/**
 * Writes a checkpoint file atomically (temporary file, then rename): the previous checkpoint stays
 * intact until the new one is complete.
 * @throws OutputError naming the file (full disk, read-only folder); no temporary file is left.
 */
export function writeCheckpoint(path: string, c: Checkpoint, displayPath = path): void {
  writeFileAtomic(path, encodeCheckpoint(c), displayPath);
}

/** Reads a checkpoint file. @throws InputError naming the file when it is missing or not a checkpoint. */
export function readCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(readInputFile(path, 'checkpoint file'), path);
}
