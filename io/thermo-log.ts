/**
 * The thermo log observer: an aligned table for people (stdout) and a CSV for programs, with the
 * DESIGN.md §4 columns in order, then pressure, then the groups a run has (periodic system,
 * moving cell, conserved quantity).
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Frame, type Observer, massDensity } from '../engine/index.js';
import { InputError } from './errors.js';
import { openOutputFile, type OutputFile } from './output-file.js';

/** One thermo column: CSV name, table label/width/decimals (no label: CSV only), and the frame value. */
interface Column {
  csv: string;
  label?: string;
  width: number;
  digits: number;
  value: (f: Frame) => number;
  /** The table prints n/a instead of a number for such frames. */
  undefinedFor?: (f: Frame) => boolean;
}

function isBulk(f: Frame): boolean {
  const box = f.system.box;
  return box.pbc[0] && box.pbc[1] && box.pbc[2] && box.volume > 0;
}

/** DESIGN.md §4's fixed six, then pressure_bar: every run has these. */
const BASE: readonly Column[] = [
  { csv: 'step', label: 'step', width: 10, digits: 0, value: (f) => f.step },
  { csv: 'time_fs', label: 'time/fs', width: 12, digits: 2, value: (f) => f.time_fs },
  { csv: 'potential_energy_eV', label: 'PE/eV', width: 16, digits: 6, value: (f) => f.potentialEnergy_eV },
  { csv: 'kinetic_energy_eV', label: 'KE/eV', width: 14, digits: 6, value: (f) => f.kineticEnergy_eV },
  { csv: 'total_energy_eV', label: 'E/eV', width: 16, digits: 6, value: (f) => f.totalEnergy_eV },
  { csv: 'temperature_K', label: 'T/K', width: 11, digits: 3, value: (f) => f.temperature_K },
  // Pressure needs a volume the system fills: only a box periodic on all three axes has one. A
  // cluster (or slab) has none, even in a vacuum cell: the CSV holds NaN and the table says n/a.
  { csv: 'pressure_bar', label: 'P/bar', width: 13, digits: 2, value: (f) => (isBulk(f) ? f.pressure_bar : NaN), undefinedFor: (f) => !isBulk(f) },
];

const tensor = (name: string, k: number): Column => ({ csv: `${name}_bar`, width: 0, digits: 0, value: (f) => f.pressureTensor_bar[k] });

/** A bulk system: volume and density (in the table only when the cell moves: else they are constant)… */
const VOLUME: Column = { csv: 'volume_A3', label: 'V/A^3', width: 14, digits: 3, value: (f) => f.system.box.volume };
const DENSITY: Column = { csv: 'density_g_cm3', label: 'rho/g/cm3', width: 11, digits: 5, value: (f) => massDensity(f.system) };
/** … and the pressure tensor in LAMMPS's pxx, pyy, pzz, pxy, pxz, pyz order (CSV only). */
const TENSOR: readonly Column[] = [tensor('pxx', 0), tensor('pyy', 4), tensor('pzz', 8), tensor('pxy', 1), tensor('pxz', 2), tensor('pyz', 5)];

/** A moving cell (NPT, cell relaxation): its lattice parameters; volume and density join the table. */
const CELL: readonly Column[] = [
  { csv: 'a_A', width: 0, digits: 0, value: (f) => f.system.box.cellParameters().a_A },
  { csv: 'b_A', width: 0, digits: 0, value: (f) => f.system.box.cellParameters().b_A },
  { csv: 'c_A', width: 0, digits: 0, value: (f) => f.system.box.cellParameters().c_A },
  { csv: 'alpha_deg', width: 0, digits: 0, value: (f) => f.system.box.cellParameters().alpha_deg },
  { csv: 'beta_deg', width: 0, digits: 0, value: (f) => f.system.box.cellParameters().beta_deg },
  { csv: 'gamma_deg', width: 0, digits: 0, value: (f) => f.system.box.cellParameters().gamma_deg },
];

/** An integrator with an extended-system conserved quantity (Nosé–Hoover chains, MTK). */
const CONSERVED: Column = { csv: 'conserved_energy_eV', label: 'Econs/eV', width: 16, digits: 6, value: (f) => f.conservedEnergy_eV };

/** Which optional column groups a thermo log has (fixed for a run, so a restart finds the same header). */
export interface ThermoColumnSet {
  /** Volume, density and the six pressure-tensor components (a bulk system: periodic along a, b and c). */
  periodic?: boolean;
  /** Lattice parameters a, b, c, α, β, γ, and volume and density in the table (the cell moves). */
  cell?: boolean;
  /** `conserved_energy_eV` (the integrator has an extended-system energy). */
  conserved?: boolean;
}

function columnsOf(set: ThermoColumnSet): Column[] {
  const columns = [...BASE];
  if (set.periodic || set.cell) {
    const csvOnly = (c: Column): Column => ({ ...c, label: undefined });
    columns.push(set.cell ? VOLUME : csvOnly(VOLUME), set.cell ? DENSITY : csvOnly(DENSITY), ...TENSOR);
  }
  if (set.cell) columns.push(...CELL);
  if (set.conserved) columns.push(CONSERVED);
  return columns;
}

/**
 * CSV header columns: DESIGN.md §4's fixed six, then pressure_bar, then (bulk) volume_A3,
 * density_g_cm3, pxx_bar, pyy_bar, pzz_bar, pxy_bar, pxz_bar, pyz_bar, then (moving cell) a_A, b_A,
 * c_A, alpha_deg, beta_deg, gamma_deg, then (Nosé–Hoover, MTK) conserved_energy_eV.
 *
 * @example
 * thermoColumns({ periodic: true }).length; // 15
 */
export function thermoColumns(set: ThermoColumnSet = {}): string[] {
  return columnsOf(set).map((c) => c.csv);
}

/** The seven columns every thermo CSV starts with. */
export const THERMO_COLUMNS = Object.freeze(thermoColumns());

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
export function thermoTableHeader(set: ThermoColumnSet = {}): string {
  return columnsOf(set).filter((c) => c.label).map((c) => c.label!.padStart(c.width)).join('');
}

/** One aligned table row for a frame. */
export function thermoTableRow(f: Frame, set: ThermoColumnSet = {}): string {
  return columnsOf(set).filter((c) => c.label).map((c) => (c.undefinedFor?.(f) ? 'n/a' : fixed(c.value(f), c.digits, c.width)).padStart(c.width)).join('');
}

/** One CSV row (numbers in shortest round-trip form, so the CSV holds exact float64 values). */
export function thermoCsvRow(f: Frame, set: ThermoColumnSet = {}): string {
  return columnsOf(set).map((c) => String(c.value(f))).join(',');
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
  /** Optional column groups (default none). */
  columns?: ThermoColumnSet;
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
  const set = options.columns ?? {};
  let csv: OutputFile | null = null;
  if (options.csvPath !== undefined) csv = openCsv(options.csvPath, options.keepThroughStep, options.displayPath, set);
  let printedHeader = false;
  const write = (f: Frame): void => {
    if (options.print) {
      if (!printedHeader) options.print(thermoTableHeader(set));
      printedHeader = true;
      options.print(thermoTableRow(f, set));
    }
    if (csv !== null) {
      const row = Buffer.from(`${thermoCsvRow(f, set)}\n`, 'utf8');
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
function openCsv(path: string, keepThroughStep: number | undefined, displayPath: string | undefined, set: ThermoColumnSet): OutputFile {
  if (keepThroughStep === undefined || !existsSync(path)) return openOutputFile(path, { header: Buffer.from(`${thermoColumns(set).join(',')}\n`), displayPath });
  return openOutputFile(path, { keepBytes: thermoCsvKeepBytes(path, keepThroughStep, set), displayPath });
}

/**
 * For a restart: the length in bytes of the part of an existing thermo CSV to keep (header and
 * rows up to and including `keepThroughStep`; a row cut short by a kill is dropped). Reads only.
 *
 * @throws InputError when the file is not an e3md thermo CSV.
 */
export function thermoCsvKeepBytes(path: string, keepThroughStep: number, columns: ThermoColumnSet = {}): number {
  const header = thermoColumns(columns).join(',');
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[0] !== header) throw new InputError(`has a different header than this run's thermo CSV ("${lines[0].slice(0, 60)}"); move it away to restart`, { file: path });
  let keepBytes = Buffer.byteLength(`${header}\n`);
  for (let k = 1; k < lines.length - 1; k++) { // text after the last newline is a row cut short
    const line = lines[k];
    const step = Number(line.slice(0, line.indexOf(',')));
    if (!Number.isInteger(step) || step > keepThroughStep) break;
    keepBytes += Buffer.byteLength(`${line}\n`);
  }
  return keepBytes;
}
