/**
 * A test potential with a known answer: every atom sits in its own isotropic harmonic well,
 * E = Σ ½ k |x − x₀|². Independent of neighbors, so integrators can be checked against exact solutions.
 */
import type { NeighborList } from '../../engine/neighbor-list.js';
import type { System } from '../../engine/system.js';
import type { ForceOutput, Potential } from '../../engine/potential.js';

/** Harmonic wells of stiffness `k_eV_per_A2` around `centers` ([N,3], Å). `async` makes compute return a promise. */
export function harmonicWells(k_eV_per_A2: number, centers: Float64Array, options: { async?: boolean } = {}): Potential {
  const compute = (system: System, _list: NeighborList, out: ForceOutput): void => {
    const x = system.positions, f = out.forces;
    let e = 0;
    out.virial.fill(0);
    for (let k = 0; k < x.length; k++) {
      const d = x[k] - centers[k];
      e += 0.5 * k_eV_per_A2 * d * d;
      f[k] = -k_eV_per_A2 * d;
    }
    out.energy_eV = e;
  };
  return {
    name: 'harmonic-wells',
    cutoff_A: 1,
    neighborKind: 'half',
    compute: options.async ? (s, l, o) => Promise.resolve().then(() => compute(s, l, o)) : compute,
  };
}
