import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/**
 * Compiles the sources to dist/ once before the suite, so tests that spawn `bin/e3md.js` run the
 * current code. Type errors are printed but do not stop the suite (tsc still emits); CI runs
 * `npm run typecheck` separately and fails on them there.
 */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`[global-setup] tsc reported errors (dist/ was still emitted):\n${r.stdout}${r.stderr}\n`);
}
