/**
 * Layer-by-layer (staged) NequIP evaluation against the monolithic file on the same system, in
 * the same process: time per force evaluation for several chunk counts, and the largest force
 * difference. The default NequIP (4 layers, lmax 2, 32 features, r_max 4 Å, float32, random
 * weights, one onnxruntime thread) on the 1,536-atom water box; monolithic first, then the
 * staged potential with each chunk count, best of `--repeats`.
 *
 * Usage: npx tsx bench/staged-chunks.ts [--chunks 1,3,9,27,81] [--repeats 2] [--replicate 1]
 */
import { parseArgs } from 'node:util';
import { singlePoint } from '../engine/index.js';
import { createNequip, exportPotential } from '../models/index.js';
import { createOnnxPotential, createStagedPotential } from '../potentials/index.js';
import { waterBox } from './water-box.js';

const { values } = parseArgs({ options: { chunks: { type: 'string', default: '1,3,9,27,81' }, repeats: { type: 'string', default: '2' }, replicate: { type: 'string', default: '1' }, monolithic: { type: 'boolean', default: true } } });
const counts = values.chunks.split(',').map(Number);
const repeats = Number(values.repeats);
const r = Number(values.replicate);
const system = waterBox([r, r, r]);
const bytes = exportPotential(createNequip({ typeNames: ['H', 'O'], rMax_A: 4 }), { dtype: 'float32' });

const best = async (f: () => Promise<{ forces: Float64Array; energy_eV: number }>): Promise<{ s: number; forces: Float64Array; energy_eV: number }> => {
  let s = Infinity, last!: { forces: Float64Array; energy_eV: number };
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    last = await f();
    s = Math.min(s, (performance.now() - t0) / 1000);
  }
  return { s, ...last };
};

const rows: Record<string, unknown>[] = [];
let ref: { s: number; forces: Float64Array; energy_eV: number } | null = null;
if (values.monolithic) {
  const whole = await createOnnxPotential({ model: bytes, typeNames: system.typeNames, device: 'cpu', intraOpThreads: 1 });
  ref = await best(async () => singlePoint(whole, system));
  await whole.dispose?.();
  rows.push({ variant: 'monolithic', atoms: system.n, eval_s: ref.s, energy_eV: ref.energy_eV });
  process.stderr.write(`monolithic: ${ref.s.toFixed(2)} s\n`);
}
for (const chunks of counts) {
  const pot = await createStagedPotential({ model: bytes, typeNames: system.typeNames, budget_bytes: 1e12, chunks });
  const got = await best(async () => singlePoint(pot, system));
  let dF = 0;
  if (ref) for (let k = 0; k < got.forces.length; k++) dF = Math.max(dF, Math.abs(got.forces[k]! - ref.forces[k]!));
  rows.push({ variant: 'staged', chunks, atoms: system.n, eval_s: got.s, vsMonolithic: ref ? got.s / ref.s : null, peakEstimate_GB: pot.timings.peakEstimate_bytes / 1e9, maxForceDiff_eV_A: ref ? dF : null, energy_eV: got.energy_eV });
  process.stderr.write(`staged, ${chunks} chunks: ${got.s.toFixed(2)} s, estimate ${(pot.timings.peakEstimate_bytes / 1e9).toFixed(2)} GB\n`);
  await pot.dispose?.();
}
process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
