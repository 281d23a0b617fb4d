import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readDumpRows } from '../../bench/lammps-run.js';
import type { createScenario, ModelName } from './scenario.js';

/** The 1-rank and 2-rank NVE runs of `model` on the triclinic box end at the same unwrapped positions (1e-8 Å), after real motion. */
export function expectSameTrajectory(scenario: ReturnType<typeof createScenario>, model: ModelName): void {
  const one = readDumpRows(readFileSync(join(scenario.dir, `nve-${model}-1.dump`), 'utf8'));
  const two = readDumpRows(readFileSync(join(scenario.dir, `nve-${model}-2.dump`), 'utf8'));
  const x0 = scenario.systems.triclinic.positions;
  expect(one.length).toBe(scenario.systems.triclinic.n);
  expect(two.length).toBe(one.length);
  let moved = 0, apart = 0;
  one.forEach((row, i) => {
    for (let k = 0; k < 3; k++) {
      moved = Math.max(moved, Math.abs(row[1 + k]! - x0[3 * i + k]!));
      apart = Math.max(apart, Math.abs(row[1 + k]! - two[i]![1 + k]!));
    }
  });
  expect(moved).toBeGreaterThan(0.02); // the atoms did move: 50 fs from 300 K
  expect(apart).toBeLessThan(1e-8);
}
