/**
 * Domain-decomposed potentials (DESIGN.md §7) from a potential spec: engine/parallel runs the
 * workers; each runs potentials/domain-worker.ts and makes its potential from the spec with
 * `createDomainPotential` (Lennard-Jones workers run lj-domain-worker.ts, which loads no model code).
 */
import { readFile } from 'node:fs/promises';
import type { Potential } from '../engine/index.js';
import { createDecomposedPotential, type DecomposedPotential } from '../engine/parallel/index.js';
import { readModelInfo } from '../onnx/index.js';
import type { DomainPotentialSpec } from './domain-potentials.js';
import { checkPotentialContract } from './onnx-metadata.js';
import { estimateEdges, estimateModelMemory } from './onnx-memory.js';
import { createOnnxPotential, defaultModelThreads } from './onnx-potential.js';
import { stagedOrNull } from './staged-potential.js';

/** How to decompose. */
export interface ParallelOptions {
  /** Worker threads (= domains). */
  workers: number;
  /** Devices, round-robin over the workers (ONNX potentials). */
  devices?: readonly string[];
  /** Peak bytes of one model evaluation per worker; bigger domains are chunked (ONNX potentials). */
  memoryBudget_bytes?: number | null;
  /** Receives device fallback notes, once each. */
  log?: (message: string) => void;
}

/** A worker module: compiled next to this file, or the TypeScript source when running from sources. */
const sibling = (name: string): URL => new URL(import.meta.url.endsWith('.ts') ? `./${name}.ts` : `./${name}.js`, import.meta.url);
const workerModule = sibling('domain-worker');
/** Lennard-Jones workers load the pair potential only. */
const ljWorkerModule = sibling('lj-domain-worker');

/**
 * A potential evaluated by `workers` worker threads, one domain each.
 * @example
 * const pot = await createParallelPotential({ kind: 'lennard-jones', options: { cutoff_A: 8.5, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } } }, system.typeNames, { workers: 2 });
 */
export function createParallelPotential(spec: DomainPotentialSpec, typeNames: readonly string[], options: ParallelOptions): Promise<DecomposedPotential> {
  return createDecomposedPotential({
    worker: spec.kind === 'lennard-jones' ? ljWorkerModule : workerModule, spec,
    // A pair potential's domain 0 runs in this thread (W threads for W domains, no idle main thread).
    mainThreadDomain: spec.kind === 'lennard-jones',
    // and its worker threads step on shared-memory signals between list builds (no messages).
    stepLoop: spec.kind === 'lennard-jones',
    typeNames, workers: options.workers, devices: options.devices, memoryBudget_bytes: options.memoryBudget_bytes, log: options.log,
  });
}

/** Options of {@link createOnnxPotentialFor}. */
export interface OnnxPlacementOptions {
  /** Path of the .onnx file. */
  readonly model: string;
  /** Species of the systems (any order). */
  readonly typeNames: readonly string[];
  /** The largest system it will evaluate: decides whether one call fits the memory budget. */
  readonly largest: { readonly n: number; readonly positions: Float64Array; readonly box: { readonly volume: number; readonly pbc: readonly boolean[] } };
  readonly device?: string;
  /** onnxruntime intra-op threads (default: defaultModelThreads in this thread, 1 per worker). */
  readonly threads?: number;
  /** Worker threads (default 1). */
  readonly workers?: number;
  readonly devices?: readonly string[];
  /** Working memory of model evaluations, GB, all workers together (default {@link DEFAULT_MEMORY_GB}). */
  readonly memory_GB?: number;
  readonly log?: (message: string) => void;
}

/**
 * Default budget of model evaluations' working memory, GB (input.json `parallel.memory_GB`). Measured
 * (98,304 atoms of water, default Allegro, one worker): peak RSS 1.7 GB with 1 GB, 4.0 GB with 2 GB.
 */
export const DEFAULT_MEMORY_GB = 1;
/** Systems smaller than this are evaluated in one call without a memory estimate (they fit any budget of a few GB). */
export const ESTIMATE_MEMORY_FROM_ATOMS = 1000;

/**
 * An ONNX potential placed for `largest`: decomposed over `workers` threads when more than one is
 * asked for; with one, in this thread unless one evaluation is estimated to need more than the
 * memory budget. Then a message-passing model (NequIP) is evaluated layer by layer in this thread
 * (potentials/staged-potential.ts), and any other one by one worker in chunks of atoms (`log`
 * says which). With workers, the domains' evaluations are bounded the same ways.
 * @example const pot = await createOnnxPotentialFor({ model: 'model.onnx', typeNames: system.typeNames, largest: system, workers: 2 });
 */
export async function createOnnxPotentialFor(options: OnnxPlacementOptions): Promise<Potential> {
  const workers = options.workers ?? 1;
  const memory_GB = options.memory_GB ?? DEFAULT_MEMORY_GB;
  const budget = (memory_GB * 1e9) / workers;
  const spec: DomainPotentialSpec = { kind: 'onnx', model: options.model, device: options.device, intraOpThreads: options.threads ?? 1 };
  if (workers === 1 && options.largest.n >= ESTIMATE_MEMORY_FROM_ATOMS) {
    const meta = checkPotentialContract(readModelInfo(new Uint8Array(await readFile(options.model))), `model '${options.model}'`);
    const { edges, maxDegree } = estimateEdges(options.largest, meta.rMax_A);
    const need = (await estimateModelMemory(options.model)).bytes(options.largest.n, edges, maxDegree);
    if (need > budget && meta.interactionDepth > 1) {
      // A deep model: atom chunks would each carry its whole receptive field, layers do not.
      const staged = await stagedOrNull({
        model: options.model, typeNames: options.typeNames, budget_bytes: budget, intraOpThreads: options.threads ?? defaultModelThreads(options.largest.n),
        device: options.device ?? 'auto', log: options.log,
      });
      if (staged) {
        options.log?.(
          `one evaluation of ${options.largest.n} atoms would need about ${(need / 1e9).toFixed(1)} GB (parallel.memory_GB is ${memory_GB}); evaluating the ` +
            `${meta.interactionDepth} layers one at a time, each in chunks of atoms that fit (every layer's forward pass runs twice)`,
        );
        return staged;
      }
    }
    if (need > budget) {
      options.log?.(
        `one evaluation of ${options.largest.n} atoms would need about ${(need / 1e9).toFixed(1)} GB (parallel.memory_GB is ${memory_GB}); evaluating in chunks ` +
          `where that lowers it (each chunk carries e3md.interaction_depth × r_max = ${(meta.interactionDepth * meta.rMax_A).toFixed(1)} Å of context, so a deep model in a small box may need the whole evaluation)`,
      );
      // One worker holds the whole machine: its session gets the threads an unchunked one would.
      const threaded: DomainPotentialSpec = { ...spec, intraOpThreads: options.threads ?? defaultModelThreads(options.largest.n) };
      return createParallelPotential(threaded, options.typeNames, { workers: 1, devices: options.devices, memoryBudget_bytes: budget, log: options.log });
    }
  }
  if (workers === 1) {
    return createOnnxPotential({ model: options.model, typeNames: options.typeNames, device: options.device, intraOpThreads: options.threads ?? defaultModelThreads(options.largest.n), log: options.log });
  }
  return createParallelPotential(spec, options.typeNames, { workers, devices: options.devices, memoryBudget_bytes: budget, log: options.log });
}
