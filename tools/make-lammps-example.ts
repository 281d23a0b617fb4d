/**
 * Writes examples/lammps/water-64.data, the LAMMPS data file of examples/water/boxes/water-64.extxyz
 * (192 atoms, 12.42 Å cube; type 1 = O, type 2 = H, the order `pair_coeff * * model.onnx O H` names).
 * Run: `npx tsx tools/make-lammps-example.ts`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLammpsData, readExtxyz } from '../io/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [frame] = readExtxyz(join(root, 'examples', 'water', 'boxes', 'water-64.extxyz'));
const out = join(root, 'examples', 'lammps', 'water-64.data');
writeFileSync(out, formatLammpsData(frame!, { typeNames: ['O', 'H'], title: 'water-64: 64 water molecules at 1.00 g/cm3 (examples/water/boxes/water-64.extxyz); type 1 O, type 2 H' }));
process.stdout.write(`${out}: ${frame!.symbols.length} atoms\n`);
