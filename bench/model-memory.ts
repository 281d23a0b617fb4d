/**
 * Child process of the water benchmark (bench/cost.ts): opens an ONNX potential, evaluates it twice
 * on a water box and prints its peak resident memory as JSON — nothing else runs in this process.
 *
 * Usage: model-memory <model.onnx> <box.extxyz> <threads>
 */
import { atomicMass, createForceOutput, createSystem, createVerletList } from '../engine/index.js';
import { readExtxyz, systemOfFrame } from '../io/index.js';
import { createOnnxPotential } from '../potentials/index.js';

const [file, structure, threads] = process.argv.slice(2);
if (!file || !structure) throw new Error('usage: model-memory <model.onnx> <box.extxyz> <threads>');
const [f] = readExtxyz(structure);
const system = systemOfFrame(f!, structure);
const pot = await createOnnxPotential({ model: file, typeNames: system.typeNames, device: 'cpu', intraOpThreads: Number(threads ?? 1) });
const verlet = createVerletList({ cutoff_A: pot.cutoff_A, skin_A: 1.0, kind: 'full' });
verlet.build(system.positions, system.box);
const out = createForceOutput(system.n);
for (let k = 0; k < 2; k++) await pot.compute(system, verlet.list!, out);
await pot.dispose!();
process.stdout.write(JSON.stringify({ peak_rss_MB: process.resourceUsage().maxRSS / 1024 }) + '\n');
