/**
 * The learning-curve figure as a standalone SVG: test force MAE against training-set size on
 * log–log axes whose labelled ticks (1-2-5 per decade, or every integer multiple when the range is
 * short) cover the data, one colour per model with a marker per point (hollow: stopped by the
 * epoch cap before it converged) and its fitted power law dashed, and a legend naming each model's
 * lmax, parameter count and β ± standard error.
 */
import type { LearningCurve } from './learning-curve.js';

const PALETTE = ['#9467bd', '#1f77b4', '#2ca02c', '#d62728', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

/** Tick values of a log axis over [lo, hi] (data units) and the axis limits they span. */
export function logTicks(lo: number, hi: number): { min: number; max: number; ticks: number[] } {
  if (!(lo > 0) || !(hi >= lo)) return { min: 1, max: 10, ticks: [1, 2, 5, 10] };
  if (lo === hi) { lo /= 1.5; hi *= 1.5; }
  const seq = (ks: readonly number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) for (const k of ks) out.push(Number((k * 10 ** e).toPrecision(12)));
    const below = out.filter((t) => t <= lo * (1 + 1e-12)).pop()!;
    const above = out.find((t) => t >= hi * (1 - 1e-12))!;
    return out.filter((t) => t >= below && t <= above);
  };
  // The coarsest set that still labels at least four values; limits end on ticks.
  const ticks = [[1, 2, 5], [1, 2, 3, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]].map(seq).find((t) => t.length >= 4) ?? seq([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, ticks };
}

const label = (v: number) => (v >= 1 ? String(Number(v.toPrecision(6))) : v.toPrecision(1));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The figure of `curve`.
 * @example writeFileSync('learning-curve.svg', learningCurveSvg(curve));
 */
export function learningCurveSvg(curve: LearningCurve, width = 720, height = 500): string {
  const m = { left: 72, right: 24, top: 44, bottom: 56 };
  const pts = curve.points.filter((p) => p.test.forceMae_meV_per_A > 0 && Number.isFinite(p.test.forceMae_meV_per_A));
  const xs = pts.map((p) => p.trainStructures);
  const ys = pts.map((p) => p.test.forceMae_meV_per_A);
  const ax = logTicks(Math.min(...xs), Math.max(...xs));
  const ay = logTicks(Math.min(...ys), Math.max(...ys));
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const X = (x: number) => m.left + ((Math.log10(x) - Math.log10(ax.min)) / (Math.log10(ax.max) - Math.log10(ax.min))) * pw;
  const Y = (y: number) => m.top + ph - ((Math.log10(y) - Math.log10(ay.min)) / (Math.log10(ay.max) - Math.log10(ay.min))) * ph;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="14">${esc(`Test force MAE vs training-set size (${curve.testStructures} test structures)`)}</text>`);
  for (const v of ax.ticks) out.push(`<line x1="${f(X(v))}" y1="${m.top}" x2="${f(X(v))}" y2="${m.top + ph}" stroke="#e4e4e4"/><text x="${f(X(v))}" y="${m.top + ph + 16}" text-anchor="middle">${label(v)}</text>`);
  for (const v of ay.ticks) out.push(`<line x1="${m.left}" y1="${f(Y(v))}" x2="${m.left + pw}" y2="${f(Y(v))}" stroke="#e4e4e4"/><text x="${m.left - 6}" y="${f(Y(v) + 4)}" text-anchor="end">${label(v)}</text>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${height - 14}" text-anchor="middle">training structures</text>`);
  out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">test force MAE (meV/Å)</text>`);
  curve.models.forEach((model, k) => {
    const c = PALETTE[k % PALETTE.length]!;
    const mine = pts.filter((p) => p.model === model.name).sort((a, b) => a.trainStructures - b.trainStructures);
    if (mine.length > 1) out.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${mine.map((p) => `${f(X(p.trainStructures))},${f(Y(p.test.forceMae_meV_per_A))}`).join(' ')}"/>`);
    for (const p of mine) {
      const fill = p.converged ? c : 'white';
      out.push(`<circle cx="${f(X(p.trainStructures))}" cy="${f(Y(p.test.forceMae_meV_per_A))}" r="4" fill="${fill}" stroke="${c}" stroke-width="1.5"><title>${esc(`${model.name}, ${p.trainStructures} structures: ${p.test.forceMae_meV_per_A.toFixed(2)} meV/Å, ${p.epochs} epochs${p.converged ? '' : ' (epoch cap, not converged)'}`)}</title></circle>`);
    }
    const fit = curve.fits.find((q) => q.model === model.name);
    if (fit) {
      const [x0, x1] = [fit.minSize, fit.maxSize];
      const yAt = (x: number) => fit.prefactor * x ** -fit.beta;
      out.push(`<line x1="${f(X(x0))}" y1="${f(Y(yAt(x0)))}" x2="${f(X(x1))}" y2="${f(Y(yAt(x1)))}" stroke="${c}" stroke-width="1" stroke-dasharray="5 4"/>`);
    }
    const beta = fit ? `, β = ${fit.beta.toFixed(2)}${Number.isFinite(fit.betaStdErr) ? ` ± ${fit.betaStdErr.toFixed(2)}` : ''}` : '';
    const ly = m.top + 16 + 17 * k;
    const lx = m.left + pw - 330;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${c}" stroke-width="2"/><circle cx="${lx + 11}" cy="${ly}" r="3.5" fill="${c}"/><text x="${lx + 28}" y="${ly + 4}">${esc(`${model.name} (lmax ${model.lmax}, ${model.parameters.toLocaleString('en-US')} params${beta})`)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
