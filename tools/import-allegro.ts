/**
 * An allegro 0.3 model (nequip 0.6) as an e3md ONNX potential with the same weights.
 *
 * The PyTorch file is read by tools/nequip-reference.py in the reference environment (the only
 * step that needs Python), which writes the config, the state dict and e3nn's constants as JSON:
 *
 *   tools/ref-env/python.sh tools/nequip-reference.py weights deployed.pth > record.json   (or a training directory)
 *   npx tsx tools/import-allegro.ts record.json model.onnx [--dtype float32|float64]
 *
 * Options allegro has but e3md does not are refused with a message naming the config key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { allegroFromRecord, type NequipModelRecord } from '../models/allegro/index.js';
import { exportPotential } from '../models/index.js';

const [input, output, flag, value] = process.argv.slice(2);
if (!input || !output || (flag !== undefined && (flag !== '--dtype' || (value !== 'float32' && value !== 'float64')))) {
  process.stderr.write('usage: import-allegro <record.json> <model.onnx> [--dtype float32|float64]\n');
  process.exit(2);
}
try {
  const model = allegroFromRecord(JSON.parse(readFileSync(input, 'utf8')) as NequipModelRecord);
  const dtype = (value ?? 'float32') as 'float32' | 'float64';
  writeFileSync(output, exportPotential(model, { dtype, metadata: { 'e3md.source': `allegro 0.3 model imported from ${input}` } }));
  process.stderr.write(`${output}: allegro, ${model.parameters.count()} parameters, ${dtype}\n`);
} catch (e) {
  process.stderr.write(`import-allegro: ${(e as Error).message}\n`);
  process.exit(2);
}
