/**
 * NequIP (2 message-passing layers) in LAMMPS on 2 ranks: 100 NVE steps follow the 1-rank
 * trajectory. Slow because each rank's graph holds ghosts out to 2 r_max + skin (comm_modify
 * cutoff), ten times its owned atoms in this small box. Skipped, loudly, without LAMMPS or mpirun.
 */
import { describe, it } from 'vitest';
import { createScenario, noMpi, unavailable } from './scenario.js';
import { expectSameTrajectory } from './trajectory.js';

const scenario = createScenario({ triclinic: { singlePoints: false, nve: ['nequip'] } });

describe.skipIf(unavailable !== null || noMpi)('pair_style e3md in LAMMPS, NequIP', () => {
  it('nequip: a 100-step NVE run on 2 ranks follows the 1-rank trajectory to 1e-8 Å', async () => {
    await Promise.all([scenario.launch('triclinic', 1), scenario.launch('triclinic', 2)]);
    expectSameTrajectory(scenario, 'nequip');
  }, 600_000);
});
