// The float32 twin of a float64 e3md model (same network and weights), as bench/dtype-shipped.ts writes it.
// Usage: npx tsx bench/results/water-shortrange-candidate/float32_twin.ts MODEL.onnx MODEL-float32.onnx
import { readFileSync, writeFileSync } from 'node:fs';
import { exportPotential, rebuildModel } from '../../../models/index.js';
const [model64, model32] = process.argv.slice(2);
const { model, dtype, metadata } = rebuildModel(new Uint8Array(readFileSync(model64!)), model64!);
if (dtype !== 'float64') throw new Error(`${model64} is ${dtype}`);
writeFileSync(model32!, exportPotential(model, { dtype: 'float32', metadata }));
console.log(`wrote ${model32}`);
