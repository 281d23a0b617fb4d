/**
 * The part of the WebAssembly JavaScript API that the engine's modules use (engine/wasm-memory.ts). TypeScript declares WebAssembly
 * only in its DOM and web-worker libraries, which this Node project does not load.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    /** Grows by `delta` 64 KiB pages; returns the old size in pages. Detaches the old buffer. */
    grow(delta: number): number;
  }
}
