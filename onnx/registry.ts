/** Every op definition by IR op name; leaves (`Input`, `Weight`, `Constant`) have none. */
import type { OpDef } from './ir.js';
import { ELEMENTWISE_DEFS } from './ops/elementwise.js';
import { LINALG_DEFS } from './ops/linalg.js';
import { REDUCE_DEFS } from './ops/reduce.js';
import { INDEX_DEFS } from './ops/indexing.js';
import { LAYOUT_DEFS } from './ops/layout.js';

const DEFS: ReadonlyMap<string, OpDef> = new Map(Object.entries({ ...ELEMENTWISE_DEFS, ...LINALG_DEFS, ...REDUCE_DEFS, ...INDEX_DEFS, ...LAYOUT_DEFS }));

/** The definition of op `op`, or an error naming it. */
export function opDef(op: string): OpDef {
  const d = DEFS.get(op);
  if (!d) throw new Error(`unknown op '${op}'`);
  return d;
}

/** Names of all non-leaf ops (used by tests to check that each is covered). */
export function opNames(): string[] {
  return [...DEFS.keys()];
}

/** Leaf node kinds. */
export const LEAF_OPS: ReadonlySet<string> = new Set(['Input', 'Weight', 'Constant']);
