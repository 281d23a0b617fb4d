#!/usr/bin/env node
// The e3md command. Sources are compiled to dist/ by `npm install` (the `prepare` script) or `npm run build`.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`e3md: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
