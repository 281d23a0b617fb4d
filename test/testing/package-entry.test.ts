/**
 * `import … from 'e3md/testing'` works the way a user's code runs it: a real Node process resolving
 * the package's `exports` (self-reference by name) into the compiled dist/ (built by global-setup).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as testing from '../../testing/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe("the package entry 'e3md/testing'", () => {
  it('resolves in Node to the compiled testing/index.ts, beside the main entry, and its checks work there', () => {
    const script = [
      "const t = await import('e3md/testing');",
      "const e3md = await import('e3md');",
      'let failed = "";',
      "try { t.assertEquivariant((x) => x.map((v, i) => (i % 3 === 0 ? v + 1 : v)), '1o', '1o'); } catch (e) { failed = e instanceof t.AssertionError ? e.message : 'wrong error: ' + e; }",
      "console.log(JSON.stringify({ names: Object.keys(t).sort(), box: typeof e3md.Box, failed }));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { names: string[]; box: string; failed: string };
    expect(out.names).toEqual(Object.keys(testing).sort());
    expect(out.names).toContain('assertPotentialEquivariant');
    expect(out.box).toBe('function');
    expect(out.failed).toMatch(/^not equivariant \(1x1o -> 1x1o\)/);
  });

  it('is declared in package.json exports with its types, and compiled by tsconfig.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', default: './dist/testing/index.js' });
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
    expect(tsconfig.include).toContain('testing');
  });
});
