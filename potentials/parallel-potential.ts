/**
 * Domain-decomposed potentials (DESIGN.md §7) from a potential spec: engine/parallel runs the
 * workers; each runs potentials/domain-worker.ts and makes its potential from the spec with
 * `createDomainPotential`.
 */
import { createDecomposedPotential, type DecomposedPotential } from '../engine/parallel/index.js';
import type { DomainPotentialSpec } from './domain-potentials.js';

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

/** The worker module: compiled next to this file, or the TypeScript source when running from sources. */
const workerModule = new URL(import.meta.url.endsWith('.ts') ? './domain-worker.ts' : './domain-worker.js', import.meta.url);

/**
 * A potential evaluated by `workers` worker threads, one domain each.
 * @example
 * const pot = await createParallelPotential({ kind: 'lennard-jones', options: { cutoff_A: 8.5, all: { epsilon_eV: 0.0104, sigma_A: 3.405 } } }, system.typeNames, { workers: 2 });
 */
export function createParallelPotential(spec: DomainPotentialSpec, typeNames: readonly string[], options: ParallelOptions): Promise<DecomposedPotential> {
  return createDecomposedPotential({
    worker: workerModule, spec,
    typeNames, workers: options.workers, devices: options.devices, memoryBudget_bytes: options.memoryBudget_bytes, log: options.log,
  });
}
