#!/usr/bin/env node
// The e3md command. Sources are compiled to dist/ by `npm run build` (or on the first run, below).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository's .npmrc turns install scripts off (see there), so a fresh clone has no dist/ yet.
// Build it once, here, with the TypeScript compiler that `npm install` put in node_modules (about
// two seconds); a package installed from the registry ships dist/ and never gets here.
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    process.stderr.write(`e3md: ${root} is not built and has no TypeScript compiler: run \`npm install && npm run build\` there once\n`);
    process.exit(1);
  }
  process.stderr.write('e3md: first run in this checkout: compiling the sources to dist/ …\n');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(fileURLToPath(entry))) {
    process.stderr.write(`e3md: compiling failed (tsc exit ${r.status}); run \`npm run build\` in ${root} to see why\n`);
    process.exit(1);
  }
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
