/**
 * Structural checks of an exported potential's graph: what the compiled force graph must not
 * contain. Forces need ∂E/∂x only; a weight gradient Σ_e x_eᵀ g_e contracts the edge (or atom)
 * dimension into a result of the weight's fixed shape. So, among the nodes that run at every call
 * (they depend on a graph input) and reach an output, the only ones allowed to turn a symbolic
 * dimension into a fixed shape are the contract's own sums: the total energy and the virial.
 */
import { optimize, type Graph, type Value } from '../../onnx/index.js';

/** Nodes of the exported graph (optimized `graph`) that reduce N or E away to a fixed shape, outside `allowedScopes`. */
export function fixedShapeReductions(graph: Graph, allowedScopes: readonly string[] = ['total_energy', 'forces']): Value[] {
  const g = optimize(graph);
  const nodes = g.nodes;
  const live = new Uint8Array(nodes.length);
  for (const v of g.outputs.values()) live[v.id] = 1;
  for (let id = nodes.length - 1; id >= 0; id--) if (live[id]) for (const x of nodes[id]!.inputs) live[x.id] = 1;
  const perRun = new Uint8Array(nodes.length);
  const bad: Value[] = [];
  for (const v of nodes) {
    if (v.op === 'Input') { perRun[v.id] = 1; continue; }
    if (!v.inputs.some((x) => perRun[x.id])) continue;
    perRun[v.id] = 1;
    if (!live[v.id]) continue;
    const fixed = v.shape.every((d) => typeof d === 'number');
    const fromSymbolic = v.inputs.some((x) => perRun[x.id] && x.shape.some((d) => typeof d === 'string'));
    if (fixed && fromSymbolic && !allowedScopes.some((s) => v.scope === s || v.scope.startsWith(`${s}/`))) bad.push(v);
  }
  return bad;
}
