/** Runs Debian's Python for format checks against reference readers (ASE, MDAnalysis); skipped where absent, as on CI. */
import { spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';

/** True when `/usr/bin/python3` can import every module named. */
export function pythonHas(...modules: string[]): boolean {
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  return r.status === 0;
}

/** Runs `script` (argv after it), returning stdout parsed as JSON; throws with stderr on failure. */
export function runPythonJson(script: string, args: string[] = []): unknown {
  const r = spawnSync(PYTHON, ['-W', 'ignore', '-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
