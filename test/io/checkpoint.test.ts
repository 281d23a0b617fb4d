import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import { Rng } from '../../engine/random.js';
import protobuf from 'protobufjs';
import { CHECKPOINT_PROTO, decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint, type Checkpoint } from '../../io/checkpoint.js';

function sample(withRng: boolean): Checkpoint {
  const n = 4;
  const r = new Rng(3);
  const arr = (len: number, scale: number): Float64Array => Float64Array.from({ length: len }, () => r.normal() * scale);
  const rng = new Rng(9);
  rng.normal(); // leaves a spare normal cached: the state must carry it
  return {
    state: {
      step: 12345,
      positions: arr(3 * n, 5),
      velocities: arr(3 * n, 0.01),
      box: new Box([7, 0, 0, 1, 7, 0, 0.5, 0.25, 8], [true, false, true]),
      integrator: { rng: withRng ? rng.state() : null, variables: withRng ? {} : { thermostat_xi: [0.5, -1e-300, 3], barostat_p_eV_fs: [1 / 3] } },
      neighborReference: arr(3 * n, 5),
      neighborReferenceBox: new Box([7.25, 0, 0, 1, 6.75, 0, 0.5, 0.25, 8.125], [true, false, true]),
    },
    typeNames: ['Ar', 'Kr'],
    typeIds: Int32Array.from([0, 1, 1, 0]),
    masses: Float64Array.from([39.948, 83.798, 83.798, 39.948]),
    integrator: withRng ? 'langevin' : 'velocity-verlet',
    timestep_fs: 1.5,
  };
}

describe('checkpoint', () => {
  it.each([true, false])('round-trips every field bit-exactly (rng: %s)', (withRng) => {
    const c = sample(withRng);
    const back = decodeCheckpoint(encodeCheckpoint(c));
    expect(back.state.step).toBe(c.state.step);
    expect(back.state.positions).toEqual(c.state.positions);
    expect(back.state.velocities).toEqual(c.state.velocities);
    expect(back.state.neighborReference).toEqual(c.state.neighborReference);
    expect(Array.from(back.state.box.cell)).toEqual(Array.from(c.state.box.cell));
    expect(back.state.box.pbc).toEqual([true, false, true]);
    expect(back.state.integrator).toEqual(c.state.integrator);
    expect(Array.from(back.state.neighborReferenceBox.cell)).toEqual(Array.from(c.state.neighborReferenceBox.cell));
    expect(back.state.neighborReferenceBox.pbc).toEqual([true, false, true]);
    expect(back.typeNames).toEqual(c.typeNames);
    expect(back.typeIds).toEqual(c.typeIds);
    expect(back.masses).toEqual(c.masses);
    expect(back.integrator).toBe(c.integrator);
    expect(back.timestep_fs).toBe(1.5);
    if (withRng) {
      // the restored generator continues the very same stream, spare normal included
      const a = Rng.fromState(c.state.integrator!.rng!), b = Rng.fromState(back.state.integrator!.rng!);
      expect([b.normal(), b.normal(), b.uniform()]).toEqual([a.normal(), a.normal(), a.uniform()]);
    }
  });

  it('an unmoved reference cell is stored as nothing and comes back as the same Box object', () => {
    const c = sample(false);
    c.state.neighborReferenceBox = c.state.box;
    const bytes = encodeCheckpoint(c);
    const back = decodeCheckpoint(bytes).state;
    expect(back.neighborReferenceBox).toBe(back.box);
    expect(bytes.length).toBeLessThan(encodeCheckpoint(sample(false)).length);
  });

  it('reads a checkpoint written before integrator variables existed (fields 17 and 18 absent)', () => {
    // The schema as it was: CHECKPOINT_PROTO without the IntegratorVariable message and fields 17–18.
    const oldProto = CHECKPOINT_PROTO
      .replace(/\n\s*repeated IntegratorVariable integrator_variables = 17;[^\n]*/, '')
      .replace(/\n\s*repeated double neighbor_reference_cell = 18;[^\n]*/, '')
      .replace(/\n\/\/ One named extended-system variable[\s\S]*?\n}\n/, '\n');
    expect(oldProto).not.toMatch(/= 17|= 18|IntegratorVariable/);
    const Old = protobuf.parse(oldProto).root.lookupType('e3md.Checkpoint');
    const c = sample(true);
    const bytes = Old.encode(Old.fromObject({
      format: 'e3md.checkpoint', version: 1, step: 7, nAtoms: 4, typeNames: ['Ar', 'Kr'], typeIds: [0, 1, 1, 0], masses: Array.from(c.masses),
      positions: Array.from(c.state.positions), velocities: Array.from(c.state.velocities), cell: Array.from(c.state.box.cell), pbc: [true, false, true],
      rng: { s: c.state.integrator!.rng!.s, hasSpareNormal: true, spareNormal: c.state.integrator!.rng!.spareNormal },
      neighborReference: Array.from(c.state.neighborReference), integrator: 'langevin', timestepFs: 1.5,
    })).finish();
    const back = decodeCheckpoint(bytes).state;
    expect(back.step).toBe(7);
    expect(back.integrator).toEqual({ rng: c.state.integrator!.rng, variables: {} });
    expect(back.neighborReferenceBox).toBe(back.box);
    expect(back.positions).toEqual(c.state.positions);
  });

  it('writes atomically and reads back from disk', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'e3md-ckpt-')), 'run.ckpt');
    writeCheckpoint(path, sample(true));
    expect(readCheckpoint(path).state.step).toBe(12345);
  });

  it('rejects missing and foreign files with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-ckpt-'));
    expect(() => readCheckpoint(join(dir, 'none.ckpt'))).toThrow(/none\.ckpt: checkpoint file not found/);
    writeFileSync(join(dir, 'junk.ckpt'), 'this is not protobuf at all\n');
    expect(() => readCheckpoint(join(dir, 'junk.ckpt'))).toThrow(/junk\.ckpt: not an e3md checkpoint/);
  });
});
