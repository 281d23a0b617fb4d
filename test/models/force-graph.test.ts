/**
 * The compiled force graph does only the work forces need: ∂E/∂x, never ∂E/∂W. A weight gradient
 * contracts the edge (or atom) dimension into the weight's fixed shape, so no node that runs at
 * every call may reduce N or E away to a fixed shape, apart from the total energy and the virial.
 */
import { describe, expect, it } from 'vitest';
import { buildPotentialGraph } from '../../models/index.js';
import { fixedShapeReductions } from '../harness/graph-structure.js';
import { TINY_MODELS } from './helpers.js';

describe.each(TINY_MODELS)('%s force graph', (_arch, make) => {
  it('has no weight-gradient work (no reduction of N or E to a fixed shape but energy and virial)', () => {
    const { graph } = buildPotentialGraph(make(), { dtype: 'float32' });
    expect(fixedShapeReductions(graph).map((v) => `${v.name} ${v.op} [${v.shape.join(', ')}]`)).toEqual([]);
  });

  it('the check sees a weight gradient when one is asked for (negative control)', () => {
    const model = make();
    const pg = buildPotentialGraph(model, { dtype: 'float32' });
    const w = pg.graph.weights().find((v) => v.shape.length === 2)!;
    const [dw] = pg.graph.grad(pg.energy, [w]);
    pg.graph.output('dE_dw', dw!);
    expect(fixedShapeReductions(pg.graph).length).toBeGreaterThan(0);
  });
});
