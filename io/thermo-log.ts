/**
 * The thermo log observer: an aligned table for people (stdout) and a CSV for programs, with the
 * DESIGN.md §4 columns in order, then pressure.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Frame, Observer } from '../engine/index.js';
import { truncateForAppend } from './append.js';
import { InputError } from './errors.js';

/** CSV header columns: DESIGN.md §4's fixed six, then pressure_bar. */
export const THERMO_COLUMNS = [
  'step', 'time_fs', 'potential_energy_eV', 'kinetic_energy_eV', 'total_energy_eV', 'temperature_K', 'pressure_bar',
] as const;

/** Table layout: header label, width, and how to print the value. */
const TABLE: { label: string; width: number; format: (f: Frame) => string }[] = [
  { label: 'step', width: 10, format: (f) => String(f.step) },
  { label: 'time/fs', width: 12, format: (f) => fixed(f.time_fs, 2) },
  { label: 'PE/eV', width: 16, format: (f) => fixed(f.potentialEnergy_eV, 6) },
  { label: 'KE/eV', width: 14, format: (f) => fixed(f.kineticEnergy_eV, 6) },
  { label: 'E/eV', width: 16, format: (f) => fixed(f.totalEnergy_eV, 6) },
  { label: 'T/K', width: 11, format: (f) => fixed(f.temperature_K, 3) },
  { label: 'P/bar', width: 13, format: (f) => fixed(f.pressure_bar, 2) },
];

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/** The aligned table header line. */
export function thermoTableHeader(): string {
  return TABLE.map((c) => c.label.padStart(c.width)).join('');
}

/** One aligned table row for a frame. */
export function thermoTableRow(f: Frame): string {
  return TABLE.map((c) => c.format(f).padStart(c.width)).join('');
}

/** One CSV row (numbers in shortest round-trip form, so the CSV holds exact float64 values). */
export function thermoCsvRow(f: Frame): string {
  return [f.step, f.time_fs, f.potentialEnergy_eV, f.kineticEnergy_eV, f.totalEnergy_eV, f.temperature_K, f.pressure_bar].map(String).join(',');
}

/** Where the thermo log goes. */
export interface ThermoLogOptions {
  /** Log at step 0 and every this many steps. */
  every: number;
  /** CSV file; none when absent. */
  csvPath?: string;
  /** Receives each table line (header first); no table when absent (e.g. `--quiet`). */
  print?: (line: string) => void;
  /**
   * Continue a restarted run: keep the CSV's rows up to and including this step, drop later ones,
   * and append. Without it the CSV is created or truncated.
   */
  keepThroughStep?: number;
}

/**
 * A thermo observer. The CSV is opened when the observer is made (call this only after the
 * input is fully validated) and every row is written at once, so a killed run keeps its rows.
 *
 * @example
 * const thermo = createThermoLog({ every: 10, csvPath: 'thermo.csv', print: (l) => console.log(l) });
 * createSimulation({ system, potential, integrator, observers: [thermo] });
 */
export function createThermoLog(options: ThermoLogOptions): Observer {
  const header = THERMO_COLUMNS.join(',');
  let fd: number | null = null;
  if (options.csvPath !== undefined) fd = openCsv(options.csvPath, header, options.keepThroughStep);
  let printedHeader = false;
  const write = (f: Frame): void => {
    if (options.print) {
      if (!printedHeader) options.print(thermoTableHeader());
      printedHeader = true;
      options.print(thermoTableRow(f));
    }
    if (fd !== null) writeSync(fd, `${thermoCsvRow(f)}\n`);
  };
  return {
    every: options.every,
    observe: write,
    flush: write,
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Opens the CSV for appending: fresh with a header, or (restart) cut after the row of `keepThroughStep`. */
function openCsv(path: string, header: string, keepThroughStep: number | undefined): number {
  if (keepThroughStep === undefined || !existsSync(path)) {
    const fd = openSync(path, 'w');
    writeSync(fd, `${header}\n`);
    return fd;
  }
  return truncateForAppend(path, thermoCsvKeepBytes(path, keepThroughStep));
}

/**
 * For a restart: the length in bytes of the part of an existing thermo CSV to keep (header and
 * rows up to and including `keepThroughStep`; a row cut short by a kill is dropped). Reads only.
 *
 * @throws InputError when the file is not an e3md thermo CSV.
 */
export function thermoCsvKeepBytes(path: string, keepThroughStep: number): number {
  const header = THERMO_COLUMNS.join(',');
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[0] !== header) throw new InputError(`has a different header than e3md's thermo CSV ("${lines[0].slice(0, 60)}"); move it away to restart`, { file: path });
  let keepBytes = Buffer.byteLength(`${header}\n`);
  for (let k = 1; k < lines.length - 1; k++) { // text after the last newline is a row cut short
    const line = lines[k];
    const step = Number(line.slice(0, line.indexOf(',')));
    if (!Number.isInteger(step) || step > keepThroughStep) break;
    keepBytes += Buffer.byteLength(`${line}\n`);
  }
  return keepBytes;
}
