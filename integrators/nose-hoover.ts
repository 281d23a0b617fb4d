/**
 * Nosé–Hoover chain NVT dynamics (Martyna, Klein & Tuckerman, J. Chem. Phys. 97, 2635 (1992)),
 * integrated by the time-reversible factorisation of Martyna, Tuckerman, Tobias & Klein, Mol. Phys.
 * 87, 1117 (1996), eq. 37 with the barostat removed:
 * C(dt/2) B(dt/2) A(dt) [forces] B(dt/2) C(dt/2), C the thermostat chain (thermostat-chain.ts)
 * scaling all velocities at once. Deterministic; the extended energy
 * PE + KE + Σ ½ Q v_ξ² + N_f kT ξ_1 + kT Σ ξ_k is conserved, which measures the integration error.
 */
import type { Integrator, System } from '../engine/index.js';
import { degreesOfFreedom, kineticEnergy } from '../engine/index.js';
import { checkMasses, checkTimestep, drift, kick, scaleVelocities } from './half-steps.js';
import { createThermostatChain, type ThermostatChain } from './thermostat-chain.js';

/** Options of Nosé–Hoover chain NVT (input.json `"kind": "nose-hoover"`). */
export interface NoseHooverOptions {
  /** Time step, fs (> 0). */
  timestep_fs: number;
  /** Bath temperature, K (> 0). */
  temperature_K: number;
  /** Thermostat period τ, fs (> 0); LAMMPS's Tdamp. About 100 time steps is a good start. */
  tdamp_fs: number;
  /** Thermostats in the chain (≥ 1; default 3). 1 is plain Nosé–Hoover, which is not ergodic for stiff systems. */
  chain?: number;
}

/**
 * A Nosé–Hoover chain integrator (canonical ensemble at `temperature_K`; conserves total momentum,
 * so the temperature counts 3N − 3 degrees of freedom — start from velocities with zero total momentum).
 *
 * @example
 * const integrator = noseHoover({ timestep_fs: 1, temperature_K: 300, tdamp_fs: 100, chain: 3 });
 */
export function noseHoover(options: NoseHooverOptions): Integrator {
  const { timestep_fs: dt, temperature_K, tdamp_fs } = options;
  const length = options.chain ?? 3;
  checkTimestep(dt, 'nose-hoover');
  if (!(temperature_K > 0) || !Number.isFinite(temperature_K)) throw new Error(`nose-hoover: temperature_K must be > 0 (a chain has no zero-temperature limit), got ${temperature_K}`);
  if (!(tdamp_fs > 0) || !Number.isFinite(tdamp_fs)) throw new Error(`nose-hoover: tdamp_fs must be a positive number, got ${tdamp_fs}`);
  if (!Number.isInteger(length) || length < 1) throw new Error(`nose-hoover: chain must be a positive integer, got ${length}`);
  const halfDt = 0.5 * dt;
  let chain: ThermostatChain | null = null;
  const initialized = (): ThermostatChain => {
    if (!chain) throw new Error('nose-hoover: init(system) must come first');
    return chain;
  };
  const thermostat = (system: System): void => {
    scaleVelocities(system, chain!.propagate(2 * kineticEnergy(system), halfDt));
  };
  return {
    name: 'nose-hoover',
    timestep_fs: dt,
    conservesMomentum: true,
    changesCell: false,
    init(system) {
      checkMasses(system, 'nose-hoover');
      chain = createThermostatChain({ length, dof: degreesOfFreedom(system.n, true), temperature_K, tdamp_fs });
    },
    step(system, computeForces) {
      thermostat(system);
      kick(system, halfDt);
      drift(system, dt);
      const forces = computeForces();
      const finish = (): void => {
        kick(system, halfDt);
        thermostat(system);
      };
      if (forces) return forces.then(finish);
      finish();
    },
    extendedEnergy: () => initialized().energy(),
    saveState() {
      const variables: Record<string, number[]> = {};
      initialized().save(variables, 'thermostat');
      return { rng: null, variables };
    },
    restoreState(state) {
      if (state.rng !== null) throw new Error('nose-hoover: the saved state has a random-number state; it comes from a stochastic integrator');
      initialized().restore(state.variables, 'thermostat', 'nose-hoover');
    },
  };
}
