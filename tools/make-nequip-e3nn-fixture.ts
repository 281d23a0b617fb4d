/**
 * Writes test/fixtures/models/nequip-e3nn.json: a small float64 NequIP built by e3md, evaluated by
 * the same architecture built from e3nn 0.5.6 modules in PyTorch (tools/e3nn-nequip-reference.py,
 * which reads the weights from the ONNX file) on the frames of nequip-e3nn-frames.extxyz.
 * test/models/e3nn.test.ts rebuilds the model from the stored options and compares.
 * Run: `npx tsx tools/make-nequip-e3nn-fixture.ts` (needs /usr/bin/python3 with torch, ase, onnx).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Box } from '../engine/index.js';
import { formatExtxyz, readExtxyz } from '../io/index.js';
import { exportPotential } from '../models/index.js';
import { createNequip, type NequipOptions } from '../models/nequip/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', 'fixtures', 'models');
export const OPTIONS: NequipOptions = { typeNames: ['H', 'O'], numLayers: 3, lmax: 2, numFeatures: 6, rMax_A: 4, radialMlp: { layers: 1, neurons: 12 }, avgNumNeighbors: 10, seed: 11, scaleShift: { scales: [1.3, 0.7], shifts: [-0.4, -2.1] } };

const [water] = readExtxyz(join(root, 'examples', 'water', 'boxes', 'water-64.extxyz'));
// A small triclinic cell (thinner than r_max: many images) and an open cluster.
const tri = { symbols: ['O', 'H', 'H', 'O'], positions: Float64Array.of(0.1, 0.2, 0.15, 0.95, 0.35, 0.2, -0.2, 0.9, 0.4, 1.6, 1.5, 1.7), box: new Box([3.3, 0, 0, 0.6, 3.1, 0, -0.5, 0.4, 3.4], [true, true, true]) };
const cluster = { symbols: ['O', 'H', 'H', 'H'], positions: Float64Array.of(0, 0, 0, 0.96, 0, 0, -0.2, 0.93, 0, 2.5, 0.3, -0.4), box: Box.open() };
const framesPath = join(dir, 'nequip-e3nn-frames.extxyz');
writeFileSync(framesPath, [water!, tri, cluster].map((f) => formatExtxyz({ symbols: f.symbols, positions: f.positions, box: f.box })).join(''));

const tmp = mkdtempSync(join(tmpdir(), 'e3md-fixture-'));
const modelPath = join(tmp, 'model.onnx');
writeFileSync(modelPath, exportPotential(createNequip(OPTIONS), { dtype: 'float64' }));
const py = spawnSync('/usr/bin/python3', [join(root, 'tools', 'e3nn-nequip-reference.py'), 'check', modelPath, framesPath], {
  env: { ...process.env, PYTHONPATH: '/work/ref/e3nn:/work/ref/opt_einsum:/work/ref/opt_einsum_fx' },
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
if (py.status !== 0) throw new Error(`e3nn reference failed:\n${py.stderr}`);
const result = JSON.parse(py.stdout) as { e3nn: string; torch: string; frames: unknown[] };
writeFileSync(join(dir, 'nequip-e3nn.json'), JSON.stringify({ generator: 'tools/make-nequip-e3nn-fixture.ts', e3nn: result.e3nn, torch: result.torch, options: OPTIONS, frames: 'nequip-e3nn-frames.extxyz', results: result.frames }) + '\n');
process.stdout.write(`wrote ${join(dir, 'nequip-e3nn.json')} (${result.frames.length} frames, e3nn ${result.e3nn}, torch ${result.torch}); ${readFileSync(framesPath).length} bytes of frames\n`);
