/**
 * onnxruntime-node, loaded when a session is first opened rather than when e3md starts: its
 * native binding and JavaScript take ~20–50 ms to load, which every command paid before, also
 * those that never run a model (Lennard-Jones runs, `--help`, `e3md info`). Type-only imports
 * of 'onnxruntime-node' cost nothing at run time.
 */
import { createRequire } from 'node:module';

type OnnxRuntime = typeof import('onnxruntime-node');
let runtime: OnnxRuntime | undefined;

/** The onnxruntime-node module (loaded on the first call; the same object after). */
export function onnxRuntime(): OnnxRuntime {
  runtime ??= createRequire(import.meta.url)('onnxruntime-node') as OnnxRuntime;
  return runtime;
}
