/** The Allegro contract checks (allegro-combos.ts) for every combination of the graph-changing options. */
import { describe, it } from 'vitest';
import { allCombos, checkCombo, comboModel } from './allegro-combos.js';

describe('Allegro option combinations (full factorial)', () => {
  it.each(allCombos().map((c) => [JSON.stringify(c), c] as const))('%s', async (_name, c) => {
    await checkCombo(comboModel(c));
  });
});
