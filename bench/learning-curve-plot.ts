/**
 * The learning-curve figure (io/svg-plot): test force MAE against training-set size on log–log
 * axes whose labelled ticks cover the data, one colour per model with a marker per point (ringed:
 * stopped by the epoch cap before it converged) and its fitted power law dashed, the legend
 * naming each model's lmax and parameter count and each fit's β ± standard error.
 */
import { svgPlot, type PlotSeries } from '../io/index.js';
import type { LearningCurve } from './learning-curve.js';

const PALETTE = ['#9467bd', '#1f77b4', '#2ca02c', '#d62728', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];

/**
 * The figure of `curve` as SVG text.
 * @example writeFileSync('learning-curve.svg', learningCurveSvg(curve));
 */
export function learningCurveSvg(curve: LearningCurve, width = 760): string {
  const series: PlotSeries[] = [];
  curve.models.forEach((model, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const pts = curve.points.filter((p) => p.model === model.name).sort((a, b) => a.trainStructures - b.trainStructures);
    series.push({
      label: `${model.name} (lmax ${model.lmax}, ${model.parameters.toLocaleString('en-US')} params)`,
      x: pts.map((p) => p.trainStructures),
      y: pts.map((p) => p.test.forceMae_meV_per_A),
      color,
      markers: true,
      highlight: pts.flatMap((p, j) => (p.converged ? [] : [j])),
    });
    const fit = curve.fits.find((f) => f.model === model.name);
    if (fit) {
      const se = Number.isFinite(fit.betaStdErr) ? ` ± ${fit.betaStdErr.toFixed(2)}` : '';
      series.push({ label: `  fit: MAE ∝ N^−β, β = ${fit.beta.toFixed(2)}${se}`, x: [fit.minSize, fit.maxSize], y: [fit.minSize, fit.maxSize].map((n) => fit.prefactor * n ** -fit.beta), color, dashed: true });
    }
  });
  const capped = curve.points.some((p) => !p.converged) ? '; ringed: stopped at the epoch cap' : '';
  return svgPlot(
    [{ xLabel: 'training structures', yLabel: 'test force MAE (meV/Å)', logX: true, logY: true, series, title: `${curve.testStructures} test structures${capped}` }],
    { title: 'Test force MAE vs training-set size', width, panelHeight: 300 + 16 * series.length },
  );
}
