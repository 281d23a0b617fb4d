/**
 * The potentials a domain worker evaluates (engine/parallel): this module is loaded by URL inside
 * each worker thread, and `createDomainPotential` turns a serializable spec into a
 * DomainPotential — Lennard-Jones over the domain's half list, or an ONNX model with its energy
 * mask, depth and memory estimate (DESIGN.md §5, §7); under a memory budget, a message-passing
 * model is evaluated layer by layer instead (potentials/staged-potential.ts).
 */
import { readFile } from 'node:fs/promises';
import type { DomainPotential, DomainPotentialContext } from '../engine/parallel/index.js';
import { readModelInfo } from '../onnx/index.js';
import { lennardJonesDomainPotential, type LennardJonesOptions } from './lennard-jones.js';
import { createOnnxPotential } from './onnx-potential.js';
import { estimateModelMemory } from './onnx-memory.js';
import { checkPotentialContract } from './onnx-metadata.js';
import { stagedOrNull } from './staged-potential.js';

/** A potential as data, so that it can be posted to worker threads. */
export type DomainPotentialSpec =
  | { readonly kind: 'lennard-jones'; readonly options: LennardJonesOptions }
  | {
      readonly kind: 'onnx';
      /** Path of the .onnx file, or its bytes. */
      readonly model: string | Uint8Array;
      /** Device when the pool assigns none (default 'auto'). */
      readonly device?: string;
      /** onnxruntime intra-op threads per worker (default 1: the workers are the parallelism). */
      readonly intraOpThreads?: number;
    };

/**
 * Makes the potential a worker evaluates its domains with.
 * @example const pot = await createDomainPotential({ kind: 'lennard-jones', options: { cutoff_A: 8.5, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } } }, ctx);
 */
export async function createDomainPotential(spec: DomainPotentialSpec, context: DomainPotentialContext): Promise<DomainPotential> {
  if (spec.kind === 'lennard-jones') return lennardJonesDomainPotential(spec.options, context.typeNames);
  if (spec.kind !== 'onnx') throw new Error(`createDomainPotential: unknown kind '${(spec as { kind: unknown }).kind}'`);
  if (context.memoryBudget_bytes !== null) {
    // A deep model's domain is bounded layer by layer (each chunk then carries one hop of context,
    // not the model's receptive field); the worker sees one piece and plans no atom chunks.
    const meta = checkPotentialContract(readModelInfo(typeof spec.model === 'string' ? new Uint8Array(await readFile(spec.model)) : spec.model), typeof spec.model === 'string' ? `model '${spec.model}'` : 'model');
    const staged = meta.interactionDepth > 1
      ? await stagedOrNull({
        model: spec.model, typeNames: context.typeNames, budget_bytes: context.memoryBudget_bytes, intraOpThreads: spec.intraOpThreads ?? 1,
        device: context.device ?? spec.device ?? 'auto', log: context.log,
      })
      : null;
    if (staged) {
      return {
        name: staged.name, cutoff_A: staged.cutoff_A, neighborKind: staged.neighborKind, interactionDepth: meta.interactionDepth, provider: staged.provider,
        compute: (system, list, out) => staged.compute(system, list, out),
        setOwnedAtoms: (count) => staged.setOwnedAtoms(count),
        dispose: () => staged.dispose?.(),
      };
    }
  }
  const pot = await createOnnxPotential({
    model: spec.model, typeNames: context.typeNames, device: context.device ?? spec.device ?? 'auto', intraOpThreads: spec.intraOpThreads ?? 1, log: context.log,
    // Chunks come in many sizes, which onnxruntime's arena would each keep: bounded memory needs it off.
    memoryArena: context.memoryBudget_bytes === null,
  });
  // Fitting the memory model runs the model a few times: only when chunking may be needed.
  const memory = context.memoryBudget_bytes === null ? null : await estimateModelMemory(spec.model);
  return {
    name: pot.name,
    cutoff_A: pot.cutoff_A,
    neighborKind: pot.neighborKind,
    interactionDepth: pot.metadata.interactionDepth,
    provider: pot.provider,
    compute: (system, list, out) => pot.compute(system, list, out),
    setOwnedAtoms: (count) => pot.setOwnedAtoms(count),
    estimateBytes: memory ? (atoms, edges, maxDegree) => memory.bytes(atoms, edges, maxDegree) : undefined,
    dispose: () => pot.dispose?.(),
  };
}
