/**
 * Domain decomposition and chunked evaluation of learned potentials (DESIGN.md §5, §7): NequIP
 * (two message-passing layers: a two-cutoff ghost shell) and Allegro (one), float64, decomposed
 * over 2 and 3 workers and chunked to a memory budget, against the undecomposed model.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Box, createSystem, singlePoint, symbolsOf, type System } from '../../engine/index.js';
import type { DecomposedPotential } from '../../engine/parallel/index.js';
import { readExtxyz } from '../../io/index.js';
import { exportPotential, type PotentialModel } from '../../models/index.js';
import { createOnnxPotential, createParallelPotential, estimateModelMemory } from '../../potentials/index.js';
import { periodicWater, relErr, tinyAllegro, tinyNequip } from '../models/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MASS: Record<string, number> = { H: 1.008, O: 15.999 };

function waterBox(): System {
  const [f] = readExtxyz(join(ROOT, 'examples', 'water', 'boxes', 'water-64.extxyz'));
  return createSystem({ symbols: f.symbols, positions: f.positions, masses: f.symbols.map((s) => MASS[s]), box: f.box });
}

/** The 192-atom box sheared into a triclinic cell (positions follow the cell). */
function triclinic(): System {
  const s = waterBox();
  const L = s.box.cell[0];
  const m = [1, 0, 0, 0.25, 1, 0, -0.15, 0.2, 1]; // x' = x · M
  const x = s.positions;
  const pos = new Float64Array(x.length);
  for (let i = 0; i < s.n; i++) for (let k = 0; k < 3; k++) pos[3 * i + k] = x[3 * i] * m[k] + x[3 * i + 1] * m[3 + k] + x[3 * i + 2] * m[6 + k];
  const cell = [L * m[0], L * m[1], L * m[2], L * m[3], L * m[4], L * m[5], L * m[6], L * m[7], L * m[8]];
  return createSystem({ symbols: symbolsOf(s), positions: pos, masses: s.masses, box: new Box(cell, [true, true, true]) });
}

/** Whole molecules of the box (by O, the next two atoms are its H) with O in `keep`, in `box`. */
function molecules(keep: (o: number[]) => boolean, box: Box): System {
  const s = waterBox();
  const symbols: string[] = [], pos: number[] = [];
  for (let i = 0; i < s.n; i += 3) {
    if (!keep([0, 1, 2].map((k) => s.positions[3 * i + k]))) continue;
    for (let a = i; a < i + 3; a++) { symbols.push(symbolsOf(s)[a]); pos.push(...s.positions.subarray(3 * a, 3 * a + 3)); }
  }
  return createSystem({ symbols, positions: pos, masses: symbols.map((x) => MASS[x]), box });
}

const L = 12.41712670298373;
/** Each system, and whether the chunked 3-worker variant is checked on it too (it costs time). */
const SYSTEMS: [string, () => System, boolean][] = [
  ['periodic', waterBox, true],
  ['triclinic', triclinic, true],
  ['slab (periodic x, y; open z)', () => molecules((o) => o[2] > 2 && o[2] < 9, new Box([L, 0, 0, 0, L, 0, 0, 0, 3 * L], [true, true, false])), false],
  ['cluster (open)', () => molecules((o) => Math.hypot(o[0] - L / 2, o[1] - L / 2, o[2] - L / 2) < 5.5, Box.open()), false],
  ['thin box (5 Å cube, thinner than the shell)', periodicWater, true],
];

const MODELS: [string, () => PotentialModel][] = [['nequip', () => tinyNequip()], ['allegro', () => tinyAllegro()]];

describe.each(MODELS)('%s decomposed over worker threads', (arch, make) => {
  let bytes: Uint8Array;
  const pools = new Map<string, DecomposedPotential>();
  const notes: string[] = [];
  beforeAll(async () => {
    bytes = exportPotential(make(), { dtype: 'float64' });
    const spec = { kind: 'onnx' as const, model: bytes, device: 'cpu' };
    // A budget of a third of what half the 192-atom box needs: a few chunks per domain of a third.
    const budget = (await estimateModelMemory(bytes)).bytes(96, 96 * 25, 40) / 3;
    const variants: [string, number, number | null][] = [['2 workers', 2, null], ['3 workers, chunked', 3, budget]];
    // Devices round-robin: worker 1 of the first pool asks for a GPU that is not there and falls back.
    const made = await Promise.all(variants.map(([, w, budget], k) => createParallelPotential(spec, ['H', 'O'], {
      workers: w, memoryBudget_bytes: budget, devices: k === 0 ? ['cpu', 'cuda:7'] : undefined, log: (m) => void notes.push(m),
    })));
    variants.forEach(([name], k) => pools.set(name, made[k]));
  });
  afterAll(async () => { for (const p of pools.values()) await p.dispose(); });

  it('assigns devices round-robin; one that cannot start falls back to CPU with one note', () => {
    expect(pools.get('2 workers')!.providers).toEqual(['cpu', 'cpu']);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/device 'cuda:7' unavailable .*running on cpu/);
  });

  it.each(SYSTEMS)('%s: energy, forces and virial equal the undecomposed model\'s to 1e-10', async (_name, system, all) => {
    const s = system();
    const serial = await createOnnxPotential({ model: bytes, typeNames: s.typeNames, device: 'cpu', intraOpThreads: 1 });
    const ref = await singlePoint(serial, s);
    await serial.dispose!();
    expect(Math.abs(ref.energy_eV)).toBeGreaterThan(0.1);
    for (const [name, pot] of pools) {
      if (!all && name !== '2 workers') continue;
      const got = await singlePoint(pot, s);
      expect(Math.abs(got.energy_eV - ref.energy_eV) / Math.abs(ref.energy_eV), name).toBeLessThan(1e-10);
      expect(relErr(got.forces, ref.forces), name).toBeLessThan(1e-10);
      expect(relErr(got.virial, ref.virial), name).toBeLessThan(1e-10);
    }
    // Under a budget, Allegro's domains are cut into chunks of atoms; NequIP's (deep) are evaluated layer by layer.
    const bounded = pools.get('3 workers, chunked')!;
    if (arch === 'nequip') expect(bounded.name).toBe('onnx:nequip (layer by layer)');
    else if (all && s.n > 12) expect(Math.min(...bounded.stats.chunks)).toBeGreaterThan(1);
  });
});

describe('a memory budget that chunks cannot meet', () => {
  it('a deep model whose context spans the box is evaluated layer by layer, not in hundreds of chunks that each hold the box', async () => {
    // Three NequIP layers × 3.5 Å = 10.5 Å of context around any chunk of a 12.4 Å box: every atom
    // chunk would hold (nearly) every atom. Layer by layer, a chunk holds one hop of neighbours.
    const bytes = exportPotential(tinyNequip({ numLayers: 3 }), { dtype: 'float64' });
    const s = waterBox();
    const need = (await estimateModelMemory(bytes)).bytes(s.n, s.n * 25, 40);
    const pot = await createParallelPotential({ kind: 'onnx', model: bytes, device: 'cpu' }, ['H', 'O'], { workers: 1, memoryBudget_bytes: need / 4 });
    try {
      const serial = await createOnnxPotential({ model: bytes, typeNames: s.typeNames, device: 'cpu', intraOpThreads: 1 });
      const ref = await singlePoint(serial, s);
      await serial.dispose!();
      const got = await singlePoint(pot, s);
      expect(pot.name).toBe('onnx:nequip (layer by layer)');
      expect(pot.stats.chunks).toEqual([1]);
      expect(Math.abs(got.energy_eV - ref.energy_eV) / Math.abs(ref.energy_eV)).toBeLessThan(1e-10);
      expect(relErr(got.forces, ref.forces)).toBeLessThan(1e-10);
    } finally {
      await pot.dispose();
    }
  });
});
