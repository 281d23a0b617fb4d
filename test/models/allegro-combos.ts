/**
 * Allegro option combinations for the contract tests (allegro-options.test.ts, and the full
 * factorial in allegro-options.slow.test.ts): every option that changes the graph, and the
 * checks each combination must pass — E(3) symmetry, forces and virial as derivatives of the
 * energy, one ghost shell of r_max reproducing the periodic system, and no weight-gradient work
 * in the force graph.
 */
import { expect } from 'vitest';
import { Box } from '../../engine/index.js';
import { seededUniform } from '../../o3/index.js';
import { buildPotentialGraph, type PotentialModel } from '../../models/index.js';
import { createAllegro, type AllegroOptions } from '../../models/allegro/index.js';
import { fixedShapeReductions } from '../harness/graph-structure.js';
import { assertPotentialEquivariant, assertPotentialForces, assertPotentialVirial } from '../../testing/index.js';
import { evaluate, periodicWater, potentialOf, relErr, systemOf } from './helpers.js';

/** Each factor's levels. */
export const FACTORS = {
  tensorsMixingMode: ['uuulin', 'p'],
  parity: [true, false],
  selfEdgeTensorProduct: [false, true],
  latentResnet: ['off', 'fixed', 'trained'],
  perEdgeTypeCutoff: [false, true],
  numLayers: [1, 2, 3],
  envEmbedHidden: [false, true],
} as const;

type Factor = keyof typeof FACTORS;
export type Combo = { [F in Factor]: (typeof FACTORS)[F][number] };

/** Every combination (the full factorial). */
export function allCombos(): Combo[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [f, levels] of Object.entries(FACTORS)) out = out.flatMap((c) => levels.map((l) => ({ ...c, [f]: l })));
  return out as Combo[];
}

/** A deterministic greedy set of combinations in which every pair of levels of two factors occurs. */
export function pairwiseCombos(): Combo[] {
  const factors = Object.keys(FACTORS) as Factor[];
  const key = (a: Factor, va: unknown, b: Factor, vb: unknown) => `${a}=${String(va)}|${b}=${String(vb)}`;
  const pairsOf = (c: Combo) => factors.flatMap((a, i) => factors.slice(i + 1).map((b) => key(a, c[a], b, c[b])));
  const missing = new Set(allCombos().flatMap(pairsOf));
  const chosen: Combo[] = [];
  const pool = allCombos();
  while (missing.size > 0) {
    let best = pool[0]!;
    let gain = -1;
    for (const c of pool) {
      const n = pairsOf(c).filter((p) => missing.has(p)).length;
      if (n > gain) { gain = n; best = c; }
    }
    pairsOf(best).forEach((p) => missing.delete(p));
    chosen.push(best);
  }
  return chosen;
}

/** A tiny Allegro with the combination's options (r_max 3.5 Å, 3 channels, 8 latents). */
export function comboModel(c: Combo): PotentialModel {
  const L = c.numLayers;
  const options: AllegroOptions = {
    typeNames: ['H', 'O'], rMax_A: 3.5, numLayers: L, lmax: 2, numTensorFeatures: 3, latentDim: 8,
    twoBodyMlp: { hidden: [8] }, latentMlp: { hidden: [8] }, edgeEnergyMlp: { hidden: [4], activation: 'silu' },
    radial: { numBasis: 4, ...(c.perEdgeTypeCutoff ? { perEdgeTypeCutoff_A: { H: 2.6, O: { H: 3.1, O: 3.5 } } } : {}) },
    tensorsMixingMode: c.tensorsMixingMode, parity: c.parity, selfEdgeTensorProduct: c.selfEdgeTensorProduct,
    envEmbedMlp: { hidden: c.envEmbedHidden ? [4] : [] },
    latentResnet: c.latentResnet === 'off' ? { enabled: false } : { coefficients: Array.from({ length: L + 1 }, (_, k) => 1 + 0.5 * k), trainable: c.latentResnet === 'trained' },
    avgNumNeighbors: 6, scaleShift: { scales: 0.3 }, seed: 11,
  };
  return createAllegro(options);
}

/** The contract checks of one model (float64). */
export async function checkCombo(model: PotentialModel): Promise<void> {
  expect(fixedShapeReductions(buildPotentialGraph(model, { dtype: 'float64' }).graph).map((v) => v.name)).toEqual([]);
  const sys = periodicWater();
  const pot = await potentialOf(model, 'float64', sys.typeNames);
  try {
    const ref = await evaluate(pot, sys);
    // One proper and one improper rotation, a translation and a permutation.
    const symmetry = await assertPotentialEquivariant(pot, sys, { rotations: 1, tolerance: 1e-10, rand: seededUniform(3) });
    expect(symmetry.maxForce_eV_A, 'not a trivially zero model').toBeGreaterThan(1e-3);
    await assertPotentialForces(pot, sys, { step_A: 1e-4, atol: 1e-7, rtol: 1e-6, atoms: [4] });
    await assertPotentialVirial(pot, sys, { strain: 1e-5, atol: 1e-7, rtol: 1e-6 });
    // One ghost shell of r_max: the owned atoms' energies and the folded forces of the periodic cell.
    const L = 5;
    // Owned atoms first, then their images within r_max (+ 0.3 Å) of the owned region.
    const symbols = Array.from(sys.typeIds, (t) => sys.typeNames[t]!);
    const pos = Array.from(sys.positions);
    const owner = symbols.map((_, k) => k);
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
      if (a === 0 && b === 0 && c === 0) continue;
      for (let k = 0; k < sys.n; k++) {
        const p = [sys.positions[3 * k]! + a * L, sys.positions[3 * k + 1]! + b * L, sys.positions[3 * k + 2]! + c * L];
        if (Math.hypot(...p.map((x) => Math.max(0, -1 - x, x - 6))) > model.rMax_A + 0.3) continue;
        symbols.push(symbols[k]!);
        pos.push(...p);
        owner.push(k);
      }
    }
    pot.setOwnedAtoms(sys.n);
    const got = await evaluate(pot, systemOf(symbols, pos, Box.open()));
    pot.setOwnedAtoms(null);
    expect(owner.length, 'ghosts').toBeGreaterThan(5 * sys.n);
    expect(Math.abs(got.energy - ref.energy) / Math.abs(ref.energy), 'ghost shell energy').toBeLessThan(1e-10);
    const folded = new Float64Array(3 * sys.n);
    owner.forEach((k, r) => { for (let x = 0; x < 3; x++) folded[3 * k + x]! += got.forces[3 * r + x]!; });
    expect(relErr(folded, ref.forces), 'ghost shell forces').toBeLessThan(1e-10);
  } finally {
    await pot.dispose!();
  }
}
