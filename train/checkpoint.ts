/**
 * Training checkpoints: one JSON file holding everything a run needs to continue bit-for-bit —
 * epoch, learning-rate schedule, Adam's step and moments, current and best parameters, and the
 * metric history. Float64 arrays are stored as base64 of their little-endian bytes (exact, and
 * a third the size of decimal text); numbers are JSON numbers, which round-trip doubles exactly.
 * JSON rather than protobuf because the content is a handful of named arrays plus small nested
 * records that change as the trainer grows — a schema would only add ceremony — and a person can
 * still open the file and read the epoch, rates and history. Written to a temporary file and
 * renamed, so an interruption mid-write leaves the previous checkpoint intact.
 */
import { readFileSync } from 'node:fs';
import { InputError, writeFileAtomic } from '../io/index.js';
import type { AdamState } from './adam.js';
import type { ScheduleState } from './schedule.js';
import type { EpochRecord } from './history.js';

/** The `format` field of every training checkpoint (tells it from other JSON). */
export const CHECKPOINT_FORMAT = 'e3md-train-checkpoint';
/** Layout version; a reader refuses others rather than misreading them. */
export const CHECKPOINT_VERSION = 1;

/** Everything saved at the end of an epoch. */
export interface TrainCheckpoint {
  /** Epochs completed (1-based count). */
  readonly epoch: number;
  /** Hash of the settings that must not change across a resume (see trainer). */
  readonly fingerprint: string;
  readonly schedule: ScheduleState;
  readonly adam: AdamState;
  /** Current parameters by name. */
  readonly params: Readonly<Record<string, Float64Array>>;
  /** Parameters of the best validation epoch by name. */
  readonly best: Readonly<Record<string, Float64Array>>;
  readonly history: readonly EpochRecord[];
  /** Wall time spent in earlier sessions of this run, s. */
  readonly elapsed_s: number;
}

function encodeArray(a: Float64Array): string {
  // Typed arrays are little-endian on every platform Node supports.
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decodeArray(s: string, what: string): Float64Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.length % 8 !== 0) throw new Error(`${what}: ${buf.length} bytes is not a whole number of float64 values`);
  const out = new Float64Array(buf.length / 8);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

const encodeRecord = (r: Readonly<Record<string, Float64Array>>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, encodeArray(v)]));
const decodeRecord = (r: Record<string, string>, what: string) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, decodeArray(v, `${what}.${k}`)]));
const finite = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * Writes `ckpt` to `path` atomically (temporary file, then rename): the previous checkpoint stays
 * until the new one is complete, and a failed write (full disk) leaves no temporary file.
 * @throws OutputError naming the file.
 * @example writeTrainCheckpoint('out/checkpoint.json', state);
 */
export function writeTrainCheckpoint(path: string, ckpt: TrainCheckpoint): void {
  const doc = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    epoch: ckpt.epoch,
    fingerprint: ckpt.fingerprint,
    elapsed_s: ckpt.elapsed_s,
    schedule: { ...ckpt.schedule, best: finite(ckpt.schedule.best) },
    adam: { step: ckpt.adam.step, m: encodeRecord(ckpt.adam.m), v: encodeRecord(ckpt.adam.v) },
    params: encodeRecord(ckpt.params),
    best: encodeRecord(ckpt.best),
    history: ckpt.history,
  };
  writeFileAtomic(path, JSON.stringify(doc));
}

/**
 * Reads a checkpoint written by {@link writeTrainCheckpoint}.
 * @throws InputError naming the file when it is missing, not a checkpoint, or of another version
 */
export function readTrainCheckpoint(path: string): TrainCheckpoint {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'checkpoint not found (nothing to resume: run without --resume to start)' : `cannot read checkpoint: ${(e as Error).message}`, { file: path });
  }
  if (doc.format !== CHECKPOINT_FORMAT) throw new InputError(`not an e3md training checkpoint (format '${String(doc.format)}')`, { file: path });
  if (doc.version !== CHECKPOINT_VERSION) throw new InputError(`checkpoint version ${String(doc.version)} is not supported (this e3md writes version ${CHECKPOINT_VERSION})`, { file: path });
  try {
    const schedule = doc.schedule as ScheduleState & { best: number | null };
    const adam = doc.adam as { step: number; m: Record<string, string>; v: Record<string, string> };
    return {
      epoch: doc.epoch as number,
      fingerprint: doc.fingerprint as string,
      elapsed_s: doc.elapsed_s as number,
      schedule: { ...schedule, best: schedule.best ?? Infinity },
      adam: { step: adam.step, m: decodeRecord(adam.m, 'adam.m'), v: decodeRecord(adam.v, 'adam.v') },
      params: decodeRecord(doc.params as Record<string, string>, 'params'),
      best: decodeRecord(doc.best as Record<string, string>, 'best'),
      history: doc.history as EpochRecord[],
    };
  } catch (e) {
    throw new InputError(`damaged checkpoint: ${(e as Error).message}`, { file: path });
  }
}
