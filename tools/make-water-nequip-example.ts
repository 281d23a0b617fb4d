/**
 * Makes examples/water-nequip/model.onnx through the same code path as
 *   e3md model create --arch nequip --types H,O --r-max 4 --lmax 1 --layers 2 --features 16 --dtype float32 --seed 2024 --out examples/water-nequip/model.onnx
 * (a small NequIP with random weights, enough to drive MD on the 192-atom water box quickly).
 * Run: `npx tsx tools/make-water-nequip-example.ts`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCommand } from '../cli/commands/model.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'water-nequip', 'model.onnx');
const code = await createCommand(
  { arch: 'nequip', types: 'H,O', rMax: 4, lmax: 1, layers: 2, features: 16, avgNeighbors: 30, dtype: 'float32', seed: 2024, out },
  { stdout: process.stdout, stderr: process.stderr },
);
process.exitCode = code;
