/**
 * What a worker thread evaluates (DESIGN.md §7): a Potential over one domain's local atoms,
 * owned atoms first and ghosts after, made in the worker by a factory module that the layer
 * above names by URL (potentials/ provides Lennard-Jones and ONNX ones), so the engine never
 * imports a force field.
 */
import type { Potential } from '../index.js';

/** A force field as a worker sees it. */
export interface DomainPotential extends Potential {
  /**
   * Message-passing layers whose receptive field a ghost shell must cover (the model's
   * `e3md.interaction_depth`); 1 for pair potentials.
   */
  readonly interactionDepth: number;
  /**
   * Energy mask for full-list potentials: atoms [0, count) count, the rest are context whose
   * forces are still computed. Required when `neighborKind` is `full`; `null` = every atom owned.
   */
  setOwnedAtoms?(count: number | null): void;
  /**
   * Estimated peak bytes of one evaluation of `atoms` atoms and `edges` edges whose busiest
   * centre has `maxDegree` of them. With it a worker splits a domain into chunks that fit the
   * memory budget; without it a domain is evaluated whole.
   */
  estimateBytes?(atoms: number, edges: number, maxDegree: number): number;
  /** Where it runs (an ONNX execution provider), for logs. */
  readonly provider?: string;
}

/** What a factory is told about the worker it runs in. */
export interface DomainPotentialContext {
  /** Worker slot, 0 … workers − 1. */
  readonly slot: number;
  /** Species of the systems it will see; local systems use this order of type ids. */
  readonly typeNames: readonly string[];
  /** Device for this worker (round-robin over `parallel.devices`), when one was asked for. */
  readonly device?: string;
  /** The worker's memory budget per evaluation, bytes (null: none, so `estimateBytes` is not needed). */
  readonly memoryBudget_bytes: number | null;
  /** Messages for the user (device fallbacks); they are shown once, by the main thread. */
  log(message: string): void;
}

/**
 * The function a factory module exports (named in the worker's init task) to make a worker's potential.
 * @example
 * export const createDomainPotential: DomainPotentialFactory = (spec, ctx) => lennardJonesDomain(spec as LennardJonesOptions, ctx.typeNames);
 */
export type DomainPotentialFactory = (spec: unknown, context: DomainPotentialContext) => DomainPotential | Promise<DomainPotential>;
