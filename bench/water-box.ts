/** The benchmarks' periodic water boxes: the 1,536-atom box of examples/water/boxes, repeated. */
import { join } from 'node:path';
import { atomicMass, Box, createSystem, type System } from '../engine/index.js';
import { readExtxyz } from '../io/index.js';
import { repoRoot } from './paths.js';

const root = repoRoot();

/** The 1,536-atom water box repeated nx × ny × nz times. */
export function waterBox(replicate: readonly [number, number, number]): System {
  const [f] = readExtxyz(join(root, 'examples', 'water', 'boxes', 'water-512.extxyz'));
  const c = f.box.cell;
  const [nx, ny, nz] = replicate;
  const symbols: string[] = [], pos: number[] = [];
  for (let a = 0; a < nx; a++) for (let b = 0; b < ny; b++) for (let d = 0; d < nz; d++) {
    for (let i = 0; i < f.symbols.length; i++) {
      symbols.push(f.symbols[i]);
      for (let k = 0; k < 3; k++) pos.push(f.positions[3 * i + k] + a * c[k] + b * c[3 + k] + d * c[6 + k]);
    }
  }
  const cell = [nx * c[0], nx * c[1], nx * c[2], ny * c[3], ny * c[4], ny * c[5], nz * c[6], nz * c[7], nz * c[8]];
  return createSystem({ symbols, positions: pos, masses: symbols.map((s) => atomicMass(s)!), box: new Box(cell, [true, true, true]) });
}
