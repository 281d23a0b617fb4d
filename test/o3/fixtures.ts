/** Loads the committed e3nn 0.5.6 reference numbers (tools/e3nn-reference.py). */
import { readFileSync } from 'node:fs';

export function loadE3nn<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/e3nn/${name}`, import.meta.url), 'utf8')) as T;
}

/** Largest |a − b| over two equal-length arrays (fails loudly on a length mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}
