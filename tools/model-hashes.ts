/**
 * sha256 (first 16 hex digits) of a fixed set of exported models, NequIP and Allegro × two option
 * sets × float32/float64: the byte-identity check across refactors (issue 10).
 * Usage: npx tsx tools/model-hashes.ts [checkout root, default this one]
 */
import { createHash } from 'node:crypto';
const root = process.argv[2] ?? new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const m = await import(`${root}/index.ts`);
const out: Record<string, string> = {};
for (const dtype of ['float32', 'float64'] as const) {
  for (const [name, model] of [
    ['nequip-default', m.createNequip({ typeNames: ['H', 'O'] })],
    ['nequip-small', m.createNequip({ typeNames: ['H', 'O'], numLayers: 2, lmax: 1, numFeatures: 8, rMax_A: 4, seed: 3 })],
    ['allegro-default', m.createAllegro({ typeNames: ['H', 'O'] })],
    ['allegro-l1', m.createAllegro({ typeNames: ['C', 'H', 'O'], lmax: 1, rMax_A: 4.5, seed: 7 })],
  ] as const) out[`${name}-${dtype}`] = createHash('sha256').update(m.exportPotential(model, { dtype })).digest('hex').slice(0, 16);
}
console.log(JSON.stringify(out, null, 1));
