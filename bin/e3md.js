#!/usr/bin/env node
// The e3md command. Sources are compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The repository's .npmrc turns install scripts off (see there), so a fresh clone has no dist/ until
// `npm run build` (the tests build it too). Say so rather than fail with a module-not-found trace.
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(`e3md: ${fileURLToPath(new URL('..', import.meta.url))} is not built yet: run \`npm run build\` there once\n`);
  process.exit(1);
}
const { main } = await import(entry.href);

// A closed stdout (`e3md run input.json | head`) must not crash a run half-way: stop printing to
// it and let the run finish its files. Other stream errors are real and still raise.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    stream.write = () => true;
  });
}

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`e3md: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
