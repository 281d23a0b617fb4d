/**
 * Stochastic cell rescaling (Bernetti & Bussi, J. Chem. Phys. 153, 114107 (2020)): a first-order
 * barostat, as quick to equilibrate as Berendsen's but with the noise that makes the volume
 * distribution that of the isothermal–isobaric ensemble. The strain ε = ln(V/V₀) follows (eq. 5,
 * in Itô form)
 *
 *   dε = −(β_T/τ_p) (P_ext − P_int) dt + √(2 kT β_T / (V τ_p)) dW,
 *
 * P_int = (Tr K + Tr W) / 3V the instantaneous pressure, β_T an estimate of the isothermal
 * compressibility (it sets only the speed), and positions scale by e^{Δε/3}, velocities by e^{−Δε/3}.
 * It is overdamped Langevin dynamics of ε at fixed scaled coordinates and momenta, where the NPT
 * distribution is ∝ V e^{−β(H + P_ext V)} dε; the Jacobian's kT/V and the Itô drift of the
 * V-dependent noise cancel, leaving the drift above. `aniso` applies the same equation to each
 * Cartesian axis (ε_a = ln L_a, P_int → P_aa), derived the same way; the fully flexible cell (`tri`)
 * needs the later anisotropic formulation and is left to MTK.
 *
 * Temperature: a Nosé–Hoover chain on the particles. Step:
 * C(dt/2) B(dt/2) R(dt) A(dt) [forces] B(dt/2) C(dt/2), R the rescaling, taken where the virial of
 * the last force evaluation still belongs to the positions.
 */
import { Rng, type Integrator, type System, degreesOfFreedom, kineticTensor, kB_eV_per_K, type ForceOutput, eV_per_A3_in_bar } from '../engine/index.js';
import { barToEvPerA3, checkBarostattable, checkNptOptions, type NptOptions } from './barostat.js';
import { checkMasses, drift, kick, scaleVelocities } from './half-steps.js';
import { createThermostatChain, type ThermostatChain } from './thermostat-chain.js';

/** Options of stochastic cell rescaling (input.json `"kind": "npt", "barostat": "c-rescale"`). */
export interface CRescaleOptions extends NptOptions {
  /** Isothermal compressibility estimate β_T, 1/bar (> 0; default 4.5e-5, water's, as GROMACS). */
  compressibility_per_bar?: number;
  /** Seed of the barostat's noise. */
  seed: number;
  /** Thermostats in the particles' chain; default 3. */
  chain?: number;
}

/**
 * A stochastic-cell-rescaling NPT integrator (`couple` iso or aniso). Needs a cell periodic in all
 * three directions.
 *
 * @example
 * const integrator = nptCRescale({ timestep_fs: 1, temperature_K: 300, pressure_bar: 1, tdamp_fs: 100, pdamp_fs: 1000, seed: 1 });
 */
export function nptCRescale(options: CRescaleOptions): Integrator {
  checkNptOptions(options, 'npt (c-rescale)');
  const { timestep_fs: dt, temperature_K, tdamp_fs, pdamp_fs, seed } = options;
  const couple = options.couple ?? 'iso';
  if (couple === 'tri') throw new Error('npt (c-rescale): couple "tri" (a fully flexible cell) is not available with stochastic cell rescaling; use couple "aniso", or barostat "mtk"');
  const beta_per_bar = options.compressibility_per_bar ?? 4.5e-5;
  if (!(beta_per_bar > 0) || !Number.isFinite(beta_per_bar)) throw new Error(`npt (c-rescale): compressibility_per_bar must be a positive number, got ${beta_per_bar}`);
  const length = options.chain ?? 3;
  if (!Number.isInteger(length) || length < 1) throw new Error(`npt (c-rescale): chain must be a positive integer, got ${length}`);
  let rng = new Rng(seed);
  const pExt = barToEvPerA3(options.pressure_bar);
  const kT = kB_eV_per_K * temperature_K;
  const beta = beta_per_bar * eV_per_A3_in_bar; // Å³/eV
  const mobility = (beta * dt) / pdamp_fs; // β_T dt / τ_p, Å³/eV
  const halfDt = 0.5 * dt;
  let forces: Readonly<ForceOutput> | null = null;
  let particles: ThermostatChain | null = null;
  const k2 = new Float64Array(9), scale = new Float64Array(3), cell = new Float64Array(9);

  function initialized(): ThermostatChain {
    if (!particles) throw new Error('npt (c-rescale): init(system) must come first');
    return particles;
  }
  const thermostat = (system: System): void => {
    kineticTensor(system, k2);
    scaleVelocities(system, particles!.propagate(k2[0] + k2[4] + k2[8], halfDt));
  };

  /** R(dt): one Euler–Maruyama step of the strain(s), then positions, velocities and cell rescaled. */
  function rescale(system: System): void {
    const w = forces!.virial, volume = system.box.volume;
    kineticTensor(system, k2);
    const noise = Math.sqrt((2 * kT * mobility) / volume);
    if (couple === 'iso') {
      const pInt = (k2[0] + k2[4] + k2[8] + w[0] + w[4] + w[8]) / (3 * volume);
      const strain = -mobility * (pExt - pInt) + noise * rng.normal();
      scale.fill(Math.exp(strain / 3));
    } else {
      for (let a = 0; a < 3; a++) {
        const pInt = (k2[4 * a] + w[4 * a]) / volume;
        scale[a] = Math.exp(-mobility * (pExt - pInt) + noise * rng.normal());
      }
    }
    const x = system.positions, v = system.velocities;
    for (let i = 0; i < x.length; i += 3) {
      for (let a = 0; a < 3; a++) {
        x[i + a] *= scale[a];
        v[i + a] /= scale[a];
      }
    }
    const c = system.box.cell;
    for (let r = 0; r < 3; r++) for (let a = 0; a < 3; a++) cell[3 * r + a] = c[3 * r + a] * scale[a];
    system.box = system.box.withCell(cell);
  }

  return {
    name: 'npt-c-rescale',
    timestep_fs: dt,
    conservesMomentum: true,
    changesCell: true,
    init(system, output) {
      checkMasses(system, 'npt (c-rescale)');
      checkBarostattable(system, 'npt (c-rescale)');
      forces = output;
      particles = createThermostatChain({ length, dof: degreesOfFreedom(system.n, true), temperature_K, tdamp_fs });
    },
    step(system, computeForces) {
      thermostat(system);
      kick(system, halfDt);
      rescale(system);
      drift(system, dt);
      const pending = computeForces();
      const finish = (): void => {
        kick(system, halfDt);
        thermostat(system);
      };
      if (pending) return pending.then(finish);
      finish();
    },
    saveState() {
      const variables: Record<string, number[]> = {};
      initialized().save(variables, 'thermostat');
      return { rng: rng.state(), variables };
    },
    restoreState(state) {
      if (state.rng === null) throw new Error('npt (c-rescale): the saved state has no random-number state');
      initialized().restore(state.variables, 'thermostat', 'npt (c-rescale)');
      rng = Rng.fromState(state.rng);
    },
  };
}
