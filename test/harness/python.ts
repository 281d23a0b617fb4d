/**
 * Debian's Python for reference checks (ASE, MDAnalysis, the ONNX checker, e3nn): tests that need it
 * run where `/usr/bin/python3` has the modules and are skipped elsewhere, as on CI — loudly, so a
 * skipped reference check is never mistaken for a passed one.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';

export const PYTHON = '/usr/bin/python3';

/**
 * True when `/usr/bin/python3` can import every module named. Run from a temporary folder: Python
 * puts the working directory on its path, and the repository's own `onnx/` folder would otherwise
 * pass for the `onnx` package.
 */
export function pythonHas(...modules: string[]): boolean {
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8', cwd: tmpdir() });
  return r.status === 0;
}

/**
 * `pythonHas(...modules)`, printing a warning naming `what` is skipped when it is false.
 * @example describe.skipIf(!pythonOrWarn('ASE round trip', 'ase'))('ase', () => { … });
 */
export function pythonOrWarn(what: string, ...modules: string[]): boolean {
  const ok = pythonHas(...modules);
  if (!ok) console.warn(`\n*** SKIPPED: ${what} — ${PYTHON} cannot import ${modules.join(', ')} (install the Debian packages to run it) ***\n`);
  return ok;
}

/** Runs `script` (argv after it) from a temporary folder, returning stdout parsed as JSON; throws with stderr on failure. */
export function runPythonJson(script: string, args: string[] = []): unknown {
  const r = spawnSync(PYTHON, ['-W', 'ignore', '-c', script, ...args], { encoding: 'utf8', cwd: tmpdir() });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
