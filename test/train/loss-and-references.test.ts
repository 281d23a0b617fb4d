import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../onnx/index.js';
import { finalLossWeights, loadTrainConfig, lossWeightsAt, prepareTraining, runTraining, type TrainResult } from '../../train/index.js';
import { miniConfig, tempDir, writeConfig } from './helpers.js';

async function trainIn(dir: string, config: Record<string, unknown>): Promise<TrainResult> {
  return runTraining(prepareTraining(loadTrainConfig(writeConfig(dir, config))));
}

const ATOMS = { H: -13.641452005860028, O: -2040.8746430185272 };
const micro = { architecture: 'nequip', rMax_A: 3.5, numLayers: 1, lmax: 1, numFeatures: 4, radialMlp: { layers: 1, neurons: 8, activation: 'silu' }, seed: 1 };
const microAllegro = { architecture: 'allegro', rMax_A: 3.5, numLayers: 1, lmax: 1, numTensorFeatures: 4, latentDim: 8, twoBodyMlp: { hidden: [8] }, latentMlp: { hidden: [8] }, edgeEnergyMlp: { hidden: [8] }, seed: 1 };

describe('loss-weight schedule', () => {
  const loss = { energy_weight: 1, force_weight: 100, schedule: [{ epoch: 11, energy_weight: 10, force_weight: 1, ramp_epochs: 5 }, { epoch: 30, force_weight: 4, ramp_epochs: 0 }] };

  it('switches and ramps linearly at the given epochs, exactly reaching each stage', () => {
    expect(lossWeightsAt(loss, 1)).toEqual({ energy: 1, forces: 100 });
    expect(lossWeightsAt(loss, 10)).toEqual({ energy: 1, forces: 100 });
    const mid = lossWeightsAt(loss, 13); // 3 of 5 ramp epochs
    expect(mid.energy).toBeCloseTo(1 + 0.6 * 9, 14);
    expect(mid.forces).toBeCloseTo(100 - 0.6 * 99, 14);
    expect(lossWeightsAt(loss, 15)).toEqual({ energy: 10, forces: 1 });
    expect(lossWeightsAt(loss, 29)).toEqual({ energy: 10, forces: 1 });
    expect(lossWeightsAt(loss, 30)).toEqual({ energy: 10, forces: 4 });
    expect(finalLossWeights(loss)).toEqual({ energy: 10, forces: 4 });
    expect(finalLossWeights({ energy_weight: 2, force_weight: 3, schedule: [] })).toEqual({ energy: 2, forces: 3 });
  });

  it('refuses stages out of order, inside the previous ramp, or setting nothing, naming the key', () => {
    const dir = tempDir();
    const bad = (schedule: unknown[]) => () => loadTrainConfig(writeConfig(dir, miniConfig(dir, { loss: { energy_weight: 1, force_weight: 1, schedule } })));
    expect(bad([{ epoch: 5, energy_weight: 2 }, { epoch: 5, energy_weight: 3 }])).toThrow(/loss\.schedule\[1\]\.epoch: must come after the previous stage \(epoch 5\), got 5/);
    expect(bad([{ epoch: 5, energy_weight: 2, ramp_epochs: 4 }, { epoch: 7, force_weight: 3 }])).toThrow(/loss\.schedule\[1\]\.epoch: must come after the previous stage and its ramp \(epoch 5 \+ 4 ramp epochs\), got 7/);
    expect(bad([{ epoch: 5 }])).toThrow(/loss\.schedule\[0\]: sets neither energy_weight nor force_weight/);
    expect(bad([{ epoch: 0, energy_weight: 1 }])).toThrow(/loss\.schedule\[0\]\.epoch: must be ≥ 1, got 0/);
  });

  it('trains each epoch with its stage’s weights and validates with the final ones', async () => {
    const [a, b] = [tempDir(), tempDir()];
    const training = { max_epochs: 2, batch_size: 4, learning_rate: 0.01, seed: 2, dtype: 'float64' }; // float64: the loss identity below holds to rounding
    // No energy term in epoch 1, then λ_E = 5: epoch 1 trains as a forces-only run does.
    const scheduled = await trainIn(a, miniConfig(a, { training, loss: { energy_weight: 0, force_weight: 1, schedule: [{ epoch: 2, energy_weight: 5 }] } }));
    const forcesOnly = await trainIn(b, miniConfig(b, { training, loss: { energy_weight: 0, force_weight: 1 } }));
    expect(scheduled.history[0]!.train.loss).toBe(forcesOnly.history[0]!.train.loss);
    expect(scheduled.history[1]!.train.loss).not.toBe(forcesOnly.history[1]!.train.loss);
    // One validation batch (4 structures): its loss is λ_E·RMSE(E/atom)² + λ_F·RMSE(F)² with λ_E = 5 from the start.
    for (const h of scheduled.history) {
      const v = h.validation;
      expect(v.loss).toBeCloseTo(5 * (v.energyRmse_meV_per_atom / 1000) ** 2 + (v.forceRmse_meV_per_A / 1000) ** 2, 12);
    }
    const v0 = forcesOnly.history[0]!.validation;
    expect(v0.loss).toBeCloseTo((v0.forceRmse_meV_per_A / 1000) ** 2, 12);
  });
});

describe('energy references from the isolated atoms', () => {
  it('reads them from a file (dataset format or flat) or inline, and keeps them fixed unless asked', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'atoms.json'), JSON.stringify({ program: 'psi4', atoms: { H: { multiplicity: 2, energy_eV: ATOMS.H }, O: { multiplicity: 3, energy_eV: ATOMS.O } } }));
    const fromFile = prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir, { model: { ...micro, energyReferences: 'atoms.json' } }))));
    expect(fromFile.statistics.energyReferences_eV).toEqual([ATOMS.H, ATOMS.O]);
    // The shifts are constants of the graph; the scales still train.
    expect(fromFile.model.parameters.has('per_species_scale_shift.scales')).toBe(true);
    expect(fromFile.model.parameters.has('per_species_scale_shift.shifts')).toBe(false);
    const inline = prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir, { model: { ...micro, energyReferences: ATOMS } }))));
    expect(inline.statistics.energyReferences_eV).toEqual([ATOMS.H, ATOMS.O]);
    // Asked for, they train; the least-squares fit trains them by default.
    const trained = prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir, { model: { ...micro, energyReferences: ATOMS, scaleShift: { trainable: true } } }))));
    expect(trained.model.parameters.has('per_species_scale_shift.shifts')).toBe(true);
    const fitted = prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir, { model: micro }))));
    expect(fitted.model.parameters.has('per_species_scale_shift.shifts')).toBe(true);
    const flat = join(dir, 'flat.json');
    writeFileSync(flat, JSON.stringify(ATOMS));
    expect(prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir, { model: { ...micro, energyReferences: flat } })))).statistics.energyReferences_eV).toEqual([ATOMS.H, ATOMS.O]);
  });

  it('refuses a missing file, a bad one, or one without every species, naming the file or key', () => {
    const dir = tempDir();
    const load = (energyReferences: unknown) => () => prepareTraining(loadTrainConfig(writeConfig(dir, miniConfig(dir, { model: { ...micro, energyReferences } }))));
    expect(load('nowhere.json')).toThrow(/nowhere\.json: energy reference file not found \(model\.energyReferences\)/);
    writeFileSync(join(dir, 'only-h.json'), JSON.stringify({ H: ATOMS.H }));
    expect(load('only-h.json')).toThrow(/only-h\.json: gives no energy for O/);
    writeFileSync(join(dir, 'text.json'), JSON.stringify({ atoms: { H: { energy_eV: 'low' }, O: { energy_eV: 1 } } }));
    expect(load('text.json')).toThrow(/text\.json: the energy of 'H' is "low", expected a finite number of eV \(key energy_eV\)/);
    writeFileSync(join(dir, 'list.json'), '[1, 2]');
    expect(load('list.json')).toThrow(/list\.json: expected an object of per-species energies/);
    expect(load({ H: ATOMS.H, O: ATOMS.O, C: -1000 })).toThrow(/model\.energyReferences\.C: 'C' is not a species of the model/);
    expect(load({ H: ATOMS.H })).toThrow(/model\.energyReferences: gives no energy for O/);
  });

  it('makes per-atom energies physical: a trained Allegro gives each isolated atom its reference energy', async () => {
    const dir = tempDir();
    const r = await trainIn(dir, miniConfig(dir, { model: { ...microAllegro, energyReferences: ATOMS }, training: { max_epochs: 2, batch_size: 4, learning_rate: 0.01 } }));
    const session = await createSession(r.modelPath!, { device: 'cpu', intraOpThreads: 1 });
    // H at the origin and O 10 Å away (beyond r_max): no edges at all.
    const out = await session.run({
      pos: { data: Float64Array.from([0, 0, 0, 10, 0, 0]), dims: [2, 3] },
      atom_types: { data: BigInt64Array.from([0n, 1n]), dims: [2] },
      edge_index: { data: new BigInt64Array(0), dims: [2, 0] },
      edge_shift: { data: new Float64Array(0), dims: [0, 3] },
      energy_mask: { data: Float64Array.from([1, 1]), dims: [2] },
    });
    expect(Array.from(out.atomic_energy!.data as Float64Array)).toEqual([ATOMS.H, ATOMS.O]);
    expect(Number(out.energy!.data[0])).toBeCloseTo(ATOMS.H + ATOMS.O, 9);
  });
});
