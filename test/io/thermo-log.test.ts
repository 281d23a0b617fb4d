import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Box } from '../../engine/box.js';
import type { Frame } from '../../engine/observer.js';
import { createSystem } from '../../engine/system.js';
import { createThermoLog, thermoTableHeader } from '../../io/thermo-log.js';
import { createExtxyzTrajectory } from '../../io/trajectory.js';
import { readExtxyz } from '../../io/extxyz.js';

function frame(step: number): Frame {
  const system = createSystem({ symbols: ['Ar'], positions: [step, 0, 0], masses: [39.948], box: Box.orthorhombic(10, 10, 10) });
  return {
    step, time_fs: 2 * step, system, images: new Int32Array(3), potentialEnergy_eV: -1.25 - step, kineticEnergy_eV: 0.5, totalEnergy_eV: -0.75 - step,
    temperature_K: 123.456789, virial: new Float64Array(9), pressure_bar: step === 3 ? NaN : 12.5,
    state: () => { throw new Error('not needed'); },
  };
}

describe('thermo log', () => {
  it('prints an aligned table and writes exact CSV rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-thermo-'));
    const lines: string[] = [];
    const log = createThermoLog({ every: 1, csvPath: join(dir, 't.csv'), print: (l) => lines.push(l) });
    for (const s of [0, 1, 2, 3]) log.observe(frame(s));
    log.close?.();
    expect(lines[0]).toBe(thermoTableHeader());
    expect(new Set(lines.map((l) => l.length)).size).toBe(1); // every row as wide as the header
    expect(lines[4]).toMatch(/\s3\s+6\.00\s+-4\.250000\s+0\.500000\s+-3\.750000\s+123\.457\s+NaN$/);
    expect(readFileSync(join(dir, 't.csv'), 'utf8').split('\n')[2]).toBe('1,2,-2.25,0.5,-1.75,123.456789,12.5');
  });

  it('on restart keeps rows through the checkpoint step, drops later ones and a row cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-thermo-'));
    const path = join(dir, 't.csv');
    const first = createThermoLog({ every: 1, csvPath: path });
    for (const s of [0, 1, 2, 3, 4]) first.observe(frame(s));
    first.close?.();
    writeFileSync(path, `${readFileSync(path, 'utf8')}5,10,-6.2`); // killed mid-row
    const again = createThermoLog({ every: 1, csvPath: path, keepThroughStep: 2 });
    again.observe(frame(3));
    again.close?.();
    const steps = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    expect(steps).toEqual([0, 1, 2, 3]);
  });

  it('extxyz trajectory on restart drops frames past the step and a frame cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e3md-traj-'));
    const path = join(dir, 't.xyz');
    const first = createExtxyzTrajectory({ path, every: 1 });
    for (const s of [0, 1, 2, 3]) first.observe(frame(s));
    first.close?.();
    writeFileSync(path, `${readFileSync(path, 'utf8')}1\nProperties=species:S:1:pos:R:3 step=4\n`); // killed before the atom line
    const again = createExtxyzTrajectory({ path, every: 1, keepThroughStep: 1 });
    again.observe(frame(2));
    again.close?.();
    expect(readExtxyz(path).map((f) => f.info.get('step'))).toEqual([0, 1, 2]);
  });
});
