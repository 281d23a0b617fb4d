/**
 * examples/water-nequip: its input.json passes the input checks, its model follows the
 * contract, and a few steps of Langevin MD on the 192-atom box run with the onnx potential.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random.js';
import { createSimulation } from '../../engine/simulation.js';
import { langevin, maxwellBoltzmann } from '../../integrators/index.js';
import { loadRunSpec, readExtxyz, systemOfFrame } from '../../io/index.js';
import { createOnnxPotential } from '../../potentials/onnx-potential.js';

describe('examples/water-nequip', () => {
  it('runs Langevin MD on 64 water molecules with the shipped ONNX NequIP', async () => {
    const spec = loadRunSpec('examples/water-nequip/input.json');
    expect(spec.potential.kind).toBe('onnx');
    if (spec.potential.kind !== 'onnx' || spec.integrator?.kind !== 'langevin') throw new Error('unexpected example');
    const system = systemOfFrame(readExtxyz(spec.structure)[0]!, spec.structure);
    expect(system.n).toBe(192);
    const potential = await createOnnxPotential({ model: spec.potential.model, typeNames: system.typeNames, device: 'cpu' });
    expect(potential.metadata.architecture).toBe('nequip');
    maxwellBoltzmann(system, 300, new Rng(42));
    const temps: number[] = [];
    const sim = createSimulation({
      system, potential,
      integrator: langevin({ timestep_fs: spec.integrator.timestep_fs, temperature_K: 300, friction_per_ps: spec.integrator.friction_per_ps, seed: 1 }),
      neighbor: { skin_A: spec.neighbor.skin_A },
      observers: [{ every: 1, observe: (f) => { temps.push(f.temperature_K); expect(Number.isFinite(f.potentialEnergy_eV)).toBe(true); } }],
    });
    await sim.run(10);
    await sim.close();
    await potential.dispose!();
    expect(temps).toHaveLength(11);
    expect(temps[10]!).toBeGreaterThan(100);
    expect(temps[10]!).toBeLessThan(1000);
    expect(potential.lastEdgeCount).toBeGreaterThan(192 * 20); // ~30 neighbours within 4 Å in liquid water
  });
});
