/**
 * Periodic consistency and smoothness of NequIP and Allegro through onnxruntime (float64): the same crystal
 * described by its primitive cell, by another (sheared) choice of cell and by a supercell gives
 * the same energy per atom site, even when the cell is thinner than r_max (many images of one
 * pair); and energy and forces are continuous as a neighbour crosses r_max.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import type { OnnxPotential } from '../../potentials/onnx-potential.js';
import { evaluate, potentialOf, systemOf, TINY_MODELS } from './helpers.js';

describe.each(TINY_MODELS)('%s', (_arch, make) => {
  let pot: OnnxPotential;
  beforeAll(async () => {
    pot = await potentialOf(make(), 'float64', ['O', 'H']);
  });

  // A triclinic primitive cell (rows a, b, c, Å) holding one distorted water molecule.
  const A = [3.1, 0.0, 0.0];
  const B = [0.7, 2.9, 0.0];
  const C = [-0.4, 0.5, 3.3];
  const BASIS = [[0.1, 0.2, 0.15], [0.85, 0.75, 0.3], [-0.35, 0.9, 0.55]];
  const SYMBOLS = ['O', 'H', 'H'];

  function crystal(cellRows: number[][], copies: [number, number, number]) {
    const pos: number[] = [];
    const symbols: string[] = [];
    for (let i = 0; i < copies[0]; i++) for (let j = 0; j < copies[1]; j++) for (let k = 0; k < copies[2]; k++) {
      BASIS.forEach((b, s) => {
        for (let x = 0; x < 3; x++) pos.push(b[x]! + i * A[x]! + j * B[x]! + k * C[x]!);
        symbols.push(SYMBOLS[s]!);
      });
    }
    return systemOf(symbols, pos, new Box(cellRows.flat(), [true, true, true]));
  }

  describe('periodic consistency', () => {
    it('per-site energies agree between the primitive cell, a sheared cell and a 2×1×2 supercell', async () => {
      const prim = await evaluate(pot, crystal([A, B, C], [1, 1, 1]));
      // Same lattice, another basis of it: (a + b, b, c − a) — a unimodular change of cell.
      const sheared = await evaluate(pot, crystal([A.map((x, k) => x + B[k]!), B, C.map((x, k) => x - A[k]!)], [1, 1, 1]));
      const superCell = await evaluate(pot, crystal([A.map((x) => 2 * x), B, C.map((x) => 2 * x)], [2, 1, 2]));
      for (let s = 0; s < 3; s++) {
        expect(Math.abs(sheared.atomic[s]! - prim.atomic[s]!)).toBeLessThan(1e-12);
        for (let copy = 0; copy < 4; copy++) expect(Math.abs(superCell.atomic[3 * copy + s]! - prim.atomic[s]!)).toBeLessThan(1e-12);
      }
      expect(Math.abs(superCell.energy - 4 * prim.energy)).toBeLessThan(1e-11);
      // Forces repeat with the lattice, and the virial is extensive.
      for (let copy = 0; copy < 4; copy++) for (let k = 0; k < 9; k++) expect(Math.abs(superCell.forces[9 * copy + k]! - prim.forces[k]!)).toBeLessThan(1e-12);
      for (let k = 0; k < 9; k++) expect(Math.abs(superCell.virial[k]! - 4 * prim.virial[k]!)).toBeLessThan(1e-11);
      expect(Math.abs(prim.energy)).toBeGreaterThan(1e-3);
    });
  });

  describe('smoothness at r_max', () => {
    it('energy and forces are continuous as an atom crosses r_max, and vanish for isolated atoms', async () => {
      const rMax = pot.metadata.rMax_A;
      // An O–H pair plus an H that walks out along x past r_max from the O (and stays near the other H).
      const at = async (x: number) => evaluate(pot, systemOf(['O', 'H', 'H'], [0, 0, 0, 0.6, 0.75, 0, x, 0.3, 0], Box.open()));
      const crossing = Math.sqrt(rMax * rMax - 0.09);
      const h = 1e-6;
      const inside = await at(crossing - h);
      const outside = await at(crossing + h);
      // The walker still feels the other H, so E changes by −F·Δx across the step (F averaged over
      // both ends: the trapezoid rule, exact to O(h³) whatever the curvature) — and by nothing more.
      expect(Math.abs(outside.energy - inside.energy + ((inside.forces[6]! + outside.forces[6]!) / 2) * 2 * h)).toBeLessThan(1e-12);
      // Forces: the change across the crossing shrinks with the step (no jump hides in it).
      const forceJump = async (step: number) => {
        const a = await at(crossing - step);
        const b = await at(crossing + step);
        return Math.max(...a.forces.map((f, k) => Math.abs(f - b.forces[k]!)));
      };
      const big = await forceJump(1e-5);
      const small = await forceJump(1e-8);
      expect(big).toBeGreaterThan(0);
      expect(small).toBeLessThan(big / 300);
      // A bit further in, the walker feels a force; far away, none.
      const near = await at(crossing - 0.5);
      expect(Math.hypot(near.forces[6]!, near.forces[7]!, near.forces[8]!)).toBeGreaterThan(1e-6);
      const far = await at(20);
      expect([far.forces[6], far.forces[7], far.forces[8]]).toEqual([0, 0, 0]);
      // Once every pair is beyond r_max, the energy is the sum of isolated-atom energies.
      const apart = await evaluate(pot, systemOf(['O', 'H', 'H'], [0, 0, 0, 10, 0, 0, 0, 10, 0], Box.open()));
      const single = await evaluate(pot, systemOf(['H', 'O'], [0, 0, 0, 10, 0, 0], Box.open()));
      expect(Math.abs(apart.energy - (single.atomic[1]! + 2 * single.atomic[0]!))).toBeLessThan(1e-12);
      expect(apart.forces.every((f) => f === 0)).toBe(true);
    });
  });
});
