/**
 * The training graph: a batch of structures as one disjoint graph (DESIGN.md §5 inputs plus a
 * structure index per atom), the model's forward pass, forces by e3md's symbolic autodiff, the
 * weighted MSE loss, and — for the training variant — the gradient of that loss with respect to
 * every weight, which differentiates through the forces (second derivatives of the energy).
 * Weights are written as graph inputs, so one ONNX session serves the whole run and the trainer
 * feeds updated values every step.
 *
 *   E_b      = Σ_{i ∈ b} mask_i · ε_i                               (B,)   eV
 *   F        = −∂(Σ_b E_b)/∂pos                                      (N, 3) eV/Å
 *   loss     = Σ_b w_b ((E_b − E_b^ref) / n_b)² + Σ_i w_i |F_i − F_i^ref|²
 *
 * The per-structure weights w_b (= λ_E / B) and per-atom weights w_i (= λ_F / 3N) are inputs, so
 * the loss is a mean over whatever batch is fed, and the same graph serves every batch size.
 */
import { contractTensor, POTENTIAL_OUTPUTS } from '../engine/index.js';
import { writeModel, type FloatDType, type Value } from '../onnx/index.js';
import { buildPotentialGraph, declareInput, type PotentialModel } from '../models/index.js';

/**
 * The extra graph inputs of a training batch, beyond the five of the potential contract (engine's
 * POTENTIAL_INPUTS), declared in the contract's form; `B` is the number of structures.
 */
export const BATCH_INPUTS = Object.freeze({
  batch: contractTensor({ name: 'batch', dtype: 'int64', shape: ['N'], unit: '', meaning: 'structure index b of each atom' }),
  refEnergy: contractTensor({ name: 'ref_energy', dtype: 'model', shape: ['B'], unit: 'eV', meaning: 'reference total energy of each structure' }),
  invAtoms: contractTensor({ name: 'inv_atoms', dtype: 'model', shape: ['B'], unit: '', meaning: '1 / (atoms in structure b)' }),
  energyWeight: contractTensor({ name: 'energy_weight', dtype: 'model', shape: ['B'], unit: '', meaning: "loss weight of each structure's per-atom energy error (λ_E / B)" }),
  refForces: contractTensor({ name: 'ref_forces', dtype: 'model', shape: ['N', 3], unit: 'eV/Å', meaning: 'reference forces' }),
  forceWeight: contractTensor({ name: 'force_weight', dtype: 'model', shape: ['N'], unit: '', meaning: "loss weight of each atom's squared force error (λ_F / 3N)" }),
});

/** The training graph's own outputs (its `forces` are the potential's: −∂(Σ_b E_b)/∂pos). */
export const TRAINING_OUTPUTS = Object.freeze({
  loss: contractTensor({ name: 'loss', dtype: 'model', shape: [], unit: '', meaning: 'Σ_b w_b ((E_b − E_b^ref) / n_b)² + Σ_i w_i |F_i − F_i^ref|²' }),
  structureEnergy: contractTensor({ name: 'structure_energy', dtype: 'model', shape: ['B'], unit: 'eV', meaning: 'E_b = Σ_{i ∈ b} mask_i · ε_i' }),
  forces: POTENTIAL_OUTPUTS.forces,
});

/** Name of the graph output holding the gradient of the loss with respect to weight `name`. */
export function gradientOutputName(name: string): string {
  return `grad.${name}`;
}

/** Options of {@link buildTrainingModel}. */
export interface TrainingGraphOptions {
  /** Float type of the arithmetic (and of every float input and output). */
  readonly dtype: FloatDType;
  /** Append ∂loss/∂w for every weight (training); false gives the cheaper evaluation graph. */
  readonly gradients: boolean;
}

/** A written training or evaluation graph. */
export interface TrainingModel {
  /** ONNX bytes; weights are graph inputs named after the model's parameters. */
  readonly bytes: Uint8Array;
  /** Names of the weight inputs, in graph order (every one a parameter of the model). */
  readonly weightNames: readonly string[];
  /**
   * Output names: `loss` (), `structure_energy` (B,), `forces` (N, 3), `grad.<weight>` when asked,
   * and the potential's own `atomic_energy` (N,) and `energy` () (the batch total).
   */
  readonly outputs: readonly string[];
}

/**
 * Builds and writes the training (or evaluation) graph of `model`.
 * @throws when the model's blocks do not fit together (see potentials/model `emitBlocks`)
 * @example
 * const { bytes, weightNames } = buildTrainingModel(createNequip({ typeNames: ['H', 'O'] }), { dtype: 'float64', gradients: true });
 * const session = await createSession(bytes, { device: 'cpu' });
 */
export function buildTrainingModel(model: PotentialModel, options: TrainingGraphOptions): TrainingModel {
  // The deployed model's own forward graph (DESIGN.md §5 inputs, blocks, masked total energy), so
  // training optimizes exactly what `e3md run` will evaluate; the batch inputs and loss go on top.
  const potential = buildPotentialGraph(model, { dtype: options.dtype, forces: false });
  const g = potential.graph;
  const inputs = potential.inputs;
  const batch = declareInput(g, BATCH_INPUTS.batch);
  const refEnergy = declareInput(g, BATCH_INPUTS.refEnergy);
  const invAtoms = declareInput(g, BATCH_INPUTS.invAtoms);
  const energyWeight = declareInput(g, BATCH_INPUTS.energyWeight);
  const refForces = declareInput(g, BATCH_INPUTS.refForces);
  const forceWeight = declareInput(g, BATCH_INPUTS.forceWeight);

  const atomic = g.mul(potential.atomicEnergy, inputs.energyMask);
  const energy = g.scope('structure_energy', () => g.segmentSum(atomic, batch, 'B'));
  // Disjoint structures: ∂(Σ_b E_b)/∂pos_i = ∂E_{b(i)}/∂pos_i, so one gradient gives every force.
  const forces = g.scope('forces', () => g.neg(g.grad(potential.energy, [inputs.pos])[0]!));
  const loss = g.scope('loss', () => {
    const de = g.mul(g.sub(energy, refEnergy), invAtoms);
    const eTerm = g.reduceSum(g.mul(g.mul(de, de), energyWeight));
    const df = g.sub(forces, refForces);
    const fTerm = g.reduceSum(g.mul(g.reduceSum(g.mul(df, df), [1]), forceWeight));
    return g.add(eTerm, fTerm);
  });
  g.output(TRAINING_OUTPUTS.loss.name, loss);
  g.output(TRAINING_OUTPUTS.structureEnergy.name, energy);
  g.output(TRAINING_OUTPUTS.forces.name, forces);
  const weights: Value[] = g.weights();
  if (options.gradients) {
    const grads = g.scope('backward', () => g.grad(loss, weights));
    weights.forEach((w, k) => g.output(gradientOutputName(w.name), grads[k]!));
  }
  const bytes = writeModel(g, { weights: 'inputs', docString: `e3md ${options.gradients ? 'training' : 'evaluation'} graph of a ${model.architecture} model for ${model.typeNames.join(', ')}` });
  return {
    bytes,
    weightNames: weights.map((w) => w.name),
    outputs: [...g.outputs.keys()],
  };
}
