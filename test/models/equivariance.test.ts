/**
 * NequIP and Allegro through onnxruntime: agreement with the graph interpreter, E(3) symmetry of energy,
 * forces and virial (rotations, inversion, translation, permutation, edge order), float32 vs
 * float64, and the derivative checks (forces vs finite differences, virial vs finite strain).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { randomOrthogonal, seededUniform } from '../../o3/index.js';
import { createSession, evaluateGraph, type FloatDType } from '../../onnx/index.js';
import { buildPotentialGraph, exportPotential, type PotentialModel } from '../../models/index.js';
import type { OnnxPotential } from '../../potentials/onnx-potential.js';
import { assertEquivariant } from '../harness/equivariance.js';
import { assertForcesMatchFiniteDifference, assertVirialMatchesFiniteStrain } from '../harness/md.js';
import { evaluate, moved, periodicWater, potentialOf, relErr, rotateMatrix, rotateRows, TINY_MODELS, waterDimer } from './helpers.js';

const TOL: Record<FloatDType, number> = { float64: 1e-10, float32: 1e-5 };

describe.each(TINY_MODELS)('%s', (arch, make) => {
  let model: PotentialModel;
  const pots: Partial<Record<FloatDType, OnnxPotential>> = {};

  beforeAll(async () => {
    model = make();
    pots.float64 = await potentialOf(model, 'float64');
    pots.float32 = await potentialOf(model, 'float32');
  });

  describe('ONNX export', () => {
    it('declares the contract metadata', () => {
      const m = pots.float64!.metadata;
      expect(m.architecture).toBe(arch);
      expect(m.typeNames).toEqual(['H', 'O']);
      expect(m.rMax_A).toBe(3.5);
      expect(m.interactionDepth).toBe(arch === 'nequip' ? 2 : 1);
      expect(m.dtype).toBe('float64');
      expect(m.numParameters).toBe(model.parameters.count());
    });

    it('onnxruntime (float64) equals the reference interpreter of the same graph', async () => {
      const sys = periodicWater();
      const ort = await evaluate(pots.float64!, sys);
      // The same edges, fed to the interpreter.
      const { graph } = buildPotentialGraph(model, { dtype: 'float64' });
      const n = sys.n;
      const src: number[] = [], dst: number[] = [], sh: number[] = [];
      const L = 5;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
        if (i === j && a === 0 && b === 0 && c === 0) continue;
        const d = [0, 1, 2].map((k) => sys.positions[3 * j + k]! - sys.positions[3 * i + k]! + [a, b, c][k]! * L);
        if (Math.hypot(d[0]!, d[1]!, d[2]!) >= 3.5) continue;
        src.push(i); dst.push(j); sh.push(a * L, b * L, c * L);
      }
      const E = src.length;
      const out = evaluateGraph(graph, {
        pos: { data: sys.positions, dims: [n, 3] },
        atom_types: { data: BigInt64Array.from(Array.from(sys.typeIds, (t) => BigInt(sys.typeNames[t] === 'H' ? 0 : 1))), dims: [n] },
        edge_index: { data: BigInt64Array.from([...src, ...dst].map(BigInt)), dims: [2, E] },
        edge_shift: { data: Float64Array.from(sh), dims: [E, 3] },
        energy_mask: { data: new Float64Array(n).fill(1), dims: [n] },
      });
      expect(pots.float64!.lastEdgeCount).toBe(E);
      expect(Math.abs(ort.energy - out['energy']!.data[0]!) / Math.abs(ort.energy)).toBeLessThan(1e-12);
      expect(relErr(ort.forces, out['forces']!.data)).toBeLessThan(1e-12);
      expect(relErr(ort.virial, out['virial']!.data)).toBeLessThan(1e-12);
      expect(relErr(ort.atomic, out['atomic_energy']!.data)).toBeLessThan(1e-12);
      // Not a trivially zero model.
      expect(Math.max(...Array.from(ort.forces, Math.abs))).toBeGreaterThan(1e-3);
    });

    it('float32 agrees with float64 to 1e-5', async () => {
      const sys = periodicWater();
      const a = await evaluate(pots.float64!, sys);
      const b = await evaluate(pots.float32!, sys);
      expect(Math.abs(a.energy - b.energy) / Math.max(1, Math.abs(a.energy))).toBeLessThan(1e-5);
      expect(relErr(b.forces, a.forces)).toBeLessThan(1e-5);
      expect(relErr(b.virial, a.virial)).toBeLessThan(1e-5);
    });
  });

  describe.each(['float64', 'float32'] as const)('E(3) symmetry through onnxruntime (%s)', (dtype) => {
    const tol = TOL[dtype];

    it('energy is invariant, forces and virial rotate, under random rotations and inversion of a periodic box', async () => {
      const sys = periodicWater();
      const ref = await evaluate(pots[dtype]!, sys);
      const rand = seededUniform(5);
      for (let r = 0; r < 3; r++) {
        for (const improper of [false, true]) {
          const R = randomOrthogonal(rand, improper);
          const box = new Box(rotateRows(sys.box.cell, R), sys.box.pbc);
          const got = await evaluate(pots[dtype]!, moved(sys, rotateRows(sys.positions, R), box));
          expect(Math.abs(got.energy - ref.energy) / Math.max(1, Math.abs(ref.energy)), `energy, rotation ${r} improper ${improper}`).toBeLessThan(tol);
          expect(relErr(got.atomic, ref.atomic)).toBeLessThan(tol);
          expect(relErr(got.forces, rotateRows(ref.forces, R)), 'forces').toBeLessThan(tol);
          expect(relErr(got.virial, rotateMatrix(ref.virial, R)), 'virial').toBeLessThan(tol);
        }
      }
    });

    it('translation and atom permutation leave energy unchanged and carry the forces along', async () => {
      const sys = periodicWater();
      const ref = await evaluate(pots[dtype]!, sys);
      const shifted = Float64Array.from(sys.positions, (x, k) => x + [1.3, -7.9, 0.45][k % 3]!);
      const t = await evaluate(pots[dtype]!, moved(sys, shifted));
      expect(Math.abs(t.energy - ref.energy) / Math.max(1, Math.abs(ref.energy))).toBeLessThan(tol);
      expect(relErr(t.forces, ref.forces)).toBeLessThan(tol);
      expect(relErr(t.virial, ref.virial)).toBeLessThan(tol);

      const perm = [5, 2, 11, 0, 7, 3, 9, 1, 10, 4, 8, 6];
      const pos = new Float64Array(3 * sys.n);
      const symbols = perm.map((p) => sys.typeNames[sys.typeIds[p]!]!);
      perm.forEach((p, i) => pos.set(sys.positions.subarray(3 * p, 3 * p + 3), 3 * i));
      const { systemOf } = await import('./helpers.js');
      const pot = await potentialOf(model, dtype, [...new Set(symbols)]);
      const q = await evaluate(pot, systemOf(symbols, pos, sys.box));
      expect(Math.abs(q.energy - ref.energy) / Math.max(1, Math.abs(ref.energy))).toBeLessThan(tol);
      perm.forEach((p, i) => {
        expect(Math.abs(q.atomic[i]! - ref.atomic[p]!)).toBeLessThan(tol * Math.max(1, Math.abs(ref.atomic[p]!)));
        for (let k = 0; k < 3; k++) expect(Math.abs(q.forces[3 * i + k]! - ref.forces[3 * p + k]!)).toBeLessThan(tol * 10);
      });
      await pot.dispose!();
    });

    it('reordering the edges changes nothing', async () => {
      const sys = waterDimer();
      const n = sys.n;
      const src: number[] = [], dst: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) { src.push(i); dst.push(j); }
      const session = await createSession(exportPotential(model, { dtype }), { device: 'cpu' });
      const F = dtype === 'float64' ? Float64Array : Float32Array;
      const run = async (order: number[]) => {
        const E = order.length;
        return session.run({
          pos: { data: F.from(sys.positions), dims: [n, 3] },
          atom_types: { data: BigInt64Array.from(Array.from(sys.typeIds, (t) => BigInt(sys.typeNames[t] === 'H' ? 0 : 1))), dims: [n] },
          edge_index: { data: BigInt64Array.from([...order.map((e) => src[e]!), ...order.map((e) => dst[e]!)].map(BigInt)), dims: [2, E] },
          edge_shift: { data: new F(3 * E), dims: [E, 3] },
          energy_mask: { data: new F(n).fill(1), dims: [n] },
        });
      };
      const order = src.map((_, e) => e);
      const a = await run(order);
      const copy = (r: typeof a) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Float64Array.from(v.data as Float64Array)]));
      const ra = copy(a);
      const shuffled = [...order].sort((x, y) => ((x * 7919) % 31) - ((y * 7919) % 31) || x - y);
      const rb = copy(await run(shuffled));
      for (const k of ['energy', 'forces', 'virial', 'atomic_energy']) expect(relErr(rb[k]!, ra[k]!), k).toBeLessThan(tol);
      await session.release();
    });
  });

  describe('derivatives (float64)', () => {
    it('the graph is equivariant as a map of positions (o3 assertEquivariant, interpreter)', () => {
      const sys = waterDimer();
      const n = sys.n;
      const src: number[] = [], dst: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) { src.push(i); dst.push(j); }
      const E = src.length;
      const { graph } = buildPotentialGraph(model, { dtype: 'float64' });
      const types = BigInt64Array.from(Array.from(sys.typeIds, (t) => BigInt(sys.typeNames[t] === 'H' ? 0 : 1)));
      const fn = (pos: Float64Array): Float64Array => {
        const out = evaluateGraph(graph, {
          pos: { data: pos, dims: [n, 3] },
          atom_types: { data: types, dims: [n] },
          edge_index: { data: BigInt64Array.from([...src, ...dst].map(BigInt)), dims: [2, E] },
          edge_shift: { data: new Float64Array(3 * E), dims: [E, 3] },
          energy_mask: { data: new Float64Array(n).fill(1), dims: [n] },
        });
        // Per atom: atomic energy (0e) and force (1o).
        const y = new Float64Array(4 * n);
        for (let i = 0; i < n; i++) {
          y[4 * i] = out['atomic_energy']!.data[i]!;
          for (let k = 0; k < 3; k++) y[4 * i + 1 + k] = out['forces']!.data[3 * i + k]!;
        }
        return y;
      };
      const report = assertEquivariant(fn, '1x1o', '1x0e+1x1o', { inputs: Float64Array.from(sys.positions), rotations: 2, tolerance: 1e-10 });
      expect(report.maxOutput).toBeGreaterThan(1e-3);
    });

    it('forces are −∂E/∂x (central differences) and the virial is −∂E/∂ε (finite strain)', async () => {
      const sys = periodicWater();
      const pot = pots.float64!;
      await assertForcesMatchFiniteDifference(async (p) => {
        const r = await evaluate(pot, moved(sys, p));
        return { energy_eV: r.energy, forces: r.forces };
      }, sys.positions, { step_A: 1e-4, atol: 1e-7, rtol: 1e-6, atoms: [0, 1, 5, 10] });
      await assertVirialMatchesFiniteStrain(async (p, box) => {
        const r = await evaluate(pot, moved(sys, p, box));
        return { energy_eV: r.energy, virial: r.virial };
      }, sys.positions, sys.box, { strain: 1e-5, atol: 1e-7, rtol: 1e-6 });
    });
  });
});
