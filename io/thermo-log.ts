/**
 * The thermo log observer: an aligned table for people (stdout) and a CSV for programs, with the
 * DESIGN.md §4 columns in order, then pressure.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Frame, Observer } from '../engine/index.js';
import { InputError } from './errors.js';
import { openOutputFile, type OutputFile } from './output-file.js';

/**
 * Every thermo column once, in order (DESIGN.md §4's fixed six, then pressure_bar): its CSV name,
 * its table label, width and decimals, and the frame value.
 */
const COLUMNS = [
  { csv: 'step', label: 'step', width: 10, digits: 0, value: (f: Frame) => f.step },
  { csv: 'time_fs', label: 'time/fs', width: 12, digits: 2, value: (f: Frame) => f.time_fs },
  { csv: 'potential_energy_eV', label: 'PE/eV', width: 16, digits: 6, value: (f: Frame) => f.potentialEnergy_eV },
  { csv: 'kinetic_energy_eV', label: 'KE/eV', width: 14, digits: 6, value: (f: Frame) => f.kineticEnergy_eV },
  { csv: 'total_energy_eV', label: 'E/eV', width: 16, digits: 6, value: (f: Frame) => f.totalEnergy_eV },
  { csv: 'temperature_K', label: 'T/K', width: 11, digits: 3, value: (f: Frame) => f.temperature_K },
  // Pressure needs a volume the system fills: only a box periodic on all three axes has one. A
  // cluster (or slab) has none, even in a vacuum cell: the CSV holds NaN and the table says n/a.
  { csv: 'pressure_bar', label: 'P/bar', width: 13, digits: 2, value: (f: Frame) => (isBulk(f) ? f.pressure_bar : NaN), undefinedFor: (f: Frame) => !isBulk(f) },
] as const satisfies readonly { csv: string; label: string; width: number; digits: number; value: (f: Frame) => number; undefinedFor?: (f: Frame) => boolean }[];

/** CSV header columns: DESIGN.md §4's fixed six, then pressure_bar. */
export const THERMO_COLUMNS = Object.freeze(COLUMNS.map((c) => c.csv));

const CSV_HEADER = THERMO_COLUMNS.join(',');

function isBulk(f: Frame): boolean {
  const box = f.system.box;
  return box.pbc[0] && box.pbc[1] && box.pbc[2] && box.volume > 0;
}

/**
 * A table cell of at most `width − 1` characters, so columns never run together: fixed-point,
 * or exponent form when a value is too large (a blow-up) or too small for that.
 */
function fixed(x: number, digits: number, width: number): string {
  if (!Number.isFinite(x)) return String(x);
  const s = x.toFixed(digits);
  if (s.length < width && (x === 0 || Math.abs(x) >= 10 ** -digits)) return s;
  for (let p = Math.max(0, width - 8); p >= 0; p--) {
    const e = x.toExponential(p);
    if (e.length < width) return e;
  }
  return x.toExponential(0);
}

/** The aligned table header line. */
export function thermoTableHeader(): string {
  return COLUMNS.map((c) => c.label.padStart(c.width)).join('');
}

/** One aligned table row for a frame. */
export function thermoTableRow(f: Frame): string {
  return COLUMNS.map((c) => ('undefinedFor' in c && c.undefinedFor(f) ? 'n/a' : fixed(c.value(f), c.digits, c.width)).padStart(c.width)).join('');
}

/** One CSV row (numbers in shortest round-trip form, so the CSV holds exact float64 values). */
export function thermoCsvRow(f: Frame): string {
  return COLUMNS.map((c) => String(c.value(f))).join(',');
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
   * and append. Without it the CSV is created fresh (under a temporary name until its first row).
   */
  keepThroughStep?: number;
  /** How messages name the CSV (default `csvPath`). */
  displayPath?: string;
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
  let csv: OutputFile | null = null;
  if (options.csvPath !== undefined) csv = openCsv(options.csvPath, options.keepThroughStep, options.displayPath);
  let printedHeader = false;
  const write = (f: Frame): void => {
    if (options.print) {
      if (!printedHeader) options.print(thermoTableHeader());
      printedHeader = true;
      options.print(thermoTableRow(f));
    }
    if (csv !== null) {
      const row = Buffer.from(`${thermoCsvRow(f)}\n`, 'utf8');
      csv.write(row);
      csv.complete(csv.size + row.length);
    }
  };
  return {
    every: options.every,
    observe: write,
    flush: write,
    close() {
      csv?.close();
      csv = null;
    },
  };
}

/** Opens the CSV: fresh with a header, or (restart) cut after the row of `keepThroughStep`. */
function openCsv(path: string, keepThroughStep: number | undefined, displayPath: string | undefined): OutputFile {
  if (keepThroughStep === undefined || !existsSync(path)) return openOutputFile(path, { header: Buffer.from(`${CSV_HEADER}\n`), displayPath });
  return openOutputFile(path, { keepBytes: thermoCsvKeepBytes(path, keepThroughStep), displayPath });
}

/**
 * For a restart: the length in bytes of the part of an existing thermo CSV to keep (header and
 * rows up to and including `keepThroughStep`; a row cut short by a kill is dropped). Reads only.
 *
 * @throws InputError when the file is not an e3md thermo CSV.
 */
export function thermoCsvKeepBytes(path: string, keepThroughStep: number): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[0] !== CSV_HEADER) throw new InputError(`has a different header than e3md's thermo CSV ("${lines[0].slice(0, 60)}"); move it away to restart`, { file: path });
  let keepBytes = Buffer.byteLength(`${CSV_HEADER}\n`);
  for (let k = 1; k < lines.length - 1; k++) { // text after the last newline is a row cut short
    const line = lines[k];
    const step = Number(line.slice(0, line.indexOf(',')));
    if (!Number.isInteger(step) || step > keepThroughStep) break;
    keepBytes += Buffer.byteLength(`${line}\n`);
  }
  return keepBytes;
}
