/**
 * The options of the Allegro builder as one zod schema: allegro 0.3's architecture (Musaelian et
 * al., Nat. Commun. 14, 579 (2023); mir-group/allegro v0.3.0 `Allegro_Module`), with allegro's
 * names in camelCase where it has one, and sizes scaled down so that a default model runs MD on a
 * CPU. The key order is the order of `e3md.settings` in an exported model.
 */
import { z } from 'zod';
import { activationSchema, avgNumNeighborsSchema, intOption, parseModelOptions, rMaxSchema, scaleShiftSchema, seedSchema, symbolSchema, typeNamesSchema } from '../options.js';

/**
 * Activations an Allegro MLP may use. Allegro's MLPs have no biases, so each latent vanishes with
 * its input at the cutoff only when f(0) = 0: sigmoid (f(0) = ½) would leave the energy
 * discontinuous where a neighbour leaves r_max, so it is refused.
 */
const mlpActivation = (fallback: 'silu' | 'identity', what: string) =>
  activationSchema
    .refine((a) => a !== 'sigmoid', { message: 'is refused: Allegro MLPs have no biases, so an activation must vanish at 0 (silu, ssp, tanh, abs or identity) for the energy to be continuous at the cutoff' })
    .default(fallback)
    .describe(what);

/** A scalar MLP's hidden layers. */
const hiddenLayers = (widths: number[], activation: 'silu' | 'identity', what: string) =>
  z
    .strictObject({
      hidden: z.array(z.number().int().min(1)).readonly().default(widths).describe('Widths of the hidden layers'),
      activation: mlpActivation(activation, 'Hidden activation'),
    })
    .prefault({})
    .describe(what);

const cutoff = z.number().gt(0).lt(Infinity);

/** Allegro's Bessel basis and polynomial envelope (allegro's AllegroBesselBasis). */
const radialSchema = z
  .strictObject({
    numBasis: intOption(8, 'Number of Bessel functions (allegro: num_bessels_per_basis)'),
    trainableFrequencies: z.boolean().default(true).describe('Train the Bessel frequencies (allegro: AllegroBesselBasis_trainable)'),
    cutoffP: z.number().min(2).lt(Infinity).default(6).describe('Exponent p of the polynomial cutoff envelope (allegro: PolynomialCutoff_p)'),
    perEdgeTypeCutoff_A: z
      .record(symbolSchema, z.union([cutoff, z.record(symbolSchema, cutoff)]))
      .optional()
      .describe('Smaller cutoffs than rMax_A per (centre, neighbour) species, Å: { "H": 3.0, "O": { "H": 3.5, "O": 4.0 } } (allegro: per_edge_type_cutoff); each pair then has its own frequencies'),
  })
  .prefault({})
  .describe('Bessel basis sin(w r)/(π r/r_c) and cutoff envelope');

/** Every option of {@link createAllegro}. */
export const allegroOptionsSchema = z.strictObject({
  typeNames: typeNamesSchema,
  rMax_A: rMaxSchema,
  numLayers: intOption(2, 'Tensor-product layers; Allegro stays strictly local (interaction depth 1)'),
  lmax: intOption(2, 'Largest degree of the harmonics and the edge tensors', 0),
  numTensorFeatures: intOption(16, 'Channels of the equivariant edge tensors (allegro: num_tensor_features)'),
  parity: z.boolean().default(true).describe("Edge tensors of both parities (allegro's parity o3_full); false keeps the harmonics' parities (o3_restricted)"),
  latentDim: intOption(64, 'Width of the scalar edge latents (the last width of each latent MLP in allegro)'),
  radial: radialSchema,
  typeEmbedding: z
    .strictObject({
      dim: z.number().int().min(2).multipleOf(2).optional().describe('Width of the two-body embedding: half for the centre species, half for the neighbour (default twoBodyMlp.hidden[0], else latentDim; allegro: initial_scalar_embedding_dim)'),
      basisMlp: hiddenLayers([], 'identity', 'MLP from the radial basis to the embedding width (allegro: radial_basis_mlp; default one linear map)'),
    })
    .prefault({})
    .describe('Two-body input: the radial basis mapped to the embedding width times the concatenated species embeddings of centre and neighbour'),
  twoBodyMlp: hiddenLayers([32, 64], 'silu', 'Two-body latent MLP: embedding → latent (allegro: two_body_latent_mlp_latent_dimensions without the last, = latentDim)'),
  tensorsMixingMode: z.enum(['uuulin', 'p']).default('uuulin').describe("How tensor-product paths are combined (allegro: tensors_mixing_mode): 'uuulin' keeps each path and mixes paths of one irrep with a linear map; 'p' sums the paths into each irrep with one trained weight per path"),
  selfEdgeTensorProduct: z.boolean().default(false).describe('Include edge ij itself in the environment it is multiplied with (allegro: self_edge_tensor_product)'),
  envEmbedMlp: hiddenLayers([], 'silu', 'MLP from the latent to the environment weights of each layer (allegro: env_embed_mlp; default one linear map)'),
  latentMlp: hiddenLayers([64], 'silu', 'Latent MLP of each later layer: [latent, tensor-product scalars] → latent (allegro: latent_mlp_latent_dimensions without the last, = latentDim)'),
  latentResnet: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Residual latent updates; without them each latent MLP reads all earlier latents (allegro: latent_resnet)'),
      coefficients: z.array(z.number().gt(0).lt(Infinity)).readonly().optional().describe('Relative weights of the two-body latent and each update, numLayers + 1 positive numbers (default all 1; allegro: latent_resnet_coefficients)'),
      trainable: z.boolean().default(false).describe('Train the coefficients (allegro: latent_resnet_coefficients_learnable)'),
    })
    .prefault({})
    .describe('Latent update x ← √(c_old) x + √(c_new) MLP(…) with normalised cumulative coefficients'),
  edgeEnergyMlp: hiddenLayers([32], 'identity', 'Edge-energy MLP: latent → E_ij (allegro: edge_eng_mlp)'),
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
