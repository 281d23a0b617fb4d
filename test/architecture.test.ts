import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// DESIGN.md §2: each folder's index.ts is its public face, and arrows point one way.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The folders and the folders each may import (through their index.ts). Lower layers first; a
 * folder not listed here may not be imported by the library at all.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  o3: [],
  onnx: [],
  engine: [],
  'engine/parallel': ['engine'],
  integrators: ['engine'],
  models: ['engine', 'o3', 'onnx'],
  // models: the staged (layer-by-layer) evaluation rebuilds a file's network to cut it into stages.
  potentials: ['engine', 'engine/parallel', 'models', 'onnx'],
  optimize: ['engine'],
  io: ['engine'],
  train: ['engine', 'io', 'models', 'onnx', 'o3', 'potentials'],
  cli: ['engine', 'engine/parallel', 'integrators', 'io', 'models', 'onnx', 'o3', 'optimize', 'potentials', 'train'],
  // The public e3md/testing entry: only tests (outside these folders) may import it.
  testing: ['engine', 'o3'],
};
const FOLDERS = Object.keys(ALLOWED);

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
    out.push({ file: relative(ROOT, file), spec, target: relative(ROOT, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'), typeOnly: Boolean(m[2]) });
  }
  return out;
}

const all = [...new Set(FOLDERS.flatMap((f) => sources(join(ROOT, f))))].flatMap(importsOf);
/** The folder of ALLOWED a path belongs to: the longest listed prefix (engine/parallel before engine). */
const top = (p: string): string => {
  const parts = p.split(sep);
  const nested = parts.slice(0, 2).join('/');
  return parts.length > 2 && nested in ALLOWED ? nested : parts[0]!;
};

/** Strongly connected components with more than one file (Tarjan), over every import, type-only included. */
function importCircles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const i of imports) {
    if (!edges.has(i.file)) edges.set(i.file, []);
    edges.get(i.file)!.push(i.target);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('architecture (DESIGN.md §2)', () => {
  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(100);
  });

  it("no file imports another folder's internals: only its index.ts", () => {
    const bad = all.filter((i) => top(i.target) !== top(i.file) && FOLDERS.includes(top(i.target)) && i.target !== join(...top(i.target).split('/'), 'index.ts'));
    expect(bad.map((i) => `${i.file} imports ${i.spec}`)).toEqual([]);
  });

  it('every folder imports only the folders below it (type-only imports included)', () => {
    const bad = all.filter((i) => top(i.target) !== top(i.file) && !(ALLOWED[top(i.file)] ?? []).includes(top(i.target)));
    expect(bad.map((i) => `${i.file} imports ${i.spec}`)).toEqual([]);
  });

  it('the import graph has no circle except the compiler’s own op table (onnx/registry ↔ onnx/ops)', () => {
    const circles = importCircles(all).filter((c) => !c.every((f) => f.startsWith(`onnx${sep}`)) || !c.includes(join('onnx', 'registry.ts')));
    expect(circles).toEqual([]);
  });

  it('the circle check itself finds a circle', () => {
    const fake = (file: string, target: string): Import => ({ file, spec: '', target, typeOnly: true });
    expect(importCircles([fake('a.ts', 'b.ts'), fake('b.ts', 'c.ts'), fake('c.ts', 'a.ts'), fake('c.ts', 'd.ts')])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
