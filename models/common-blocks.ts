/**
 * Blocks shared by NequIP and Allegro: species one-hot, edge harmonics, radial embedding,
 * atom-wise linear maps and the per-species energy scale and shift.
 */
import { Irreps, type Linear } from '../o3/index.js';
import type { Block } from './block.js';
import { features } from './features.js';
import { linearLayer } from './linear-layer.js';
import type { RadialSettings, ScaleShiftOptions } from './options.js';
import type { ParameterSet } from './parameters.js';
import { radialEmbedding } from './radial.js';
import { emitSphericalHarmonics } from './spherical-harmonics-layer.js';

const EDGE_VECTORS = Irreps.parse('1x1o');
const SCALAR = Irreps.parse('1x0e');

/** `node_attrs` = one-hot of `atom_types` over `numTypes` species. */
export function oneHotBlock(numTypes: number): Block {
  const irreps = Irreps.parse(`${numTypes}x0e`);
  return {
    name: 'one_hot',
    irrepsIn: {},
    irrepsOut: { node_attrs: irreps },
    emit(g, fields, inputs) {
      const eye = new Float64Array(numTypes * numTypes);
      for (let t = 0; t < numTypes; t++) eye[t * numTypes + t] = 1;
      fields.setFlat('node_attrs', irreps, g.gather(g.constant(eye, [numTypes, numTypes]), inputs.atomTypes, 0));
    },
  };
}

/** `edge_attrs` = Y_0..Y_lmax of the edge directions ('component' normalization). */
export function sphericalHarmonicsBlock(lmax: number): Block {
  const irreps = Irreps.sphericalHarmonics(lmax);
  return {
    name: 'spharm_edges',
    irrepsIn: { edge_vectors: EDGE_VECTORS, edge_lengths: SCALAR },
    irrepsOut: { edge_attrs: irreps },
    emit(g, fields) {
      const sh = emitSphericalHarmonics(g, fields.flat('edge_vectors'), fields.flat('edge_lengths'), { lmax });
      fields.setFlat('edge_attrs', irreps, sh.flat);
    },
  };
}

/** `edge_embedding` = Bessel basis × polynomial envelope; creates its parameters in `params`. */
export function radialBasisBlock(params: ParameterSet, rMax: number, s: RadialSettings): Block {
  const irreps = Irreps.parse(`${s.numBasis}x0e`);
  const embedding = radialEmbedding(params, 'radial_basis', rMax, s);
  return {
    name: 'radial_basis',
    irrepsIn: { edge_lengths: SCALAR },
    irrepsOut: { edge_embedding: irreps },
    emit(g, fields) {
      fields.setFlat('edge_embedding', irreps, embedding.emit(g, fields.flat('edge_lengths')));
    },
  };
}

/**
 * An atom-wise equivariant linear map from field `from` (flat or features) to features in field
 * `to`, nequip's `AtomwiseLinear`; creates its weights under the block name.
 */
export function atomwiseLinearBlock(params: ParameterSet, name: string, lin: Linear, from: string, to: string, fromIsFlat = false): Block {
  if (fromIsFlat && (lin.irrepsIn.length !== 1 || lin.irrepsIn.at(0).ir.l !== 0)) throw new Error(`${name}: a flat input must be a single scalar term, got ${lin.irrepsIn}`);
  const linear = linearLayer(params, name, lin);
  return {
    name,
    irrepsIn: { [from]: lin.irrepsIn },
    irrepsOut: { [to]: lin.irrepsOut },
    emit(g, fields) {
      // A flat scalar field [B, mul] is the channel-last term [B, 1, mul].
      const x = fromIsFlat ? features(lin.irrepsIn, [g.unsqueeze(fields.flat(from), [1])], name) : fields.features(from);
      fields.setFeatures(to, linear.emit(g, x));
    },
  };
}

function perSpecies(v: number | readonly number[] | undefined, fallback: number, n: number, what: string): number[] {
  if (v === undefined) return new Array<number>(n).fill(fallback);
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length !== n) throw new Error(`${what} has ${v.length} entries, expected one per species (${n})`);
  return [...v];
}

/**
 * `atomic_energy` ← scale · `atomic_energy` + shift per species; creates `per_species_scale_shift.scales`
 * and `.shifts` for those that train (the others become constants of the graph).
 */
export function scaleShiftBlock(params: ParameterSet, numTypes: number, options: ScaleShiftOptions = {}): Block {
  const name = 'per_species_scale_shift';
  const scales = perSpecies(options.scales, 1, numTypes, 'scaleShift.scales');
  const shifts = perSpecies(options.shifts, 0, numTypes, 'scaleShift.shifts');
  const trainable = options.trainable ?? true;
  const train = typeof trainable === 'boolean' ? { scales: trainable, shifts: trainable } : trainable;
  // Created scales first, then shifts, so a model trained either way keeps its parameter order.
  const trainedScales = train.scales ? params.create(`${name}.scales`, [numTypes], { values: scales }) : undefined;
  const trainedShifts = train.shifts ? params.create(`${name}.shifts`, [numTypes], { values: shifts }) : undefined;
  return {
    name,
    irrepsIn: { atomic_energy: SCALAR },
    irrepsOut: { atomic_energy: SCALAR },
    emit(g, fields, inputs) {
      const s = trainedScales ? params.weight(g, trainedScales) : g.constant(scales, [numTypes]);
      const b = trainedShifts ? params.weight(g, trainedShifts) : g.constant(shifts, [numTypes]);
      const e = fields.flat('atomic_energy');
      const rows = (v: typeof s) => g.reshape(g.gather(v, inputs.atomTypes, 0), ['N', 1]);
      fields.setFlat('atomic_energy', SCALAR, g.add(g.mul(e, rows(s)), rows(b)));
    },
  };
}
