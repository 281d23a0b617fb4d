/**
 * pair_style e3md inside LAMMPS (Debian's liblammps, lammps/build/e3md-lammps), float64 models:
 * on 1 rank (periodic graph) and 2 ranks (ghost graph, reverse communication) LAMMPS reproduces
 * the engine's single point (`e3md eval`'s singlePoint) — energy, forces, per-atom energies and
 * virial — on the periodic water box and on a triclinic box, for Allegro and for NequIP (whose
 * two message-passing layers need ghosts out to 2 r_max + skin: comm_modify cutoff); a 100-step
 * Allegro NVE run and a 20-step NPT run (virial-driven triclinic cell) on 2 ranks follow the
 * 1-rank ones (NequIP's NVE: pair-style.slow.test.ts).
 * Skipped, loudly, where LAMMPS's development files or mpirun are missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relErr } from '../models/helpers.js';
import { NKTV2P_METAL, printedValues, readDumpRows } from '../../bench/lammps-run.js';
import { createScenario, MODELS, noMpi, unavailable, type ModelName, type StructureName } from './scenario.js';
import { expectSameTrajectory } from './trajectory.js';

const scenario = createScenario({ water: { singlePoints: true, nve: [] }, triclinic: { singlePoints: true, nve: ['allegro'], npt: 'allegro' } });
const RANKS = noMpi ? ([1] as const) : ([1, 2] as const);
// Start every LAMMPS run now: they run side by side while the references are computed.
if (unavailable === null) for (const s of ['water', 'triclinic'] as const) for (const ranks of RANKS) void scenario.launch(s, ranks).catch(() => {});

describe.skipIf(unavailable !== null)('pair_style e3md in LAMMPS', () => {
  const cases = (Object.keys(MODELS) as ModelName[]).flatMap((m) => (['water', 'triclinic'] as StructureName[]).map((s) => [m, s] as const));
  describe.each([1, 2] as const)('on %i rank(s)', (ranks) => {
    it.skipIf(ranks === 2 && noMpi).each(cases)('%s, %s box: energy, forces, per-atom energies and virial match e3md eval to 1e-10', async (model, structure) => {
      const ref = await scenario.reference(model, structure);
      const r = await scenario.launch(structure, ranks);
      const tag = `${model}-${structure}-${ranks}`;
      const v = printedValues(r.stdout).get(tag);
      expect(v, `no result line for ${tag}`).toBeDefined();
      const [pe, ...rest] = v!;
      const vol = rest[6]!;
      expect(Math.abs(pe! - ref.energy) / Math.abs(ref.energy)).toBeLessThan(1e-10);
      // LAMMPS's pressure tensor from the virial alone: P_ab = W_ab / V · nktv2p, order xx yy zz xy xz yz.
      const W = rest.slice(0, 6).map((p) => (p * vol) / NKTV2P_METAL);
      expect(relErr(W, [0, 4, 8, 1, 2, 5].map((k) => ref.virial[k]!))).toBeLessThan(1e-10);
      const rows = readDumpRows(readFileSync(join(scenario.dir, `${tag}.dump`), 'utf8'));
      expect(rows.length).toBe(scenario.systems[structure].n);
      expect(relErr(rows.flatMap((row) => row.slice(1, 4)), ref.forces)).toBeLessThan(1e-10);
      expect(relErr(rows.map((row) => row[4]!), ref.atomic)).toBeLessThan(1e-10);
      expect(r.stdout).toContain(ranks === 2 ? 'by 2 MPI processor grid' : '1 by 1 by 1 MPI processor grid');
    });
  });

  it.skipIf(noMpi)('allegro: a 100-step NVE run on 2 ranks follows the 1-rank trajectory to 1e-8 Å', async () => {
    await Promise.all([scenario.launch('triclinic', 1), scenario.launch('triclinic', 2)]);
    expectSameTrajectory(scenario, 'allegro');
  });

  it.skipIf(noMpi)('allegro: 20 NPT steps (triclinic cell, virial-driven) on 2 ranks follow the 1-rank run', async () => {
    const [one, two] = await Promise.all([scenario.launch('triclinic', 1), scenario.launch('triclinic', 2)]);
    const a = printedValues(one.stdout).get('npt-allegro-1')!, b = printedValues(two.stdout).get('npt-allegro-2')!;
    const v0 = scenario.systems.triclinic.box.volume;
    expect(Math.abs(a[0]! - v0) / v0).toBeGreaterThan(1e-4); // the barostat moved the cell
    expect(Math.abs(a[1]! - 1.1)).toBeGreaterThan(1e-5); // and its tilt
    a.forEach((x, k) => expect(Math.abs(b[k]! - x)).toBeLessThan(1e-9 * Math.max(1, Math.abs(x))));
    const pa = readDumpRows(readFileSync(join(scenario.dir, 'npt-allegro-1.dump'), 'utf8')), pb = readDumpRows(readFileSync(join(scenario.dir, 'npt-allegro-2.dump'), 'utf8'));
    expect(relErr(pb.flatMap((r) => r.slice(1)), pa.flatMap((r) => r.slice(1)))).toBeLessThan(1e-9);
  });
});
