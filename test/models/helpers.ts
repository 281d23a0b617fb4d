/**
 * Shared fixtures of the model tests: tiny models (fast), small molecular and periodic systems,
 * rotations of a whole configuration, and evaluation through onnxruntime.
 */
import { Box } from '../../engine/box.js';
import { createSystem, symbolsOf, type System } from '../../engine/system.js';
import type { FloatDType } from '../../onnx/index.js';
import { exportPotential, type PotentialModel } from '../../models/index.js';
import { createNequip, type NequipOptions } from '../../models/nequip/index.js';
import { createAllegro, type AllegroOptions } from '../../models/allegro/index.js';
import { singlePoint } from '../../engine/single-point.js';
import { createOnnxPotential, type OnnxPotential } from '../../potentials/onnx-potential.js';

/** A NequIP small enough for per-test builds: 2 layers, lmax 2, 8 features, r_max 3.5 Å. */
export function tinyNequip(extra: Partial<NequipOptions> = {}): PotentialModel {
  return createNequip({ typeNames: ['H', 'O'], numLayers: 2, lmax: 2, numFeatures: 8, rMax_A: 3.5, radialMlp: { layers: 1, neurons: 16 }, avgNumNeighbors: 6, seed: 3, ...extra });
}

/** The model as an onnx potential for systems with species `typeNames`. */
export async function potentialOf(model: PotentialModel, dtype: FloatDType, typeNames: readonly string[] = ['O', 'H']): Promise<OnnxPotential> {
  return createOnnxPotential({ model: exportPotential(model, { dtype }), typeNames, device: 'cpu', intraOpThreads: 1 });
}

const MASS: Record<string, number> = { H: 1.008, O: 15.999 };

/** A system from symbols, positions (Å) and a box. */
export function systemOf(symbols: readonly string[], positions: ArrayLike<number>, box: Box): System {
  return createSystem({ symbols, positions, masses: symbols.map((s) => MASS[s]!), box });
}

/** Water molecule positions (O, H, H) at `o` with a fixed orientation per `k`. */
function water(o: readonly number[], k: number): number[] {
  const a = 0.7 * k + 0.3;
  const c = Math.cos(a), s = Math.sin(a);
  const h1 = [0.757 * c, 0.586, 0.757 * s];
  const h2 = [-0.757 * c, 0.586, -0.757 * s];
  return [...o, o[0]! + h1[0]!, o[1]! + h1[1]!, o[2]! + h1[2]!, o[0]! + h2[0]!, o[1]! + h2[1]!, o[2]! + h2[2]!];
}

/** Four water molecules in a periodic 5 Å cube (≈ 0.96 g/cm³), 12 atoms. */
export function periodicWater(): System {
  const centres = [[0.3, 0.2, 0.1], [2.7, 2.4, 0.4], [2.6, 0.3, 2.8], [0.4, 2.6, 2.3]];
  const pos = centres.flatMap((c, k) => water(c, k));
  return systemOf(centres.flatMap(() => ['O', 'H', 'H']), pos, Box.orthorhombic(5, 5, 5));
}

/** Two water molecules in vacuum, 6 atoms. */
export function waterDimer(): System {
  return systemOf(['O', 'H', 'H', 'O', 'H', 'H'], [...water([0, 0, 0], 0), ...water([2.8, 0.3, -0.2], 1)], Box.open());
}

/** Copy of `system` with new positions and box (same species). */
export function moved(system: System, positions: Float64Array, box: Box = system.box): System {
  return systemOf(symbolsOf(system), positions, box);
}

/** x · Rᵀ for every row of a [n, 3] array. */
export function rotateRows(x: ArrayLike<number>, R: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length; r += 3) {
    for (let i = 0; i < 3; i++) out[r + i] = R[3 * i]! * x[r]! + R[3 * i + 1]! * x[r + 1]! + R[3 * i + 2]! * x[r + 2]!;
  }
  return out;
}

/** R W Rᵀ of a 3×3 row-major matrix. */
export function rotateMatrix(W: ArrayLike<number>, R: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
    let s = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += R[3 * a + i]! * W[3 * i + j]! * R[3 * b + j]!;
    out[3 * a + b] = s;
  }
  return out;
}

/** Energy, forces, virial and atomic energies of `system` (copies). */
export async function evaluate(pot: OnnxPotential, system: System): Promise<{ energy: number; forces: Float64Array; virial: Float64Array; atomic: Float64Array }> {
  const r = await singlePoint(pot, system);
  return { energy: r.energy_eV, forces: Float64Array.from(r.forces), virial: Float64Array.from(r.virial), atomic: Float64Array.from(pot.lastAtomicEnergy) };
}

/** max |a − b| / max(1, max |b|). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relErr: lengths ${a.length} and ${b.length}`);
  let m = 0, s = 1;
  for (let i = 0; i < b.length; i++) s = Math.max(s, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / s;
}

/**
 * An Allegro small enough for per-test builds: 2 layers, lmax 2, 4 tensor channels, r_max 3.5 Å.
 * Its energies are scaled by 0.2: with random weights the forces are otherwise ~5× those of
 * liquid water, and the MD tests' tolerances are set for water-like stiffness.
 */
export function tinyAllegro(extra: Partial<AllegroOptions> = {}): PotentialModel {
  return createAllegro({ typeNames: ['H', 'O'], numLayers: 2, lmax: 2, numTensorFeatures: 4, latentDim: 16, twoBodyMlp: { hidden: [16] }, latentMlp: { hidden: [16] }, edgeEnergyMlp: { hidden: [8] }, rMax_A: 3.5, avgNumNeighbors: 6, scaleShift: { scales: 0.2 }, seed: 4, ...extra });
}

/** The tiny models of both architectures, for `describe.each`. */
export const TINY_MODELS: readonly [string, () => PotentialModel][] = [
  ['nequip', () => tinyNequip()],
  ['allegro', () => tinyAllegro()],
];
