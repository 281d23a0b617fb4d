/**
 * What the two NPT schemes (npt-mtk.ts, npt-c-rescale.ts) share: their options, which cell
 * deformations `couple` allows, and the checks a barostatted system must pass.
 */
import { type System, eV_per_A3_in_bar } from '../engine/index.js';

/**
 * Which deformations of the cell the barostat drives: `iso` one common scaling of all three axes
 * (volume only), `aniso` the three Cartesian axes independently (shape of an orthorhombic cell),
 * `tri` additionally the three shears xy, xz, yz (a fully flexible cell, as LAMMPS's `tri`).
 */
export type Couple = 'iso' | 'aniso' | 'tri';

/** Options common to both NPT integrators (input.json `"kind": "npt"`). */
export interface NptOptions {
  /** Time step, fs (> 0). */
  timestep_fs: number;
  /** Bath temperature, K (> 0). */
  temperature_K: number;
  /** Target (hydrostatic) pressure, bar. */
  pressure_bar: number;
  /** Thermostat period of the particles' Nosé–Hoover chain, fs (> 0); LAMMPS's Tdamp. */
  tdamp_fs: number;
  /** Barostat period, fs (> 0): LAMMPS's Pdamp (MTK), or the relaxation time τ_p (c-rescale). */
  pdamp_fs: number;
  /** Cell degrees of freedom (default `iso`). */
  couple?: Couple;
}

/** Checks the shared NPT options; throws `${who}: <key> …`. */
export function checkNptOptions(o: NptOptions, who: string): void {
  const positive = (name: keyof NptOptions): void => {
    const v = o[name] as number;
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${who}: ${name} must be a positive number, got ${v}`);
  };
  positive('timestep_fs');
  positive('temperature_K');
  positive('tdamp_fs');
  positive('pdamp_fs');
  if (!Number.isFinite(o.pressure_bar)) throw new Error(`${who}: pressure_bar must be a finite number, got ${o.pressure_bar}`);
  if (o.couple !== undefined && o.couple !== 'iso' && o.couple !== 'aniso' && o.couple !== 'tri') throw new Error(`${who}: couple must be iso, aniso or tri, got ${String(o.couple)}`);
}

/** Throws unless the system is bulk: periodic along a, b and c with a non-degenerate cell. */
export function checkBarostattable(system: System, who: string): void {
  const box = system.box;
  if (!box.isPeriodic || !(box.volume > 0)) {
    const pbc = box.pbc.map((p) => (p ? 'T' : 'F')).join(' ');
    throw new Error(`${who}: a barostat needs a cell periodic along a, b and c, but the structure has pbc="${pbc}"${box.volume > 0 ? '' : ' and no cell'}; use nose-hoover or langevin for a cluster`);
  }
}

/** Pressure in bar → eV/Å³. */
export function barToEvPerA3(p_bar: number): number {
  return p_bar / eV_per_A3_in_bar;
}
