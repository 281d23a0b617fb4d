/**
 * onnx/ — e3md's tensor graph compiler (DESIGN.md §2, §5): build a symbolic graph, differentiate it
 * symbolically, clean it up, write it as ONNX (opset 17) and run it with onnxruntime-node.
 * Imports nothing else of e3md.
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
export { evaluateGraph, evaluateValues, type Feed, type Feeds } from './interpreter.js';
export { writeModel, saveModel, buildModel, type WriteOptions } from './writer.js';
export { readModelInfo, readModelInfoFile, type ModelInfo, type TensorInfo } from './reader.js';
export { createSession, probeProviders, type Device, type Provider, type ModelSession, type RunFeed, type RunResult, type SessionOptions, type ProviderProbe } from './runner.js';
export { IR_VERSION, OPSET } from './onnx-proto.js';
