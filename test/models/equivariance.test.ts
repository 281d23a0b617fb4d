/**
 * NequIP and Allegro through onnxruntime: agreement with the graph interpreter, E(3) symmetry of energy,
 * forces and virial (rotations, inversion, translation, permutation, edge order), float32 vs
 * float64, and the derivative checks (forces vs finite differences, virial vs finite strain).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seededUniform } from '../../o3/index.js';
import { createSession, evaluateGraph, type FloatDType } from '../../onnx/index.js';
import { buildPotentialGraph, exportPotential, type PotentialModel } from '../../models/index.js';
import type { OnnxPotential } from '../../potentials/onnx-potential.js';
import { assertEquivariant, assertPotentialEquivariant, assertPotentialForces, assertPotentialVirial, FORCE_DEFAULTS, VIRIAL_DEFAULTS } from '../../testing/index.js';
import { evaluate, periodicWater, potentialOf, relErr, TINY_MODELS, waterDimer } from './helpers.js';

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

    it('energy and atomic energies are invariant, forces and virial rotate, under random rotations and inversion of a periodic box, translation and permutation (e3md/testing)', async () => {
      const pot = pots[dtype]!;
      const report = await assertPotentialEquivariant(pot, periodicWater(), { dtype, tolerance: tol, rand: seededUniform(5), perAtomScalars: { atomic_energy: () => pot.lastAtomicEnergy } });
      expect(report.transformations).toHaveLength(8);
      expect(report.maxForce_eV_A, 'not a trivially zero model').toBeGreaterThan(1e-3);
    });

    it('a permutation that also reorders the species list leaves energy unchanged and carries atomic energies and forces along', async () => {
      const sys = periodicWater();
      const ref = await evaluate(pots[dtype]!, sys);
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
      await assertPotentialForces(pot, sys, { step_A: 1e-4, atol: 1e-7, rtol: 1e-6, atoms: [0, 1, 5, 10] });
      await assertPotentialVirial(pot, sys, { strain: 1e-5, atol: 1e-7, rtol: 1e-6 });
    });
  });

  describe('derivatives (float32, e3md/testing defaults)', () => {
    it('the float32 model passes the force and virial checks at their float32 defaults', async () => {
      const sys = periodicWater();
      const forces = await assertPotentialForces(pots.float32!, sys, { dtype: 'float32', atoms: [0, 1, 5, 10] });
      const virial = await assertPotentialVirial(pots.float32!, sys, { dtype: 'float32' });
      // The defaults leave a margin of five or more over what float32 rounding costs here (measured: 2e-4 eV/Å and 4e-4 eV at most).
      expect(forces.maxError).toBeLessThan(FORCE_DEFAULTS.float32.atol / 5);
      expect(virial.maxError).toBeLessThan(VIRIAL_DEFAULTS.float32.atol / 5);
    });
  });
});
