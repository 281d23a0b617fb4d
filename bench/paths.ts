/**
 * Where the repository is, for benchmark programs that read its files (LAMMPS inputs, example
 * structures). They run both from sources (`npx tsx bench/x.ts`) and compiled (`e3md bench x`,
 * from dist/bench/), so paths are resolved from the package root, not from the program's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding e3md's package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'e3md') return dir;
    dir = dirname(dir);
  }
  throw new Error('bench: cannot find the e3md package root above ' + dirname(fileURLToPath(import.meta.url)));
}
