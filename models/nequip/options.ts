/**
 * Options of the NequIP builder, typed and nested, with NequIP's defaults (Batzner et al.,
 * Nat. Commun. 13, 2453 (2022); nequip 0.5 `configs/full.yaml`).
 */
import { radialSettings, type RadialOptions, type RadialSettings } from '../radial.js';
import type { ScaleShiftOptions } from '../common-blocks.js';
import { positiveInt as sharedPositiveInt, sharedSettings } from '../settings.js';
import { activationByName } from '../activation-layer.js';

/** Activation names per parity of the scalar they act on. */
export interface ParityActivations {
  /** For even scalars (0e); default 'silu'. */
  readonly even?: string;
  /** For odd scalars (0o); default 'tanh' (odd, so 0o stays 0o). */
  readonly odd?: string;
}

/** Options of {@link createNequip}. */
export interface NequipOptions {
  /** Chemical symbols the model knows, in type-index order, e.g. `['H', 'O']`. */
  readonly typeNames: readonly string[];
  /** Cutoff radius r_max, Å (default 5). */
  readonly rMax_A?: number;
  /** Interaction (message-passing) layers (default 4); this is the model's interaction depth. */
  readonly numLayers?: number;
  /** Largest degree of the edge harmonics and of the hidden features (default 2). */
  readonly lmax?: number;
  /** Channels per irrep in the hidden features (default 32). */
  readonly numFeatures?: number;
  /** Hidden features of both parities (default true, NequIP's `parity: true`); false keeps only parity (−1)^l. */
  readonly parity?: boolean;
  /** Bessel basis and cutoff envelope (8 functions, trainable frequencies, p = 6). */
  readonly radial?: RadialOptions;
  /** The radial MLP that makes per-edge tensor-product weights. */
  readonly radialMlp?: {
    /** Hidden layers (default 2). */
    readonly layers?: number;
    /** Width of each hidden layer (default 64). */
    readonly neurons?: number;
    /** Hidden activation (default 'silu'). */
    readonly activation?: string;
  };
  /** Gate nonlinearities. */
  readonly nonlinearity?: {
    readonly scalars?: ParityActivations;
    readonly gates?: ParityActivations;
  };
  /**
   * Messages summed over neighbours are divided by √avgNumNeighbors (default 20, typical of
   * condensed phases at r_max ≈ 5 Å; set it from training data). null disables it.
   */
  readonly avgNumNeighbors?: number | null;
  /** Add a layer's input to its output when their irreps agree (default true). */
  readonly resnet?: boolean;
  /** Scalar readout: channels of the hidden atom-wise layer (default numFeatures / 2). */
  readonly readout?: { readonly hiddenFeatures?: number };
  /** Per-species energy scale and shift (default 1 and 0 eV, trainable). */
  readonly scaleShift?: ScaleShiftOptions;
  /** Seed of the weight initialization (default 0). */
  readonly seed?: number;
  /**
   * Second-moment factors of activations by name, replacing the exact `normalize2mom` value (the
   * default). e3nn estimates them by Monte Carlo (silu 1.67918 against the exact 1.67653), so a
   * model trained with nequip is reproduced exactly only with e3nn's numbers; `e3md model import`
   * sets them.
   */
  readonly activationFactors?: Readonly<Record<string, number>>;
}

/** Options with every default filled in. */
export interface NequipSettings {
  readonly typeNames: readonly string[];
  readonly rMax_A: number;
  readonly numLayers: number;
  readonly lmax: number;
  readonly numFeatures: number;
  readonly parity: boolean;
  readonly radial: RadialSettings;
  readonly radialMlp: { readonly layers: number; readonly neurons: number; readonly activation: string };
  readonly nonlinearity: { readonly scalars: Required<ParityActivations>; readonly gates: Required<ParityActivations> };
  readonly avgNumNeighbors: number | null;
  readonly resnet: boolean;
  readonly readout: { readonly hiddenFeatures: number };
  readonly scaleShift: ScaleShiftOptions;
  readonly seed: number;
  /** The activations whose factor is not the exact one; absent when none. */
  readonly activationFactors?: Readonly<Record<string, number>>;
}

const positiveInt = (v: number, what: string, min = 1) => sharedPositiveInt('nequip', v, what, min);

/**
 * Fills defaults and checks every option.
 * @throws naming the option
 */
export function nequipSettings(o: NequipOptions): NequipSettings {
  const shared = sharedSettings('nequip', o);
  const numFeatures = positiveInt(o.numFeatures ?? 32, 'numFeatures');
  return Object.freeze({
    typeNames: shared.typeNames,
    rMax_A: shared.rMax_A,
    numLayers: positiveInt(o.numLayers ?? 4, 'numLayers'),
    lmax: positiveInt(o.lmax ?? 2, 'lmax', 0),
    numFeatures,
    parity: o.parity ?? true,
    radial: radialSettings(o.radial),
    radialMlp: {
      layers: positiveInt(o.radialMlp?.layers ?? 2, 'radialMlp.layers', 0),
      neurons: positiveInt(o.radialMlp?.neurons ?? 64, 'radialMlp.neurons'),
      activation: o.radialMlp?.activation ?? 'silu',
    },
    nonlinearity: {
      scalars: { even: o.nonlinearity?.scalars?.even ?? 'silu', odd: o.nonlinearity?.scalars?.odd ?? 'tanh' },
      gates: { even: o.nonlinearity?.gates?.even ?? 'silu', odd: o.nonlinearity?.gates?.odd ?? 'tanh' },
    },
    avgNumNeighbors: shared.avgNumNeighbors,
    resnet: o.resnet ?? true,
    readout: { hiddenFeatures: positiveInt(o.readout?.hiddenFeatures ?? Math.max(1, Math.floor(numFeatures / 2)), 'readout.hiddenFeatures') },
    scaleShift: o.scaleShift ?? {},
    seed: o.seed ?? 0,
    ...(o.activationFactors && Object.keys(o.activationFactors).length > 0 && { activationFactors: activationFactors(o.activationFactors) }),
  });
}

function activationFactors(factors: Readonly<Record<string, number>> | undefined): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(factors ?? {})) {
    activationByName(name);
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`nequip: activationFactors.${name} must be a number > 0, got ${v}`);
    out[name] = v;
  }
  return Object.freeze(out);
}
