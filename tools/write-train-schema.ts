/**
 * Regenerates train/train.schema.json (the JSON Schema editors use for `e3md train` configs) from
 * the zod definitions in train/config.ts. Run: `npx tsx tools/write-train-schema.ts`.
 * test/train/bad-data.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainJsonSchema } from '../train/config.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'train', 'train.schema.json');
writeFileSync(out, `${JSON.stringify(trainJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
