/**
 * Isothermal–isobaric dynamics of Martyna, Tobias & Klein, J. Chem. Phys. 101, 4177 (1994) (MTK;
 * iso: eqs. 2.9; flexible cell: §II.B), with Nosé–Hoover chains on the particles and on the
 * barostat (Martyna, Tuckerman, Tobias & Klein, Mol. Phys. 87, 1117 (1996), eqs. 2.19–2.27), as
 * LAMMPS's `fix npt` (Shinoda, Shiga & Mikami, Phys. Rev. B 69, 134103 (2004)) integrates them.
 *
 * Rows are vectors (DESIGN.md §3). The cell velocity gradient G = Σ_k (p_k / W_k) B_k is spanned by
 * the `couple` modes B_k: the identity (iso), the three diagonal units (aniso), plus the lower
 * triangle xy, xz, yz (tri; with rows as vectors, a lower-triangular G keeps a LAMMPS-form cell in
 * that form and leaves out rigid rotations). The equations of motion are
 *
 *   ẋ = v + x G,  v̇ = F/m − v (G + Tr G / N_f),  Ḣ = H G,
 *   ṗ_k = B_k : [K + W − V P_ext 1 + (Tr K / N_f) 1],   K = Σ m v⊗v, W the virial,
 *
 * and they conserve PE + KE + Σ p_k² / 2W_k + P_ext V (+ the chains' energies). The step is the
 * palindrome of Tuckerman et al., J. Phys. A 39, 5629 (2006), eq. 2.13 and §3:
 * chains(dt/2) · cell kick(dt/2) · particle kick(dt/2) · drift(dt) [forces] · particle kick(dt/2) ·
 * cell kick(dt/2) · chains(dt/2), where a particle kick is exp(−A dt/4) · B(dt/2) · exp(−A dt/4),
 * A = G + (Tr G/N_f) 1, and the drift is exp(G dt/2) · A(dt) · exp(G dt/2) with the cell carried
 * by exp(G dt): each piece an exact flow, composed symmetrically, so the Jacobian (the phase-space
 * measure MTK's ensemble needs) is that of the exact dynamics.
 *
 * Masses as MTK recommend (W = (N_f + d) kT τ_p² for iso) and LAMMPS uses (≈ (N+1) kT τ_p² per
 * cell component): W_k = (N_f + 3)/3 · kT τ_p² per component mode, 3× that for the iso mode.
 */
import { type Integrator, type System, degreesOfFreedom, kineticTensor, kB_eV_per_K, type ForceOutput } from '../engine/index.js';
import { barToEvPerA3, checkBarostattable, checkNptOptions, type Couple, type NptOptions } from './barostat.js';
import { checkMasses, kick } from './half-steps.js';
import { expm3, isDiagonal3, mul3, rowsTimesInPlace } from './mat3.js';
import { createThermostatChain, type ThermostatChain } from './thermostat-chain.js';

/** Options of MTK NPT (input.json `"kind": "npt", "barostat": "mtk"`). */
export interface MtkOptions extends NptOptions {
  /** Thermostats in each of the two chains (particles, barostat); default 3. */
  chain?: number;
}

/** Matrix entry (row-major index) that each cell mode drives, per coupling; iso drives 0, 4 and 8 together. */
const MODES: Record<Couple, readonly (readonly number[])[]> = {
  iso: [[0, 4, 8]],
  aniso: [[0], [4], [8]],
  tri: [[0], [4], [8], [3], [6], [7]], // xx, yy, zz, then G[1][0] (xy), G[2][0] (xz), G[2][1] (yz)
};

/**
 * An MTK NPT integrator with Nosé–Hoover chains. Needs a cell periodic in all three directions.
 *
 * @example
 * const integrator = nptMtk({ timestep_fs: 2, temperature_K: 94.4, pressure_bar: 1, tdamp_fs: 200, pdamp_fs: 2000, couple: 'iso' });
 */
export function nptMtk(options: MtkOptions): Integrator {
  checkNptOptions(options, 'npt (mtk)');
  const { timestep_fs: dt, temperature_K, tdamp_fs, pdamp_fs } = options;
  const couple = options.couple ?? 'iso';
  const length = options.chain ?? 3;
  if (!Number.isInteger(length) || length < 1) throw new Error(`npt (mtk): chain must be a positive integer, got ${length}`);
  const modes = MODES[couple];
  const nModes = modes.length;
  const pExt = barToEvPerA3(options.pressure_bar);
  const kT = kB_eV_per_K * temperature_K;
  const halfDt = 0.5 * dt;

  // Sized by init:
  let dof = 0;
  let forces: Readonly<ForceOutput> | null = null;
  let particles: ThermostatChain | null = null;
  let barostat: ThermostatChain | null = null;
  const mass = new Float64Array(nModes); // W_k, eV fs²
  const p = new Float64Array(nModes); // p_k, eV fs
  // Scratch, reused every step.
  const k2 = new Float64Array(9), g = new Float64Array(9), a = new Float64Array(9);
  const expVel = new Float64Array(9), expPos = new Float64Array(9), cellMap = new Float64Array(9), cell = new Float64Array(9);

  function initialized(): ThermostatChain {
    if (!particles) throw new Error('npt (mtk): init(system) must come first');
    return particles;
  }

  /** Σ p_k² / W_k, eV (twice the barostat's kinetic energy). */
  const barostatTwoKinetic = (): number => {
    let s = 0;
    for (let k = 0; k < nModes; k++) s += (p[k] * p[k]) / mass[k];
    return s;
  };

  /** The chains, barostat's outside the particles' (dt/2 each). */
  function chainsOuter(system: System): void {
    const sb = barostat!.propagate(barostatTwoKinetic(), halfDt);
    for (let k = 0; k < nModes; k++) p[k] *= sb;
    scaleAll(system.velocities, particles!.propagate(trace(kineticTensor(system, k2)), halfDt));
  }
  function chainsInner(system: System): void {
    scaleAll(system.velocities, particles!.propagate(trace(kineticTensor(system, k2)), halfDt));
    const sb = barostat!.propagate(barostatTwoKinetic(), halfDt);
    for (let k = 0; k < nModes; k++) p[k] *= sb;
  }

  /** ṗ_k over dt/2 from the current velocities, virial and volume; then G, exp(−A dt/4) and exp(G dt/2). */
  function cellKick(system: System): void {
    const w = forces!.virial, volume = system.box.volume;
    kineticTensor(system, k2);
    const twoK = trace(k2);
    for (let k = 0; k < nModes; k++) {
      let f = 0;
      for (const e of modes[k]) {
        f += k2[e] + w[e];
        if (e === 0 || e === 4 || e === 8) f += twoK / dof - volume * pExt;
      }
      p[k] += halfDt * f;
    }
    g.fill(0);
    for (let k = 0; k < nModes; k++) for (const e of modes[k]) g[e] = p[k] / mass[k];
    const trG = g[0] + g[4] + g[8];
    for (let e = 0; e < 9; e++) a[e] = -0.25 * dt * (g[e] + (e === 0 || e === 4 || e === 8 ? trG / dof : 0));
    exponential(a, expVel);
    for (let e = 0; e < 9; e++) a[e] = halfDt * g[e];
    exponential(a, expPos);
  }

  /** v ← v exp(−A dt/4); B(dt/2); v ← v exp(−A dt/4). */
  function particleKick(system: System): void {
    rowsTimesInPlace(system.velocities, expVel);
    kick(system, halfDt);
    rowsTimesInPlace(system.velocities, expVel);
  }

  /** x ← x exp(G dt/2); x += v dt; x ← x exp(G dt/2); H ← H exp(G dt/2)². */
  function driftWithCell(system: System): void {
    const x = system.positions, v = system.velocities;
    rowsTimesInPlace(x, expPos);
    for (let k = 0; k < x.length; k++) x[k] += dt * v[k];
    rowsTimesInPlace(x, expPos);
    mul3(expPos, expPos, cellMap);
    mul3(system.box.cell, cellMap, cell);
    system.box = system.box.withCell(cell);
  }

  return {
    name: 'npt-mtk',
    timestep_fs: dt,
    conservesMomentum: true,
    changesCell: true,
    init(system, output) {
      checkMasses(system, 'npt (mtk)');
      checkBarostattable(system, 'npt (mtk)');
      forces = output;
      dof = degreesOfFreedom(system.n, true);
      const w = ((dof + 3) / 3) * kT * pdamp_fs * pdamp_fs;
      for (let k = 0; k < nModes; k++) mass[k] = w * modes[k].length;
      p.fill(0);
      particles = createThermostatChain({ length, dof, temperature_K, tdamp_fs });
      barostat = createThermostatChain({ length, dof: nModes, temperature_K, tdamp_fs: pdamp_fs });
    },
    step(system, computeForces) {
      chainsOuter(system);
      cellKick(system);
      particleKick(system);
      driftWithCell(system);
      const pending = computeForces();
      const finish = (): void => {
        particleKick(system);
        cellKick(system);
        chainsInner(system);
      };
      if (pending) return pending.then(finish);
      finish();
    },
    extendedEnergy(system) {
      return initialized().energy() + barostat!.energy() + 0.5 * barostatTwoKinetic() + pExt * system.box.volume;
    },
    saveState() {
      const variables: Record<string, number[]> = {};
      initialized().save(variables, 'thermostat');
      barostat!.save(variables, 'barostat_thermostat');
      variables.barostat_p_eV_fs = Array.from(p);
      return { rng: null, variables };
    },
    restoreState(state) {
      if (state.rng !== null) throw new Error('npt (mtk): the saved state has a random-number state; it comes from a stochastic integrator');
      initialized().restore(state.variables, 'thermostat', 'npt (mtk)');
      barostat!.restore(state.variables, 'barostat_thermostat', 'npt (mtk)');
      const saved = Object.prototype.hasOwnProperty.call(state.variables, 'barostat_p_eV_fs') ? state.variables.barostat_p_eV_fs : undefined;
      if (!saved) throw new Error('npt (mtk): the saved state has no "barostat_p_eV_fs"');
      if (saved.length !== nModes) throw new Error(`npt (mtk): the saved barostat has ${saved.length} cell modes, couple "${couple}" has ${nModes}`);
      p.set(saved);
    },
  };
}

function trace(m: Float64Array): number {
  return m[0] + m[4] + m[8];
}

function scaleAll(v: Float64Array, s: number): void {
  for (let k = 0; k < v.length; k++) v[k] *= s;
}

/** exp(m): per entry on the diagonal when m is diagonal (iso, aniso), else the series. */
function exponential(m: Float64Array, out: Float64Array): void {
  if (isDiagonal3(m)) {
    out.fill(0);
    out[0] = Math.exp(m[0]);
    out[4] = Math.exp(m[4]);
    out[8] = Math.exp(m[8]);
  } else expm3(m, out);
}
