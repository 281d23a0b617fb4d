/**
 * Learning curve: test-set force MAE against training-set size for the equivariant NequIP of a
 * training config (lmax ≥ 1) and its invariant counterpart (lmax = 0) widened to about the same
 * number of parameters — the data-efficiency claim of equivariant networks (Batzner et al. 2022,
 * Fig. 3), measured on our own data. Each point is a full `e3md train` run on a seeded, nested
 * subset of the training split (`data.max_train_structures`), scored on the config's test split.
 * Writes JSON (every run's metrics) and an SVG plot (log–log, force MAE vs size).
 *
 * A long run (hours for the default sizes on one core). Usage:
 *   npx tsx bench/learning-curve.ts [--config examples/water/train.json] [--sizes 25,50,100,200,400,800]
 *     [--epochs 200] [--out bench/results/learning-curve] [--threads 1]
 *   npx tsx bench/learning-curve.ts --from bench/results/learning-curve.json   (redraw the SVG only)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createModel } from '../models/index.js';
import { builderOptionsOf, parseTrainConfig, prepareTraining, runTraining, type DatasetStatistics, type ModelSection } from '../train/index.js';
import { svgPlot } from '../io/index.js';

/** Options of {@link runLearningCurve}. */
export interface LearningCurveOptions {
  /** The training config whose model is the equivariant variant. */
  readonly configPath: string;
  /** Training-set sizes (structures), ascending. */
  readonly sizes: readonly number[];
  /** max_epochs of every run (early stopping may end a run sooner). */
  readonly epochs: number;
  /** onnxruntime threads per run. */
  readonly threads: number;
  /** Receives one line per finished run. */
  readonly log?: (line: string) => void;
}

/** One model of the comparison. */
export interface CurveVariant {
  readonly name: 'equivariant' | 'invariant';
  readonly lmax: number;
  readonly numFeatures: number;
  readonly parameters: number;
}

/** One training run. */
export interface CurvePoint {
  readonly variant: CurveVariant['name'];
  /** Training structures actually used (≤ the size asked for when the split is smaller). */
  readonly trainStructures: number;
  readonly forceMae_meV_per_A: number;
  readonly forceRmse_meV_per_A: number;
  readonly energyMae_meV_per_atom: number;
  readonly energyRmse_meV_per_atom: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly wall_s: number;
}

/** The whole result, as written to JSON. */
export interface LearningCurve {
  readonly config: string;
  readonly variants: readonly CurveVariant[];
  readonly points: readonly CurvePoint[];
  readonly testStructures: number;
  readonly machine: { readonly cpu: string; readonly threads: number };
  readonly date: string;
}

function withModel(raw: Record<string, unknown>, patch: Record<string, unknown>, size: number, epochs: number, threads: number, dir: string): Record<string, unknown> {
  const training = { ...(raw.training as object), max_epochs: epochs, threads };
  return {
    ...raw,
    data: { ...(raw.data as object), max_train_structures: size },
    model: { ...(raw.model as object), ...patch },
    training,
    output: { ...(raw.output as object), directory: join(dir, 'out'), model: join(dir, 'model.onnx') },
  };
}

/**
 * The invariant width whose parameter count is closest to the equivariant model's: lmax = 0
 * NequIP with `numFeatures` channels, searched over 4 … 512.
 */
export function matchInvariantWidth(model: ModelSection<'nequip'>, typeNames: readonly string[], target: number, statistics: DatasetStatistics): { numFeatures: number; parameters: number } {
  let best = { numFeatures: 4, parameters: Infinity };
  for (let f = 4; f <= 512; f += f < 32 ? 2 : f < 128 ? 8 : 32) {
    const count = createModel('nequip', builderOptionsOf({ ...model, lmax: 0, numFeatures: f }, typeNames, statistics)).parameters.count();
    if (Math.abs(count - target) < Math.abs(best.parameters - target)) best = { numFeatures: f, parameters: count };
    if (count > 2 * target) break;
  }
  return best;
}

/**
 * Trains both variants at every size and collects their test errors.
 * @throws when the config has no test split, or its model has lmax 0
 */
export async function runLearningCurve(o: LearningCurveOptions): Promise<LearningCurve> {
  const configPath = resolve(o.configPath);
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const parse = (c: Record<string, unknown>) => parseTrainConfig(JSON.stringify(c), configPath);
  const base = parse(raw);
  if (!base.data.test) throw new Error(`${o.configPath}: data.test is needed for a learning curve`);
  const model = base.model;
  if (model.architecture !== 'nequip') throw new Error(`${o.configPath}: the learning curve compares NequIP models; model.architecture is '${model.architecture}'`);
  if (model.lmax < 1) throw new Error(`${o.configPath}: model.lmax is 0; the equivariant variant needs lmax ≥ 1`);
  const scratch = mkdtempSync(join(tmpdir(), 'e3md-learning-curve-'));
  const log = o.log ?? (() => {});
  const points: CurvePoint[] = [];
  let variants: CurveVariant[] = [];
  let testStructures = 0;
  try {
    for (const size of o.sizes) {
      // Parameter counts do not depend on the data, so the variants are fixed once, at the first size.
      if (variants.length === 0) {
        const prep = prepareTraining(parse(withModel(raw, {}, size, o.epochs, o.threads, join(scratch, 'probe'))));
        const eq = prep.model.parameters.count();
        const inv = matchInvariantWidth(model, prep.typeNames, eq, prep.statistics);
        variants = [
          { name: 'equivariant', lmax: model.lmax, numFeatures: model.numFeatures, parameters: eq },
          { name: 'invariant', lmax: 0, numFeatures: inv.numFeatures, parameters: inv.parameters },
        ];
        log(`equivariant: lmax ${model.lmax}, ${model.numFeatures} features, ${eq} parameters; invariant: lmax 0, ${inv.numFeatures} features, ${inv.parameters} parameters`);
      }
      for (const v of variants) {
        const dir = join(scratch, `${v.name}-${size}`);
        mkdirSync(dir, { recursive: true });
        const prep = prepareTraining(parse(withModel(raw, { lmax: v.lmax, numFeatures: v.numFeatures }, size, o.epochs, o.threads, dir)));
        const t0 = performance.now();
        const r = await runTraining(prep);
        const test = r.test!.all;
        testStructures = test.structures;
        const p: CurvePoint = {
          variant: v.name,
          trainStructures: prep.train.structures.length,
          forceMae_meV_per_A: test.forceMae_meV_per_A,
          forceRmse_meV_per_A: test.forceRmse_meV_per_A,
          energyMae_meV_per_atom: test.energyMae_meV_per_atom,
          energyRmse_meV_per_atom: test.energyRmse_meV_per_atom,
          epochs: r.epochs,
          bestEpoch: r.bestEpoch,
          wall_s: (performance.now() - t0) / 1000,
        };
        points.push(p);
        log(`${v.name.padEnd(11)} ${String(p.trainStructures).padStart(5)} structures: force MAE ${p.forceMae_meV_per_A.toFixed(1)} meV/Å, energy MAE ${p.energyMae_meV_per_atom.toFixed(2)} meV/atom (${p.epochs} epochs, ${p.wall_s.toFixed(0)} s)`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { config: o.configPath, variants, points, testStructures, machine: { cpu: cpus()[0]?.model ?? 'unknown', threads: o.threads }, date: new Date().toISOString() };
}

const COLORS: Record<CurveVariant['name'], string> = { equivariant: '#1f77b4', invariant: '#d62728' };

/**
 * The learning curve as a standalone SVG: log–log axes whose labelled 1-2-5 ticks cover the whole
 * range of the data, one line with markers per variant, a legend naming lmax and parameter counts.
 */
export function learningCurveSvg(curve: LearningCurve, width = 640, height = 440): string {
  const series = curve.variants.map((v) => {
    const pts = curve.points.filter((p) => p.variant === v.name && p.forceMae_meV_per_A > 0).sort((a, b) => a.trainStructures - b.trainStructures);
    return { label: `${v.name} (lmax ${v.lmax}, ${v.numFeatures} ch, ${v.parameters} params)`, x: pts.map((p) => p.trainStructures), y: pts.map((p) => p.forceMae_meV_per_A), color: COLORS[v.name], markers: true };
  });
  return svgPlot(
    [{ xLabel: 'training structures', yLabel: 'force MAE (meV/Å)', logX: true, logY: true, series }],
    { title: `Test force MAE vs training-set size (${curve.testStructures} test structures)`, width, panelHeight: height - 36 },
  );
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, fallback: string) => { const k = argv.indexOf(`--${name}`); return k >= 0 ? argv[k + 1]! : fallback; };
  const out = arg('out', 'bench/results/learning-curve');
  // --from results.json: redraw the SVG of an earlier run without training again.
  const from = arg('from', '');
  if (from) {
    writeFileSync(`${out}.svg`, learningCurveSvg(JSON.parse(readFileSync(from, 'utf8')) as LearningCurve));
    return;
  }
  const curve = await runLearningCurve({
    configPath: arg('config', 'examples/water/train.json'),
    sizes: arg('sizes', '25,50,100,200,400,800').split(',').map(Number),
    epochs: Number(arg('epochs', '200')),
    threads: Number(arg('threads', '1')),
    log: (l) => console.error(l),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.json`, JSON.stringify(curve, null, 2) + '\n');
  writeFileSync(`${out}.svg`, learningCurveSvg(curve));
  console.log(JSON.stringify(curve, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(process.argv.slice(2));
