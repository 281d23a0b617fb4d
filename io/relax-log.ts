/**
 * The relaxation log of `e3md relax`: an aligned table for people and a CSV for programs, one row
 * per logged optimiser step (step 0, every `every` steps, and the last step).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { eV_per_A3_in_bar, massDensity, type System } from '../engine/index.js';

/** What one relaxation step reports (optimize/'s RelaxStep). */
export interface RelaxLogRow {
  step: number;
  /** Potential energy, eV. */
  energy_eV: number;
  /** E + P V, eV (the minimised quantity of a cell relaxation). */
  enthalpy_eV: number;
  /** Largest atomic force, eV/Å. */
  fmax_eV_A: number;
  /** The cell's residual force per atom, eV (NaN without the cell). */
  cellForce_eV: number;
  /** Configurational pressure, bar (NaN without a volume). */
  pressure_bar: number;
  system: System;
}

interface Column { csv: string; label?: string; width: number; digits: number; value: (r: RelaxLogRow) => number }

const ATOMS: readonly Column[] = [
  { csv: 'step', label: 'step', width: 8, digits: 0, value: (r) => r.step },
  { csv: 'energy_eV', label: 'E/eV', width: 20, digits: 8, value: (r) => r.energy_eV },
  { csv: 'fmax_eV_A', label: 'fmax/(eV/A)', width: 14, digits: 6, value: (r) => r.fmax_eV_A },
];
const PRESSURE: Column = { csv: 'pressure_bar', label: 'P/bar', width: 13, digits: 2, value: (r) => r.pressure_bar };
const CELL: readonly Column[] = [
  { csv: 'enthalpy_eV', label: 'H/eV', width: 20, digits: 8, value: (r) => r.enthalpy_eV },
  { csv: 'cell_force_eV', label: 'fcell/eV', width: 12, digits: 6, value: (r) => r.cellForce_eV },
  { csv: 'volume_A3', label: 'V/A^3', width: 14, digits: 3, value: (r) => r.system.box.volume },
  { csv: 'density_g_cm3', width: 0, digits: 0, value: (r) => massDensity(r.system) },
  { csv: 'a_A', width: 0, digits: 0, value: (r) => r.system.box.cellParameters().a_A },
  { csv: 'b_A', width: 0, digits: 0, value: (r) => r.system.box.cellParameters().b_A },
  { csv: 'c_A', width: 0, digits: 0, value: (r) => r.system.box.cellParameters().c_A },
  { csv: 'alpha_deg', width: 0, digits: 0, value: (r) => r.system.box.cellParameters().alpha_deg },
  { csv: 'beta_deg', width: 0, digits: 0, value: (r) => r.system.box.cellParameters().beta_deg },
  { csv: 'gamma_deg', width: 0, digits: 0, value: (r) => r.system.box.cellParameters().gamma_deg },
];

/** Columns of a relaxation log: step, energy_eV, fmax_eV_A, then pressure_bar (periodic), then the cell's (cell relaxation). */
export function relaxLogColumns(options: { periodic: boolean; cell: boolean }): string[] {
  return columnsOf(options).map((c) => c.csv);
}

function columnsOf(o: { periodic: boolean; cell: boolean }): Column[] {
  return [...ATOMS, ...(o.periodic || o.cell ? [PRESSURE] : []), ...(o.cell ? CELL : [])];
}

/** Where the relaxation log goes. */
export interface RelaxLogOptions {
  /** Log step 0, every this many steps, and the last one. */
  every: number;
  /** CSV file (created or truncated); none when absent. */
  csvPath?: string;
  /** Receives each table line, header first; no table when absent. */
  print?: (line: string) => void;
  /** A periodic system (pressure column). */
  periodic: boolean;
  /** A cell relaxation (enthalpy, cell force, volume and lattice parameters). */
  cell: boolean;
}

/** A relaxation log: `row` for every step (it keeps the ones it is told to), `close` at the end. */
export interface RelaxLog {
  row(r: RelaxLogRow, last: boolean): void;
  close(): void;
}

/**
 * Makes a relaxation log; opens the CSV at once (call after the input is validated).
 *
 * @example
 * const log = createRelaxLog({ every: 10, csvPath: 'relax.csv', print: console.log, periodic: true, cell: false });
 */
export function createRelaxLog(options: RelaxLogOptions): RelaxLog {
  const columns = columnsOf(options);
  let fd: number | null = null;
  if (options.csvPath !== undefined) {
    fd = openSync(options.csvPath, 'w');
    writeSync(fd, `${columns.map((c) => c.csv).join(',')}\n`);
  }
  const table = columns.filter((c) => c.label);
  let printed = false;
  return {
    row(r, last) {
      if (r.step % options.every !== 0 && !last) return;
      if (options.print) {
        if (!printed) options.print(table.map((c) => c.label!.padStart(c.width)).join(''));
        printed = true;
        options.print(table.map((c) => { const v = c.value(r); return (Number.isFinite(v) ? v.toFixed(c.digits) : 'n/a').padStart(c.width); }).join(''));
      }
      if (fd !== null) writeSync(fd, `${columns.map((c) => String(c.value(r))).join(',')}\n`);
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** The stress deviation behind a cell force, in bar: fcell · N / V (for reports). */
export function cellForceToBar(cellForce_eV: number, n: number, volume_A3: number): number {
  return ((cellForce_eV * n) / volume_A3) * eV_per_A3_in_bar;
}
