/**
 * float32 against float64 for a trained model (issue 17: which dtype to ship). Writes the float32
 * twin of MODEL (same network and weights, rebuilt from the file), then measures on the test
 * split's frames the largest and mean force difference and the energy difference per atom; the
 * time per evaluation of the water hexamer and of a 20-molecule cluster (alternating, median of
 * `--reps`); and the total-energy drift of NVE (velocity Verlet, 0.5 fs, `--steps`) from the
 * same start with each.
 * Usage: npx tsx bench/dtype-shipped.ts MODEL.onnx CLUSTER.extxyz [--reps 40] [--steps 2000] [TEST.extxyz …]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createSimulation, Rng, singlePoint, type Potential, type System } from '../engine/index.js';
import { maxwellBoltzmann, velocityVerlet } from '../integrators/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { exportPotential, rebuildModel } from '../models/index.js';
import { createOnnxPotential } from '../potentials/index.js';
import { repoRoot } from './paths.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const k = args.indexOf(name);
  if (k < 0) return fallback;
  const v = Number(args[k + 1]);
  args.splice(k, 2);
  return v;
};
const reps = flag('--reps', 40), steps = flag('--steps', 2000);
const [model64, clusterFile, ...tests] = args;
if (!model64 || !clusterFile) throw new Error('usage: npx tsx bench/dtype-shipped.ts MODEL.onnx CLUSTER.extxyz [TEST.extxyz …]');
const { model, dtype, metadata } = rebuildModel(new Uint8Array(readFileSync(model64)), model64);
if (dtype !== 'float64') throw new Error(`${model64} is ${dtype}; give the float64 model`);
const model32 = model64.replace(/\.onnx$/, '') + '-float32.onnx';
writeFileSync(model32, exportPotential(model, { dtype: 'float32', metadata }));
console.log(`wrote ${model32}`);

const open = (file: string) => createOnnxPotential({ model: file, typeNames: ['H', 'O'], device: 'cpu', intraOpThreads: 1 });
const p64 = await open(model64), p32 = await open(model32);

// Forces and energies on the test frames.
let maxF = 0, sumF = 0, nF = 0, maxE = 0;
for (const file of tests) {
  for (const frame of readExtxyz(file)) {
    const s = systemOfFrame(frame, file);
    const a = await singlePoint(p64, s), b = await singlePoint(p32, s);
    for (let k = 0; k < a.forces.length; k++) { const d = Math.abs(a.forces[k] - b.forces[k]); maxF = Math.max(maxF, d); sumF += d; nF++; }
    maxE = Math.max(maxE, Math.abs(a.energy_eV - b.energy_eV) / s.n);
  }
}
if (nF) console.log(`test frames: |F64 − F32| max ${(1e3 * maxF).toFixed(3)} meV/Å, mean ${(1e3 * sumF / nF).toFixed(4)} meV/Å; |E64 − E32| max ${(1e3 * maxE).toFixed(4)} meV/atom`);

// Time per evaluation, alternating.
const median = (t: number[]): number => t.sort((x, y) => x - y)[t.length >> 1];
for (const [name, s] of [['hexamer', systemOfFrame(readExtxyz(`${repoRoot()}/examples/water/hexamer.extxyz`)[0], 'hexamer')], ['cluster', systemOfFrame(readExtxyz(clusterFile)[0], clusterFile)]] as [string, System][]) {
  const t64: number[] = [], t32: number[] = [];
  for (let k = 0; k < reps + 3; k++) {
    for (const [p, t] of [[p64, t64], [p32, t32]] as [Potential, number[]][]) {
      const t0 = performance.now();
      await singlePoint(p, s);
      if (k >= 3) t.push(performance.now() - t0);
    }
  }
  console.log(`${name} (${s.n} atoms): float64 ${median(t64).toFixed(2)} ms, float32 ${median(t32).toFixed(2)} ms per evaluation (1 thread; ratio ${(median(t64) / median(t32)).toFixed(2)})`);
}

// NVE drift from the same start.
for (const [name, p] of [['float64', p64], ['float32', p32]] as [string, Potential][]) {
  const s = systemOfFrame(readExtxyz(clusterFile)[0], clusterFile);
  maxwellBoltzmann(s, 300, new Rng(7));
  const energies: number[] = [];
  const sim = createSimulation({ system: s, potential: p, integrator: velocityVerlet({ timestep_fs: 0.5 }), neighbor: { skin_A: 1.0 }, observers: [{ every: 10, observe: (f) => { energies.push(f.totalEnergy_eV); } }] });
  await sim.run(steps);
  // Least-squares slope of E(t), eV per ps, per atom.
  const n = energies.length, t = energies.map((_, k) => (k * 10 * 0.5) / 1000);
  const mt = t.reduce((a, b) => a + b) / n, me = energies.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0;
  for (let k = 0; k < n; k++) { sxy += (t[k] - mt) * (energies[k] - me); sxx += (t[k] - mt) ** 2; }
  const spread = Math.max(...energies) - Math.min(...energies);
  console.log(`NVE ${name}, ${s.n} atoms, ${steps} steps of 0.5 fs: drift ${(1e3 * sxy / sxx / s.n).toFixed(4)} meV/atom/ps, total-energy range ${(1e3 * spread / s.n).toFixed(3)} meV/atom`);
}
