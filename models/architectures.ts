/**
 * The architectures e3md builds, by name: each one's option schema and builder, so a caller that
 * holds an architecture name (a train config, `e3md model create --arch`) needs no switch of its own.
 */
import type { z } from 'zod';
import { allegroOptionsSchema, createAllegro } from './allegro/index.js';
import type { PotentialModel } from './model.js';
import { createNequip, nequipOptionsSchema } from './nequip/index.js';

/** Option schema and builder of each architecture. */
export const ARCHITECTURES = Object.freeze({
  nequip: Object.freeze({ optionsSchema: nequipOptionsSchema, create: createNequip }),
  allegro: Object.freeze({ optionsSchema: allegroOptionsSchema, create: createAllegro }),
});

/** Options of architecture `A` as a caller gives them. */
export type ModelOptions<A extends keyof typeof ARCHITECTURES> = z.input<(typeof ARCHITECTURES)[A]['optionsSchema']>;

/**
 * The model of architecture `architecture` built from `options` (checked by its schema).
 * @throws ModelOptionsError naming the option; an Error for an unknown architecture
 * @example const model = createModel('allegro', { typeNames: ['H', 'O'], lmax: 1 });
 */
export function createModel<A extends keyof typeof ARCHITECTURES>(architecture: A, options: ModelOptions<A>): PotentialModel {
  const arch = ARCHITECTURES[architecture] as (typeof ARCHITECTURES)[keyof typeof ARCHITECTURES] | undefined;
  if (!arch) throw new Error(`unknown architecture '${String(architecture)}' (use ${Object.keys(ARCHITECTURES).join(', ')})`);
  return (arch.create as (o: unknown) => PotentialModel)(options);
}
