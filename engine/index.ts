/** engine/: System, Box/PBC, units, random numbers, neighbor lists, run loop. */
export * from './units.js';
export { Box } from './box.js';
export { createSystem, symbolsOf, type System, type SystemInit } from './system.js';
export { Rng, type RngState } from './random.js';
