#!/usr/bin/env node
// The e3md command. Sources are compiled to dist/ by `npm install` (the `prepare` script) or `npm run build`.
import { main } from '../dist/cli/main.js';

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
