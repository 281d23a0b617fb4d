/**
 * The options of the NequIP builder as one zod schema, with NequIP's defaults (Batzner et al.,
 * Nat. Commun. 13, 2453 (2022); nequip 0.5 `configs/full.yaml`). The key order is the order of
 * `e3md.settings` in an exported model.
 */
import { z } from 'zod';
import { activationOption, activationSchema, avgNumNeighborsSchema, intOption, parseModelOptions, radialSchema, rMaxSchema, scaleShiftSchema, seedSchema, typeNamesSchema } from '../options.js';

/** Activations per parity of the scalar they act on: an odd one keeps 0o odd. */
const parityActivations = (what: string) =>
  z
    .strictObject({
      even: activationOption('silu', 'For even scalars (0e)'),
      odd: activationOption('tanh', 'For odd scalars (0o); an odd function keeps them odd'),
    })
    .prefault({})
    .describe(what);

/** Every option of {@link createNequip}; `readout.hiddenFeatures` defaults to numFeatures / 2 (see {@link nequipSettings}). */
export const nequipOptionsSchema = z.strictObject({
  typeNames: typeNamesSchema,
  rMax_A: rMaxSchema,
  numLayers: intOption(4, "Interaction (message-passing) layers; the model's interaction depth"),
  lmax: intOption(2, 'Largest degree of the edge harmonics and of the hidden features', 0),
  numFeatures: intOption(32, 'Channels per irrep in the hidden features'),
  parity: z.boolean().default(true).describe('Hidden features of both parities (NequIP’s parity: true); false keeps only parity (−1)^l'),
  radial: radialSchema,
  radialMlp: z
    .strictObject({
      layers: intOption(2, 'Hidden layers', 0),
      neurons: intOption(64, 'Width of each hidden layer'),
      activation: activationOption('silu', 'Hidden activation'),
    })
    .prefault({})
    .describe('The radial MLP that makes the per-edge tensor-product weights'),
  nonlinearity: z
    .strictObject({ scalars: parityActivations('Activations of the scalar features'), gates: parityActivations('Activations of the gate scalars') })
    .prefault({})
    .describe('Gate nonlinearities'),
  avgNumNeighbors: avgNumNeighborsSchema,
  resnet: z.boolean().default(true).describe("Add a layer's input to its output when their irreps agree"),
  readout: z
    .strictObject({ hiddenFeatures: z.number().int().min(1).optional().describe('Channels of the hidden atom-wise layer (default numFeatures / 2)') })
    .prefault({})
    .describe('Scalar readout'),
  scaleShift: scaleShiftSchema,
  seed: seedSchema,
  activationFactors: z
    .partialRecord(activationSchema, z.number().gt(0).lt(Infinity))
    .optional()
    .describe("Second-moment factors of activations by name, replacing the exact normalize2mom values: e3nn estimates them by Monte Carlo (silu 1.67918 against the exact 1.67653), so a model trained with nequip is exact only with e3nn's numbers (set by `e3md model import`)"),
});

/** Options of {@link createNequip} as a caller gives them (everything but `typeNames` has a default). */
export type NequipOptions = z.input<typeof nequipOptionsSchema>;

/** Options with every default filled in: what the model records as `e3md.settings`. */
export type NequipSettings = Readonly<Omit<z.output<typeof nequipOptionsSchema>, 'readout'> & { readout: { readonly hiddenFeatures: number } }>;

/**
 * Checks every option and fills the defaults.
 * @throws ModelOptionsError naming the option, e.g. `nequip: radialMlp.neurons: must be ≥ 1, got 0`
 * @example nequipSettings({ typeNames: ['H', 'O'] }).numLayers // 4
 */
export function nequipSettings(options: NequipOptions): NequipSettings {
  const s = parseModelOptions('nequip', nequipOptionsSchema, options);
  return Object.freeze({ ...s, readout: { hiddenFeatures: s.readout.hiddenFeatures ?? Math.max(1, Math.floor(s.numFeatures / 2)) } });
}
