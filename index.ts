/** e3md's package entry: the public face of each folder (DESIGN.md §2). */
export * from './engine/index.js';
export * from './integrators/index.js';
export * from './optimize/index.js';
export * from './potentials/index.js';
export * from './models/index.js';
export * from './o3/index.js';
export * from './io/index.js';
