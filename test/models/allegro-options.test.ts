/**
 * Every Allegro option that changes the graph, in a set of combinations covering every pair of
 * levels (allegro-combos.ts; the full factorial runs in allegro-options.slow.test.ts): each passes
 * the symmetry, derivative, ghost-shell and force-graph checks.
 */
import { describe, expect, it } from 'vitest';
import { checkCombo, comboModel, pairwiseCombos } from './allegro-combos.js';

describe('Allegro option combinations (pairwise cover)', () => {
  const combos = pairwiseCombos();
  it('covers every pair of option levels in a few combinations', () => {
    expect(combos.length).toBeLessThan(16);
  });
  it.each(combos.map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, c) => {
    await checkCombo(comboModel(c));
  });
});
