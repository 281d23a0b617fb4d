/**
 * Line plots as standalone SVG — readable in any browser, no plotting software needed — for
 * `e3md plot` (thermo logs, training metrics) and the benchmarks' figures. A figure is a column of
 * panels sharing a width; each panel has linear or logarithmic axes whose limits are rounded out
 * to tick values, so labelled ticks cover the whole range of the data (both ends included).
 */

/** One curve. Points with a non-finite x or y (NaN pressure of a cluster, a log axis ≤ 0) break the line. */
export interface PlotSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** CSS colour; default from a fixed palette by position. */
  color?: string;
  /** Draw a dot at every point (sparse data such as a learning curve). */
  markers?: boolean;
  /** Indices of points to mark with a ring (e.g. the best epochs). */
  highlight?: readonly number[];
  dashed?: boolean;
}

/** One set of axes. */
export interface PlotPanel {
  title?: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  logX?: boolean;
  logY?: boolean;
}

/** Figure layout. */
export interface PlotOptions {
  title?: string;
  /** Pixels; default 720. */
  width?: number;
  /** Pixels per panel; default 260. */
  panelHeight?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

/** Axis limits and tick values covering `values` (finite ones; positive ones on a log axis). */
export function axisTicks(values: readonly number[], log: boolean): { min: number; max: number; ticks: number[] } {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return log ? { min: 1, max: 10, ticks: [1, 10] } : { min: 0, max: 1, ticks: [0, 0.5, 1] };
  let lo = Math.min(...v), hi = Math.max(...v);
  if (log) {
    // 1-2-5 per decade, or every multiple 1…9 when that gives too few; limits out to enclosing ticks.
    const seq = (ks: number[]): number[] => {
      const out: number[] = [];
      for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) for (const k of ks) out.push(Number((k * 10 ** e).toPrecision(12)));
      const below = out.filter((t) => t <= lo * (1 + 1e-12)).pop() ?? out[0]!;
      const above = out.find((t) => t >= hi * (1 - 1e-12)) ?? out[out.length - 1]!;
      return out.filter((t) => t >= below && t <= above);
    };
    if (lo === hi) { lo /= 2; hi *= 2; }
    // Of the usual tick sets, the one whose limits hug the data closest with 4 to 12 labels.
    const candidates = [[1, 2, 5], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]].map(seq).filter((t) => t.length >= 4 && t.length <= 12);
    const span = (t: number[]) => t[t.length - 1]! / t[0]!;
    const ticks = candidates.sort((a, b) => span(a) - span(b) || Math.abs(a.length - 6) - Math.abs(b.length - 6))[0] ?? seq([1]);
    return { min: ticks[0]!, max: ticks[ticks.length - 1]!, ticks };
  }
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.01;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  const first = Math.floor(lo / step + 1e-9), last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toPrecision(12)));
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, ticks };
}

/** A tick label: plain up to 6 significant digits, exponent form for very large or small values. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(6)));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A figure as SVG text.
 *
 * @example
 * svgPlot([{ xLabel: 'time (fs)', yLabel: 'T (K)', series: [{ label: 'temperature', x: t, y: T }] }], { title: 'thermo.csv' });
 */
export function svgPlot(panels: readonly PlotPanel[], options: PlotOptions = {}): string {
  const width = options.width ?? 720;
  const ph = options.panelHeight ?? 260;
  const m = { left: 84, right: 24, top: 34, bottom: 50 };
  const head = options.title ? 36 : 8;
  const height = head + panels.length * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title) out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${esc(options.title)}</text>`);
  panels.forEach((p, k) => {
    const top = head + k * ph;
    // Above the axes: the title, and the legend right-aligned, one entry per line.
    const band = Math.max(m.top, 14 + 16 * p.series.length);
    const x0 = m.left, x1 = width - m.right, y0 = top + ph - m.bottom, y1 = top + band;
    const ax = axisTicks(p.series.flatMap((s) => Array.from(s.x)), p.logX === true);
    const ay = axisTicks(p.series.flatMap((s) => Array.from(s.y)), p.logY === true);
    const f = (v: number, a: { min: number; max: number }, log: boolean): number => {
      const [lo, hi, x] = log ? [Math.log10(a.min), Math.log10(a.max), Math.log10(v)] : [a.min, a.max, v];
      return (x - lo) / (hi - lo || 1);
    };
    const X = (v: number) => x0 + f(v, ax, p.logX === true) * (x1 - x0);
    const Y = (v: number) => y0 - f(v, ay, p.logY === true) * (y0 - y1);
    if (p.title) out.push(`<text x="${x0}" y="${top + 22}" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
    for (const t of ax.ticks) out.push(`<line x1="${X(t).toFixed(1)}" y1="${y1}" x2="${X(t).toFixed(1)}" y2="${y0}" stroke="#e0e0e0"/><text x="${X(t).toFixed(1)}" y="${y0 + 16}" text-anchor="middle">${tickLabel(t)}</text>`);
    for (const t of ay.ticks) out.push(`<line x1="${x0}" y1="${Y(t).toFixed(1)}" x2="${x1}" y2="${Y(t).toFixed(1)}" stroke="#e0e0e0"/><text x="${x0 - 6}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end">${tickLabel(t)}</text>`);
    out.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="black"/>`);
    out.push(`<text x="${(x0 + x1) / 2}" y="${y0 + 36}" text-anchor="middle">${esc(p.xLabel)}</text>`);
    out.push(`<text transform="translate(${x0 - 66} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
    const legendX = x1 - 34 - 6.6 * Math.max(0, ...p.series.map((s) => s.label.length));
    p.series.forEach((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length]!;
      const ok = (j: number) => Number.isFinite(s.x[j]!) && Number.isFinite(s.y[j]!) && (!p.logX || s.x[j]! > 0) && (!p.logY || s.y[j]! > 0);
      let run: string[] = [];
      const flush = () => {
        if (run.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${run.join(' ')}"/>`);
        run = [];
      };
      for (let j = 0; j < s.x.length; j++) {
        if (!ok(j)) { flush(); continue; }
        run.push(`${X(s.x[j]!).toFixed(1)},${Y(s.y[j]!).toFixed(1)}`);
        if (s.markers || s.x.length === 1) out.push(`<circle cx="${X(s.x[j]!).toFixed(1)}" cy="${Y(s.y[j]!).toFixed(1)}" r="3.5" fill="${color}"/>`);
      }
      flush();
      for (const j of s.highlight ?? []) if (ok(j)) out.push(`<circle cx="${X(s.x[j]!).toFixed(1)}" cy="${Y(s.y[j]!).toFixed(1)}" r="4.5" fill="none" stroke="${color}"/>`);
      const lx = legendX, ly = top + 14 + 16 * i;
      out.push(`<line x1="${lx.toFixed(1)}" y1="${ly}" x2="${(lx + 24).toFixed(1)}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${(lx + 29).toFixed(1)}" y="${ly + 4}">${esc(s.label)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
