/**
 * What a model builder returns: a definition independent of the float type — its blocks,
 * parameters and identity — from which `exportPotential` makes an ONNX potential in float32 or
 * float64 (DESIGN.md §5).
 */
import type { Irreps } from '../o3/index.js';
import type { Block } from './block.js';
import type { ParameterSet } from './parameters.js';

/** Architectures e3md builds. */
export type Architecture = 'nequip' | 'allegro';

/** A built (randomly initialized or trained) model. */
export interface PotentialModel {
  readonly architecture: Architecture;
  /** Chemical symbols in type-index order (`atom_types` indexes this list). */
  readonly typeNames: readonly string[];
  /** Cutoff radius, Å. */
  readonly rMax_A: number;
  /** Message-passing layers whose receptive field a ghost shell must cover (1 for Allegro). */
  readonly interactionDepth: number;
  /** The blocks in order; they read `edge_vectors` and `edge_lengths` and end by writing `atomic_energy`. */
  readonly blocks: readonly Block[];
  readonly parameters: ParameterSet;
  /** The settings the model was built with (defaults filled in), JSON-serializable. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Hidden irreps per block, for people (`e3md info`). */
  readonly summary: readonly { readonly block: string; readonly irrepsIn: string; readonly irrepsOut: string }[];
}

/** Per-block irreps summary of a block list. */
export function summarizeBlocks(blocks: readonly Block[]): PotentialModel['summary'] {
  const fmt = (r: Readonly<Record<string, Irreps>>) =>
    Object.entries(r)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
  return blocks.map((b) => ({ block: b.name, irrepsIn: fmt(b.irrepsIn), irrepsOut: fmt(b.irrepsOut) }));
}
