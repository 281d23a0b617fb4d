/** potentials/lj-kernel/: the Lennard-Jones pair loop, in WebAssembly (wat.ts is its source). */
export { createLjKernel, type LjKernel, type LjPairTable } from './kernel.js';
export { ljKernelWat } from './wat.js';
