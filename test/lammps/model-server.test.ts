/**
 * The model server answers pair_style e3md's requests as `e3md eval` would: a periodic cell
 * (1-rank graph) and owned atoms plus ghost images (the multi-rank graph) both reproduce the
 * engine's single-point energy, forces, per-atom energies and virial. No LAMMPS needed.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPotential } from '../../models/index.js';
import { mapSpecies } from '../../potentials/index.js';
import { Kind } from '../../cli/lammps/protocol.js';
import { evaluate, periodicWater, potentialOf, relErr, TINY_MODELS } from '../models/helpers.js';
import { decodeForces, Mode, startServer, withGhosts } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'e3md-server-test-'));
const text = (m: { payload: Uint8Array }): string => new TextDecoder().decode(m.payload);

describe.each(TINY_MODELS)('model server with a %s model', (arch, make) => {
  const model = make();
  const file = join(dir, `${arch}.onnx`);
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    writeFileSync(file, exportPotential(model, { dtype: 'float64' }));
    server = await startServer();
  });
  afterAll(async () => { await server.close(); });

  it('refuses an element the model does not know, and a file that is not a model, with messages for LAMMPS', async () => {
    const unknown = await server.load({ model: file, elements: 'O C', threads: 1, device: 'cpu' });
    expect(unknown.kind).toBe(Kind.failed);
    expect(text(unknown)).toMatch(/does not know element 'C' \(it was made for H, O\)/);
    const notModel = await server.load({ model: join(dir, '..'), elements: 'O H', threads: 1, device: 'cpu' });
    expect(notModel.kind).toBe(Kind.failed);
    expect(text(notModel)).toMatch(/cannot read the file/);
  });

  it('periodic and ghost graphs reproduce the single-point energy, forces, atomic energies and virial', async () => {
    const ready = await server.load({ model: file, elements: 'O H', threads: 1, device: 'cpu' });
    expect(ready.kind).toBe(Kind.ready);
    expect(text(ready)).toContain(`interaction_depth=${model.interactionDepth}\n`);
    expect(text(ready)).toContain('type_ids=1 0\n');

    const cell = periodicWater();
    const pot = await potentialOf(model, 'float64', cell.typeNames);
    const ref = await evaluate(pot, cell);
    await pot.dispose!();
    const modelTypes = mapSpecies(cell.typeNames, ['H', 'O']);
    const types = Int32Array.from(cell.typeIds, (t) => modelTypes[t]!);

    const periodic = decodeForces(await server.compute(cell.n, cell.n, Mode.periodic, cell.box.cell, 7, cell.positions, types), cell.n, cell.n);
    expect(Math.abs(periodic.energy - ref.energy) / Math.abs(ref.energy)).toBeLessThan(1e-12);
    expect(relErr(periodic.forces, ref.forces)).toBeLessThan(1e-12);
    expect(relErr(periodic.atomic, ref.atomic)).toBeLessThan(1e-12);
    expect(relErr(periodic.virial, ref.virial)).toBeLessThan(1e-12);

    // A LAMMPS rank's view: the cell's atoms owned, images out to depth · r_max + skin as ghosts.
    const g = withGhosts(cell, model.interactionDepth * model.rMax_A + 0.5);
    const n = g.owner.length;
    const ghosts = decodeForces(await server.compute(n, cell.n, Mode.ghosts, new Float64Array(9), 0, g.positions, Int32Array.from(g.owner, (i) => types[i]!)), n, cell.n);
    const folded = new Float64Array(3 * cell.n);
    g.owner.forEach((i, a) => { for (let k = 0; k < 3; k++) folded[3 * i + k]! += ghosts.forces[3 * a + k]!; });
    expect(n).toBeGreaterThan(5 * cell.n);
    expect(Math.abs(ghosts.energy - ref.energy) / Math.abs(ref.energy)).toBeLessThan(1e-10);
    expect(relErr(folded, ref.forces)).toBeLessThan(1e-10);
    expect(relErr(ghosts.atomic, ref.atomic)).toBeLessThan(1e-10);
    expect(relErr(ghosts.virial, ref.virial)).toBeLessThan(1e-10);

    // An empty subdomain: nothing owned, no model call, zeros.
    const empty = decodeForces(await server.compute(3, 0, Mode.ghosts, new Float64Array(9), 0, g.positions.subarray(0, 9), types.subarray(0, 3)), 3, 0);
    expect([empty.energy, ...empty.forces, ...empty.virial].every((v) => v === 0)).toBe(true);
  });

  it('answers a malformed request with FAILED and keeps serving', async () => {
    const short = new Uint8Array(96);
    new Int32Array(short.buffer, 0, 2).set([2, 2]);
    const bad = await server.request(Kind.compute, short);
    expect(bad.kind).toBe(Kind.failed);
    expect(text(bad)).toMatch(/COMPUTE of 2 atoms has 96 bytes, expected 152/);
    const wrongType = await server.compute(1, 1, Mode.periodic, [5, 0, 0, 0, 5, 0, 0, 0, 5], 7, [0, 0, 0], [7]);
    expect(text(wrongType)).toMatch(/atom 0 has model type 7, the model has 2/);
    const stats = await server.close();
    expect(stats.calls).toBe(3); // the three answered above; FAILED requests do not count
    server = await startServer();
  });
});
