/**
 * `e3md plot file.csv`: an SVG picture of a run's thermo CSV (energies, temperature, pressure and
 * any further columns against time) or of a training run's metrics.csv (loss, energy and force
 * MAE per epoch, train and validation, and the learning rate), readable in any browser.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { clobberMessage, findClobber, OutputError, svgPlot, writeFileAtomic, type PlotPanel } from '../../io/index.js';
import { displayPath } from '../prepare.js';
import { EXIT, type CliStreams } from '../exit-codes.js';

/** A CSV of numbers by column name. */
export interface NumericCsv {
  columns: string[];
  values: Record<string, number[]>;
}

/** Parses a CSV of numbers with a header line (empty or unparsable cells become NaN). @throws Error naming the line of a ragged row. */
export function parseNumericCsv(text: string, file: string): NumericCsv {
  const lines = text.split('\n');
  const columns = (lines[0] ?? '').trim().split(',');
  const values: Record<string, number[]> = Object.fromEntries(columns.map((c) => [c, []]));
  // Text after the last newline is a row a kill cut short (or nothing): not data.
  for (let k = 1; k < lines.length - 1; k++) {
    const line = lines[k]!.trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== columns.length) throw new Error(`${file}:${k + 1}: ${cells.length} values for ${columns.length} columns`);
    cells.forEach((c, i) => values[columns[i]!]!.push(c === '' ? NaN : Number(c)));
  }
  return { columns, values };
}

/** Unit and quantity of a column named `quantity_unit` (e3md's naming): `temperature_K` → `temperature (K)`. */
function axisName(column: string): string {
  const m = /^(.*?)_(eV|K|bar|fs|ps|A3|A|g_per_cm3|meV_per_atom|meV_per_A|s)$/.exec(column);
  if (!m) return column.replace(/_/g, ' ');
  const unit = m[2]!.replace('meV_per_atom', 'meV/atom').replace('meV_per_A', 'meV/Å').replace('g_per_cm3', 'g/cm³').replace('A3', 'Å³').replace(/^A$/, 'Å');
  return `${m[1]!.replace(/_/g, ' ')} (${unit})`;
}

/**
 * The panels of a thermo CSV: potential and total energy, temperature, pressure, then each further
 * column that changes (the volume of an NPT run, its conserved energy); the cell's lengths and its
 * angles share a panel each, and the pressure tensor's components stay in the CSV.
 */
export function thermoPanels(csv: NumericCsv): PlotPanel[] {
  const v = csv.values;
  const t_fs = v['time_fs']!;
  const ps = Math.max(...t_fs.filter(Number.isFinite)) >= 2000;
  const time = ps ? t_fs.map((t) => t / 1000) : t_fs;
  const xLabel = ps ? 'time (ps)' : 'time (fs)';
  // Total energy on its own axes: its drift (NVE) or fluctuation is what one looks for.
  const panel = (title: string, column: string): PlotPanel => ({ title, xLabel, yLabel: axisName(column), series: [{ label: column, x: time, y: v[column]! }] });
  const panels: PlotPanel[] = [
    panel('total energy', 'total_energy_eV'),
    panel('potential energy', 'potential_energy_eV'),
    panel('kinetic energy', 'kinetic_energy_eV'),
    panel('temperature', 'temperature_K'),
  ];
  const fixed = new Set(['step', 'time_fs', 'potential_energy_eV', 'kinetic_energy_eV', 'total_energy_eV', 'temperature_K']);
  const group = (title: string, yLabel: string, columns: string[]): void => {
    if (columns.every((c) => csv.columns.includes(c)) && columns.some((c) => changes(v[c]!))) panels.push({ title, xLabel, yLabel, series: columns.map((c) => ({ label: c, x: time, y: v[c]! })) });
  };
  for (const c of csv.columns) {
    if (fixed.has(c) || !v[c]!.some(Number.isFinite)) continue; // a cluster's pressure is NaN throughout
    if (/^p(xx|yy|zz|xy|xz|yz)_bar$/.test(c) || /^([abc]_A|(alpha|beta|gamma)_deg)$/.test(c)) continue;
    if (c !== 'pressure_bar' && !changes(v[c]!)) continue; // the volume and density of a fixed cell
    panels.push(panel(axisName(c).replace(/ \(.*\)$/, ''), c));
  }
  group('cell lengths', 'length (Å)', ['a_A', 'b_A', 'c_A']);
  group('cell angles', 'angle (°)', ['alpha_deg', 'beta_deg', 'gamma_deg']);
  return panels;
}

/** True when a series takes more than one finite value. */
function changes(y: readonly number[]): boolean {
  const finite = y.filter(Number.isFinite);
  return finite.some((x) => x !== finite[0]);
}

/** The panels of a training metrics.csv: loss, energy MAE, force MAE (train and validation, log scale, best epochs ringed) and learning rate. */
export function metricsPanels(csv: NumericCsv): PlotPanel[] {
  const v = csv.values;
  const epoch = v['epoch']!;
  const best = (v['best'] ?? []).flatMap((b, i) => (b === 1 ? [i] : []));
  const pair = (title: string, yLabel: string, train: string, validation: string): PlotPanel => ({
    title, xLabel: 'epoch', yLabel, logY: true,
    series: [{ label: 'train', x: epoch, y: v[train]! }, { label: 'validation (○ best)', x: epoch, y: v[validation]!, highlight: best }],
  });
  return [
    pair('loss', 'loss', 'train_loss', 'validation_loss'),
    pair('energy error', 'energy MAE (meV/atom)', 'train_energy_mae_meV_per_atom', 'validation_energy_mae_meV_per_atom'),
    pair('force error', 'force MAE (meV/Å)', 'train_force_mae_meV_per_A', 'validation_force_mae_meV_per_A'),
    { title: 'learning rate', xLabel: 'epoch', yLabel: 'learning rate', logY: true, series: [{ label: 'learning rate', x: epoch, y: v['learning_rate']! }] },
  ];
}

/**
 * The SVG of a thermo CSV or a training metrics.csv (told apart by their headers).
 * @throws Error naming the file when it is neither.
 */
export function plotCsv(text: string, file: string): string {
  const csv = parseNumericCsv(text, file);
  const has = (...names: string[]) => names.every((n) => csv.columns.includes(n));
  if (has('step', 'time_fs', 'potential_energy_eV', 'kinetic_energy_eV', 'total_energy_eV', 'temperature_K')) {
    if (csv.values['step']!.length === 0) throw new Error(`${file}: no rows to plot yet`);
    return svgPlot(thermoPanels(csv), { panelHeight: 220, title: `${file}: ${csv.values['step']!.length} rows, steps ${csv.values['step']![0]}–${csv.values['step']!.at(-1)}` });
  }
  if (has('epoch', 'learning_rate', 'train_loss', 'validation_loss')) {
    if (csv.values['epoch']!.length === 0) throw new Error(`${file}: no epochs to plot yet`);
    return svgPlot(metricsPanels(csv), { title: `${file}: ${csv.values['epoch']!.length} epochs` });
  }
  throw new Error(`${file}: not an e3md thermo CSV (step,time_fs,…) or training metrics.csv (epoch,learning_rate,…); its header is "${csv.columns.join(',').slice(0, 80)}"`);
}

/** Registers `e3md plot` on `program`. */
export function registerPlotCommand(program: Command, io: CliStreams, setExit: (code: number) => void): void {
  program
    .command('plot')
    .summary('draw a thermo CSV or a training metrics.csv as an SVG picture')
    .description(
      'Draws the thermo CSV of `e3md run` (total and potential energy, kinetic energy, temperature, pressure and any further ' +
      'columns against time) or the metrics.csv of `e3md train` (loss, energy and force MAE per epoch for train and validation, ' +
      'best epochs ringed, and the learning rate) as a standalone SVG file that any web browser shows. Columns: docs/thermo.md.',
    )
    .argument('<file.csv>', 'thermo.csv (e3md run) or metrics.csv (e3md train)')
    .option('--out <file.svg>', 'where to write the picture (default: the CSV\'s name with .svg)')
    .addHelpText('after', '\nExamples:\n  e3md plot examples/water/output/thermo.csv\n  e3md plot examples/water/training/metrics.csv --out training.svg\n')
    .action(async (file: string, flags: { out?: string }) => {
      setExit(await plotCommand(file, flags, io));
    });
}

/** Runs `plot`; returns the exit code. */
export async function plotCommand(file: string, flags: { out?: string }, io: CliStreams): Promise<number> {
  const out = flags.out ?? `${file.replace(/\.csv$/i, '')}.svg`;
  const clobber = findClobber([{ key: 'the CSV', path: file }], [{ key: '--out', path: out }]);
  if (clobber) {
    io.stderr.write(`e3md plot: --out ${out} ${clobberMessage(clobber)}\n`);
    return EXIT.badInput;
  }
  let svg: string;
  try {
    svg = plotCsv(readFileSync(file, 'utf8'), displayPath(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.stderr.write(`e3md plot: ${code === 'ENOENT' ? `${file}: file not found` : (e as Error).message}\n`);
    return EXIT.badInput;
  }
  try {
    writeFileAtomic(out, svg, displayPath(out));
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    io.stderr.write(`e3md plot: ${e.message}\n`);
    return EXIT.failed;
  }
  io.stdout.write(`wrote ${displayPath(out)}\n`);
  return EXIT.ok;
}
