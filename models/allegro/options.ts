/**
 * The options of the Allegro builder as one zod schema (Musaelian et al., Nat. Commun. 14, 579
 * (2023); allegro 0.2 defaults scaled down where noted so that a default model runs MD on a CPU).
 * The key order is the order of `e3md.settings` in an exported model.
 */
import { z } from 'zod';
import { activationOption, avgNumNeighborsSchema, intOption, parseModelOptions, radialSchema, rMaxSchema, scaleShiftSchema, seedSchema, typeNamesSchema } from '../options.js';

/** A scalar MLP's hidden layers. */
const hiddenLayers = (widths: number[], what: string) =>
  z
    .strictObject({
      hidden: z.array(z.number().int().min(1)).readonly().default(widths).describe('Widths of the hidden layers'),
      activation: activationOption('silu', 'Hidden activation'),
    })
    .prefault({})
    .describe(what);

/** Every option of {@link createAllegro}. */
export const allegroOptionsSchema = z.strictObject({
  typeNames: typeNamesSchema,
  rMax_A: rMaxSchema,
  numLayers: intOption(2, 'Tensor-product layers; Allegro stays strictly local (interaction depth 1)'),
  lmax: intOption(2, 'Largest degree of the harmonics and the edge tensors', 0),
  numTensorFeatures: intOption(16, "Channels of the equivariant edge tensors (allegro's env_embed_multiplicity)"),
  parity: z.boolean().default(true).describe("Edge tensors of both parities (allegro's o3_full)"),
  latentDim: intOption(64, 'Width of the scalar edge latents'),
  radial: radialSchema,
  twoBodyMlp: hiddenLayers([32, 64], 'Two-body MLP: [one-hot i, one-hot j, radial basis] → latent'),
  latentMlp: hiddenLayers([64], 'Latent MLP of each layer: [latent, tensor-product scalars] → latent'),
  edgeEnergyMlp: hiddenLayers([32], 'Edge-energy MLP: latent → E_ij'),
  avgNumNeighbors: avgNumNeighborsSchema,
  scaleShift: scaleShiftSchema,
  seed: seedSchema,
});

/** Options of {@link createAllegro} as a caller gives them (everything but `typeNames` has a default). */
export type AllegroOptions = z.input<typeof allegroOptionsSchema>;

/** Options with every default filled in: what the model records as `e3md.settings`. */
export type AllegroSettings = Readonly<z.output<typeof allegroOptionsSchema>>;

/**
 * Checks every option and fills the defaults.
 * @throws ModelOptionsError naming the option, e.g. `allegro: latentMlp.hidden[0]: must be ≥ 1, got 0`
 * @example allegroSettings({ typeNames: ['H', 'O'] }).numTensorFeatures // 16
 */
export function allegroSettings(options: AllegroOptions): AllegroSettings {
  return Object.freeze(parseModelOptions('allegro', allegroOptionsSchema, options));
}
