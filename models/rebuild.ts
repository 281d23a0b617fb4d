/**
 * An exported e3md potential back into a model: the builder named by `e3md.architecture`, run with
 * the file's `e3md.settings`, then given the file's weights. Re-exporting it writes the same
 * network with the current compiler — how `e3md model upgrade` replaces the racy ScatterND segment
 * sums of files written before e3md 0.2 without retraining.
 */
import { parseMetadata } from '../engine/index.js';
import { readInitializers, readModelInfo } from '../onnx/index.js';
import { ARCHITECTURES, createModel } from './architectures.js';
import { potentialMetadata } from './export.js';
import type { PotentialModel } from './model.js';

/** A rebuilt model and the metadata of the file it came from. */
export interface RebuiltModel {
  readonly model: PotentialModel;
  readonly dtype: 'float32' | 'float64';
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Rebuilds the model in ONNX `bytes` (written by e3md's exporter).
 * @throws naming the metadata key or the weight that does not fit
 * @example const { model, dtype } = rebuildModel(readFileSync('old.onnx')); writeFileSync('new.onnx', exportPotential(model, { dtype }));
 */
export function rebuildModel(bytes: Uint8Array, what = 'model'): RebuiltModel {
  const meta = readModelInfo(bytes).metadata;
  // The contract's reader (engine/potential-contract.ts): every key checked, contradictions refused.
  const { architecture: arch, dtype, settings } = parseMetadata(meta, what);
  if (!settings) throw new Error(`${what}: has no e3md.settings, so its network cannot be rebuilt (only models written by e3md can be)`);
  if (!Object.hasOwn(ARCHITECTURES, arch)) throw new Error(`${what}: e3md.architecture is ${JSON.stringify(arch)}, expected ${Object.keys(ARCHITECTURES).join(' or ')}`);
  const model = createModel(arch as keyof typeof ARCHITECTURES, settings as never);
  const weights = readInitializers(bytes);
  for (const p of model.parameters.list()) {
    const w = weights.get(p.name);
    if (!w) throw new Error(`${what}: has no weight '${p.name}', which its settings call for`);
    if (w.dims.join('×') !== p.shape.join('×')) throw new Error(`${what}: weight '${p.name}' is ${w.dims.join('×')}, its settings call for ${p.shape.join('×')}`);
    p.data.set(w.data);
  }
  const metadata: Record<string, string> = {};
  // Keep the extras (training provenance…); the exporter writes its own keys again.
  const own = new Set(Object.keys(potentialMetadata(model, dtype)));
  for (const [k, v] of Object.entries(meta)) if (!own.has(k)) metadata[k] = v;
  return { model, dtype, metadata };
}
