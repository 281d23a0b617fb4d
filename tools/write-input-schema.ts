/**
 * Regenerates io/input.schema.json (the JSON Schema editors use for input.json) from the zod
 * definitions in io/input-schema.ts. Run: `npx tsx tools/write-input-schema.ts`.
 * test/io/config.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputJsonSchema } from '../io/input-schema.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'io', 'input.schema.json');
writeFileSync(out, `${JSON.stringify(inputJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
