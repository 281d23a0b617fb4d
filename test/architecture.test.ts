import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// DESIGN.md §2: each folder's index.ts is its public face, and arrows point one way.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['engine', 'integrators', 'potentials', 'o3', 'onnx', 'train', 'io', 'cli'];

interface Import { file: string; spec: string; target: string; typeOnly: boolean }

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const re = /(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (let m; (m = re.exec(text)); ) {
    const spec = m[3] ?? m[4]!;
    out.push({ file: relative(ROOT, file), spec, target: relative(ROOT, resolve(dirname(file), spec)), typeOnly: Boolean(m[2]) });
  }
  return out;
}

const all = FOLDERS.flatMap((f) => sources(join(ROOT, f))).flatMap(importsOf);
const top = (p: string) => p.split(sep)[0]!;

describe('architecture (DESIGN.md §2)', () => {
  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it("no file imports another folder's internals: only its index.ts", () => {
    const bad = all.filter((i) => top(i.target) !== top(i.file) && FOLDERS.includes(top(i.target)) && i.target !== join(top(i.target), 'index.js'));
    expect(bad.map((i) => `${i.file} imports ${i.spec}`)).toEqual([]);
  });

  it('o3/ and onnx/ import nothing else of e3md', () => {
    const bad = all.filter((i) => ['o3', 'onnx'].includes(top(i.file)) && top(i.target) !== top(i.file));
    expect(bad.map((i) => `${i.file} imports ${i.spec}`)).toEqual([]);
  });

  it('lower layers never import cli/ or train/, and engine/ imports other folders for types only', () => {
    const lower = ['engine', 'integrators', 'potentials', 'io', 'o3', 'onnx'];
    const upward = all.filter((i) => lower.includes(top(i.file)) && ['cli', 'train'].includes(top(i.target)));
    expect(upward.map((i) => `${i.file} imports ${i.spec}`)).toEqual([]);
    const engineValues = all.filter((i) => top(i.file) === 'engine' && top(i.target) !== 'engine' && !i.typeOnly);
    expect(engineValues.map((i) => `${i.file} imports ${i.spec}`)).toEqual([]);
  });
});
