/**
 * onnx/ — e3md's tensor graph compiler (DESIGN.md §2, §5): build a symbolic graph, differentiate it
 * symbolically, clean it up, write it as ONNX (opset 17, IR 8) and run it with onnxruntime-node.
 * Imports nothing else of e3md.
 *
 * @example
 * const g = createGraph({ dtype: 'float64' });               // or 'float32': same code
 * const pos = g.input('pos', ['N', 3]);                       // symbolic N
 * const ei = g.input('edge_index', [2, 'E'], 'int64');
 * const i = g.gather(ei, g.constant(0, [], 'int64'));         // [E]
 * const j = g.gather(ei, g.constant(1, [], 'int64'));
 * const r = g.sub(g.gather(pos, j), g.gather(pos, i));        // [E, 3]
 * const e = g.scope('pair', () => g.reduceSum(g.segmentSum(g.exp(g.neg(g.reduceSum(g.mul(r, r), [1], true))), i, 'N')));
 * const [dEdpos, dEdr] = g.scope('forces', () => g.grad(e, [pos, r]));
 * g.output('energy', e);
 * g.output('forces', g.neg(dEdpos));
 * const bytes = writeModel(g, { metadata: { 'e3md.r_max': '5' } });   // weights: 'inputs' for training
 * const session = await createSession(bytes, { device: 'auto' });      // session.provider says where
 */
export type { DType, FloatDType, AnyTypedArray, TypedArrayOf } from './dtype.js';
export type { Dim, Shape } from './shape.js';
export type { Value, Operand, OpDef, Attrs } from './ir.js';
export type { Tensor } from './tensor.js';
export { createGraph, type Graph, type GraphCore, type GraphOptions } from './graph.js';
export type { ElementwiseOps } from './ops/elementwise.js';
export type { LinalgOps } from './ops/linalg.js';
export type { ReduceOps } from './ops/reduce.js';
export type { IndexOps } from './ops/indexing.js';
export type { LayoutOps } from './ops/layout.js';
export type { GradOptions } from './autodiff.js';
export { optimize, countNodes, type OptimizeOptions } from './optimize.js';
export { countFlops, type FlopCount, type FlopOptions } from './flops.js';
export { evaluateGraph, evaluateValues, type Feed, type Feeds } from './interpreter.js';
export { writeModel, saveModel, buildModel, type WriteOptions } from './writer.js';
export { readInitializers, readInterface, readModelInfo, readModelInfoFile, type InitializerValues, type ModelInfo, type ModelInterface, type TensorInfo } from './reader.js';
export { probeProviders, type Device, type Provider, type ProviderProbe } from './providers.js';
export { createSession, defaultOptimizationLevel, type GraphOptimizationLevel, type ModelSession, type RunFeed, type RunResult, type SessionOptions } from './session.js';
export { exposeIntermediates, readDataflow, type Dataflow, type DataflowNode } from './dataflow.js';
export { IR_VERSION, OPSET } from './onnx-proto.js';
