/**
 * Options of the Allegro builder, typed and nested (Musaelian et al., Nat. Commun. 14, 579
 * (2023); allegro 0.2 defaults scaled down where noted so that a default model runs MD on a CPU).
 */
import { radialSettings, type RadialOptions, type RadialSettings } from '../radial.js';
import type { ScaleShiftOptions } from '../common-blocks.js';
import { positiveInt as sharedPositiveInt, sharedSettings } from '../settings.js';

/** A scalar MLP's hidden layers. */
export interface HiddenLayers {
  /** Widths of the hidden layers. */
  readonly hidden?: readonly number[];
  /** Hidden activation (default 'silu'). */
  readonly activation?: string;
}

/** Options of {@link createAllegro}. */
export interface AllegroOptions {
  /** Chemical symbols in type-index order. */
  readonly typeNames: readonly string[];
  /** Cutoff radius, Å (default 5). */
  readonly rMax_A?: number;
  /** Tensor-product layers (default 2). Allegro stays strictly local: interaction depth 1. */
  readonly numLayers?: number;
  /** Largest degree of harmonics and edge tensors (default 2). */
  readonly lmax?: number;
  /** Channels of the equivariant edge tensors (allegro's env_embed_multiplicity; default 16). */
  readonly numTensorFeatures?: number;
  /** Edge tensors of both parities (default true, allegro's o3_full). */
  readonly parity?: boolean;
  /** Width of the scalar edge latents (default 64). */
  readonly latentDim?: number;
  readonly radial?: RadialOptions;
  /** Two-body MLP: [one-hot i, one-hot j, radial basis] → latent (default hidden [32, 64]). */
  readonly twoBodyMlp?: HiddenLayers;
  /** Latent MLP of each layer: [latent, TP scalars] → latent (default hidden [64]). */
  readonly latentMlp?: HiddenLayers;
  /** Edge-energy MLP: latent → E_ij (default hidden [32]). */
  readonly edgeEnergyMlp?: HiddenLayers;
  /** Environment sums and edge-energy sums are divided by √avgNumNeighbors (default 20; null: off). */
  readonly avgNumNeighbors?: number | null;
  readonly scaleShift?: ScaleShiftOptions;
  /** Seed of the weight initialization (default 0). */
  readonly seed?: number;
}

/** Options with defaults filled in. */
export interface AllegroSettings {
  readonly typeNames: readonly string[];
  readonly rMax_A: number;
  readonly numLayers: number;
  readonly lmax: number;
  readonly numTensorFeatures: number;
  readonly parity: boolean;
  readonly latentDim: number;
  readonly radial: RadialSettings;
  readonly twoBodyMlp: Required<HiddenLayers>;
  readonly latentMlp: Required<HiddenLayers>;
  readonly edgeEnergyMlp: Required<HiddenLayers>;
  readonly avgNumNeighbors: number | null;
  readonly scaleShift: ScaleShiftOptions;
  readonly seed: number;
}

const positiveInt = (v: number, what: string, min = 1) => sharedPositiveInt('allegro', v, what, min);

function hidden(h: HiddenLayers | undefined, fallback: number[], what: string): Required<HiddenLayers> {
  const widths = [...(h?.hidden ?? fallback)];
  widths.forEach((w, k) => positiveInt(w, `${what}.hidden[${k}]`));
  return { hidden: widths, activation: h?.activation ?? 'silu' };
}

/** Fills defaults and checks every option. @throws naming the option */
export function allegroSettings(o: AllegroOptions): AllegroSettings {
  const shared = sharedSettings('allegro', o);
  return Object.freeze({
    typeNames: shared.typeNames,
    rMax_A: shared.rMax_A,
    numLayers: positiveInt(o.numLayers ?? 2, 'numLayers'),
    lmax: positiveInt(o.lmax ?? 2, 'lmax', 0),
    numTensorFeatures: positiveInt(o.numTensorFeatures ?? 16, 'numTensorFeatures'),
    parity: o.parity ?? true,
    latentDim: positiveInt(o.latentDim ?? 64, 'latentDim'),
    radial: radialSettings(o.radial),
    twoBodyMlp: hidden(o.twoBodyMlp, [32, 64], 'twoBodyMlp'),
    latentMlp: hidden(o.latentMlp, [64], 'latentMlp'),
    edgeEnergyMlp: hidden(o.edgeEnergyMlp, [32], 'edgeEnergyMlp'),
    avgNumNeighbors: shared.avgNumNeighbors,
    scaleShift: o.scaleShift ?? {},
    seed: o.seed ?? 0,
  });
}
